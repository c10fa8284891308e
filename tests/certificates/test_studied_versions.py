"""Issue 24: a certificate records what the learner actually studied.

Reproduces the issue's table through the HTTP journey: learner A completes on the course files'
version, the trainer publishes a minor and then a major change, learner B completes on that,
the trainer rolls back to version 1's text, learner C completes on it. Fingerprints now follow the
versions studied (A = C ≠ B), the verification page and the PDF say so, and the credential's
per-module evidence is checked by the independent verifiers.
"""
from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from cert_helpers import ROOT, fetch, node_verify, page_text, serve
from support import Client

FIXTURE = Path(__file__).parent / "fixtures" / "versioned"
COURSE = "versioned-course"
EDIT = f"/author/{COURSE}/01-security"


@pytest.fixture
def versioned(make_app, tmp_path):
    courses = tmp_path / "courses"
    shutil.copytree(FIXTURE, courses / "versioned")
    with serve(make_app, COURSES_DIR=str(courses), AUTHORING_UPLOAD_DIR=str(tmp_path / "uploads"),
               CONTENT_GENERATION_CHECK_SECONDS=0) as served:
        yield served


def _complete_course(app, user) -> Client:
    """Read every page, pass the quiz, read the last module: the certificate is issued."""
    client = Client(app.test_client())
    client.sign_in(user.email)
    client.page(f"/courses/{COURSE}/security/1")
    response = client.post(f"/courses/{COURSE}/security/quiz", token_from=f"/courses/{COURSE}/security/quiz")
    assert response.status_code == 302, response.data[:500]
    paper = response.headers["Location"]
    soup = client.page(paper)
    # The right answer is the option whose label mentions a password (options may be shuffled).
    right = next(i["value"] for i in soup.find_all("input", {"name": "q-phishing-sign"})
                 if "password" in soup.find("label", {"for": i["id"]}).get_text())
    response = client.post(paper, {"q-phishing-sign": right})
    assert response.status_code == 303, response.data[:500]
    assert "You passed" in page_text(client.page(response.headers["Location"]))
    client.page(f"/courses/{COURSE}/data/1")
    return client


def _publish(author: Client, kind: str, old: str, new: str) -> None:
    soup = author.page(EDIT)
    form = soup.find("textarea", {"name": "source"}).find_parent("form")
    data = {i["name"]: i.get("value", "") for i in form.find_all("input") if i.get("name")}
    data["source"] = soup.find("textarea", {"name": "source"}).text
    assert old in data["source"]
    data["source"] = data["source"].replace(old, new)
    assert author.post(EDIT + "/save", data, token_from=EDIT).status_code == 302
    lock = author.page(EDIT + "/publish").find("input", {"name": "lock_version"})["value"]
    response = author.post(EDIT + "/publish", {"kind": kind, "note": f"A {kind} change", "lock_version": lock})
    assert response.status_code == 302, response.data[:1000]


def _certificate(app, user):
    from leadership.certificates.models import Certificate
    from leadership.extensions import db

    with app.app_context():
        cert = db.session.scalar(sa.select(Certificate).where(Certificate.user_id == user.id))
        modules = [(m.module_slug, m.content_version) for m in cert.modules]
        db.session.expunge(cert)
        db.session.remove()
    return cert, modules


def _module_version(app, slug="security") -> str:
    with app.app_context():
        version = app.extensions["catalogue"].get().course(COURSE).module(slug).version
    return version


def test_fingerprints_follow_what_each_learner_studied(versioned, make_user, tmp_path):
    from pypdf import PdfReader

    from leadership.certificates.studied import fingerprint

    app, base, _origin = versioned
    author = Client(app.test_client())
    author.sign_in(make_user("trainer", email="trainer@example.org").email)
    a, b, c = (make_user(name=f"Cllr {n}", email=f"{n.lower()}@example.org") for n in ("Ann", "Bryn", "Cerys"))
    v1, data_version = _module_version(app), _module_version(app, "data")

    _complete_course(app, a)
    _publish(author, "minor", "that asks you to act quickly", "that asks you to act quickly, today")
    _publish(author, "major", "Most attacks start", "Nine in ten attacks start")
    v3 = _module_version(app)
    _complete_course(app, b)
    response = author.post(EDIT + "/versions/1/rollback", {"kind": "major", "note": "Back to the file"},
                           token_from=EDIT + "/versions/1/rollback")
    assert response.status_code == 302, response.data[:1000]
    assert _module_version(app) == v1
    _complete_course(app, c)

    (cert_a, mods_a), (cert_b, mods_b), (cert_c, mods_c) = (_certificate(app, u) for u in (a, b, c))
    # The issue's table, now right: per module, the version each completed on...
    assert mods_a == [("security", v1), ("data", data_version)]
    assert mods_b == [("security", v3), ("data", data_version)]
    assert mods_c == mods_a
    # ...and a fingerprint of exactly those: A and C studied the same, B did not.
    assert cert_a.course_fingerprint == cert_c.course_fingerprint == fingerprint(mods_a)
    assert cert_b.course_fingerprint == fingerprint(mods_b) != cert_a.course_fingerprint
    assert v3 != v1 and cert_a.course_edition == "2026.1"

    # The verification page: edition, fingerprint, module versions with titles and dates.
    anon = Client(app.test_client())
    text_a = page_text(anon.page(f"/verify/{cert_a.code}"))
    assert "Edition 2026.1" in text_a and f"Course fingerprint {cert_a.course_fingerprint}" in text_a
    assert "Cyber security Version 1, as published in the course files" in text_a and v1 in text_a
    assert "Data and AI" in text_a
    assert "changed in a major way" not in text_a  # rolled back: it reads as A studied it again
    text_b = page_text(anon.page(f"/verify/{cert_b.code}"))
    assert "Cyber security Version 3 of" in text_b and v3 in text_b
    assert "This module has changed in a major way since: version 4 of" in text_b
    text_c = page_text(anon.page(f"/verify/{cert_c.code}"))
    assert "Version 4 of" in text_c and "(the text of version 1 again)" in text_c

    # The PDF shows the edition and the fingerprint.
    holder = Client(app.test_client())
    holder.sign_in(b.email)
    pdf = PdfReader(io.BytesIO(holder.get(f"/certificates/{cert_b.code}.pdf").data))
    pdf_text = " ".join(pdf.pages[0].extract_text().split())
    assert "Edition 2026.1" in pdf_text and f"Course fingerprint {cert_b.course_fingerprint}" in pdf_text

    # The credential: achievement.version is the edition; one evidence entry per module.
    for cert, mods in ((cert_a, mods_a), (cert_b, mods_b)):
        credential = json.loads(fetch(versioned, f"/verify/{cert.code}/credential.json")[2])
        assert credential["credentialSubject"]["achievement"]["version"] == "2026.1"
        page, *modules = credential["evidence"]
        assert page["id"] == f"{base}/verify/{cert.code}"
        assert page["description"] == f"Edition 2026.1; course fingerprint {cert.course_fingerprint}."
        assert [(e["id"], e["name"], e["genre"]) for e in modules] == [
            (f"{base}/verify/{cert.code}#module-security", "Cyber security", "Module completion"),
            (f"{base}/verify/{cert.code}#module-data", "Data and AI", "Module completion")]
        for entry, (_slug, version) in zip(modules, mods):
            assert entry["description"].startswith(f"Content version {version}; completed 20")
        # ...checked by the independent verifiers, both forms.
        assert node_verify("di", credential, versioned, tmp_path)["ok"] is True
        token = fetch(versioned, f"/verify/{cert.code}/credential")[2].decode()
        verdict = node_verify("jwt", token, versioned, tmp_path)
        assert verdict["ok"] is True and verdict["payload"]["evidence"] == credential["evidence"]
        tampered = {**credential, "evidence": [page, *[{**e, "description": e["description"].replace(
            mods[0][1], "000000000000")} for e in modules]]}
        assert node_verify("di", tampered, versioned, tmp_path)["ok"] is False


def test_a_certificate_without_completions_says_versions_not_recorded(app, learner, client):
    from cert_helpers import issue

    cert = issue(app, learner)  # issued directly, with no module completions behind it
    assert cert.course_fingerprint is None
    text = page_text(client.page(f"/verify/{cert.code}"))
    assert f"Content version {cert.content_version} (module versions not recorded)" in text
    assert "Versions not recorded" in text
    credential = client.get(f"/verify/{cert.code}/credential.json").get_json()
    assert [e["name"] for e in credential["evidence"]] == ["Certificate verification page"]
    assert "module versions not recorded" in credential["evidence"][0]["description"]


def test_migration_0003_backfills_from_the_holders_completions(tmp_path):
    """Upgrade a database holding certificates from 0002 to head: each gets a subject id and a
    status list slot; the module versions come from the completions made before issue, with the
    same fingerprint the app computes; without completions, nothing is recorded."""
    from datetime import datetime

    from alembic import command
    from alembic.config import Config

    from leadership.certificates.studied import fingerprint

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    cfg = Config()
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url)
    command.upgrade(cfg, "0002")
    engine = sa.create_engine(url)
    when = datetime(2026, 6, 1, 9, 0)
    with engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO council (id, code, name, nice_name, nation, type, type_code, region, current) "
            "VALUES (1, 'CRF', 'Cardiff', 'Cardiff', 'Wales', 'Unitary', 'UA', 'Wales', 1)"))
        for uid in (1, 2):
            conn.execute(sa.text(
                "INSERT INTO user_account (id, name, role, council_id, created_at, session_version) "
                "VALUES (:id, 'Cllr X', 'learner', 1, :t, 1)"), {"id": uid, "t": when})
        completions = [(1, "security", "aaaaaaaaaaaa", datetime(2026, 5, 1)), (1, "data", "bbbbbbbbbbbb", datetime(2026, 5, 2)),
                       (1, "later", "cccccccccccc", datetime(2026, 7, 1))]  # after issue: not part of it
        for uid, slug, version, done in completions:
            conn.execute(sa.text(
                "INSERT INTO module_completion (user_id, council_id, course_slug, module_slug, content_version, "
                "completed_at) VALUES (:u, 1, 'c', :s, :v, :t)"), {"u": uid, "s": slug, "v": version, "t": done})
        for cid, uid in ((1, 1), (2, 2), (3, None)):
            conn.execute(sa.text(
                "INSERT INTO certificate (id, code, user_id, course_slug, cycle, course_title, course_edition, "
                "content_version, holder_name, council_name, language, issued_at, revision) VALUES "
                "(:id, :code, :u, 'c', 1, 'C', '2026.1', 'ffffffffffff', 'X', 'Cardiff', 'en', :t, 1)"),
                {"id": cid, "code": f"CODE{cid:011d}", "u": uid, "t": when})
    command.upgrade(cfg, "head")
    with engine.connect() as conn:
        certs = conn.execute(sa.text("SELECT id, subject_id, course_fingerprint FROM certificate ORDER BY id")).all()
        slots = conn.execute(sa.text("SELECT position, certificate_id FROM status_list_slot")).all()
        modules = conn.execute(sa.text(
            "SELECT certificate_id, position, module_slug, content_version FROM certificate_module "
            "ORDER BY certificate_id, position")).all()
    engine.dispose()
    assert all(c.subject_id.startswith("urn:uuid:") for c in certs) and len({c.subject_id for c in certs}) == 3
    assert sorted(s.certificate_id for s in slots) == [1, 2, 3] and len({s.position for s in slots}) == 3
    assert certs[0].course_fingerprint == fingerprint([("security", "aaaaaaaaaaaa"), ("data", "bbbbbbbbbbbb")])
    assert modules == [(1, 1, "security", "aaaaaaaaaaaa"), (1, 2, "data", "bbbbbbbbbbbb")]
    assert certs[1].course_fingerprint is None and certs[2].course_fingerprint is None  # versions not recorded
