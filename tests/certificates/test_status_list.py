"""W3C Bitstring Status List: slots allocated once (random, unique, never reused, race-safe), the
list published in both signed forms, and revocation and withdrawal seen at once by a verifier that
checks Bitstring Status Lists (@digitalbazaar/vc-bitstring-status-list; and jose for the JWT form)."""
import base64
import gzip
import json
import os
import threading

import pytest
import sqlalchemy as sa

from cert_helpers import fetch, issue, live_issue, node_verify

LIST_SIZE = 131_072


def _revoke(app, cert):
    from leadership.certificates import service
    from leadership.extensions import db

    with app.app_context():
        service.revoke_certificate(db.session, service.find_by_code(db.session, cert.code), actor=None,
                                   reason="Issued in error")
        db.session.remove()


def _withdraw(app, user):
    from leadership.certificates import service
    from leadership.extensions import db

    with app.app_context():
        service.withdraw_certificates(db.session, user.id)
        db.session.commit()
        db.session.remove()


def _bit(encoded: str, index: int) -> bool:
    """Decode per the spec, independently of the app: multibase 'u' + base64url, GZIP, bit 0 is
    the most significant bit of byte 0."""
    assert encoded[0] == "u"
    raw = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
    assert len(raw) * 8 == LIST_SIZE  # at least 16 KiB uncompressed, as the spec requires
    return bool(raw[index // 8] & (0x80 >> (index % 8)))


def _slots(app):
    from leadership.certificates.models import StatusListSlot
    from leadership.extensions import db

    with app.app_context():
        rows = db.session.execute(sa.select(StatusListSlot.position, StatusListSlot.certificate_id)).all()
        db.session.remove()
    return rows


def test_every_certificate_gets_one_random_slot(app, make_user):
    certs = [issue(app, make_user()) for _ in range(12)]
    rows = _slots(app)
    assert len(rows) == 12 and {r.certificate_id for r in rows} == {c.id for c in certs}
    positions = sorted(r.position for r in rows)
    assert len(set(positions)) == 12 and all(0 <= p < LIST_SIZE for p in positions)  # list 1 until half full
    assert positions != list(range(positions[0], positions[0] + 12))  # not handed out in order
    again = issue(app, _user_of(app, certs[0]))
    assert again.id == certs[0].id and len(_slots(app)) == 12  # idempotent issue: no second slot


def _user_of(app, cert):
    from leadership.auth.models import User
    from leadership.extensions import db

    with app.app_context():
        user = db.session.get(User, cert.user_id)
        db.session.expunge(user)
        db.session.remove()
    return user


def test_a_slot_is_never_reused_even_if_its_certificate_row_goes(app, learner, make_user):
    from leadership.certificates.models import Certificate
    from leadership.extensions import db

    cert = issue(app, learner)
    (slot,) = _slots(app)
    with app.app_context():
        db.session.execute(sa.delete(Certificate).where(Certificate.id == cert.id))
        db.session.commit()
        from leadership.certificates.statuslist import set_positions

        assert slot.position in set_positions(db.session, 1)  # a bit with no certificate reads "revoked"
        db.session.remove()
    rows = _slots(app)
    assert rows == [(slot.position, None)]
    issue(app, make_user())
    assert len({r.position for r in _slots(app)}) == 2


def test_racing_issuers_that_draw_the_same_position_both_get_a_slot(app, make_user, monkeypatch):
    """Force every issuer's first draw onto one position: the primary key refuses all but one,
    and issue_certificate retries the rest with fresh draws (real threads; on PostgreSQL they
    race truly, on SQLite the writers queue)."""
    from leadership.certificates import service, statuslist
    from leadership.extensions import db

    from cert_helpers import real_course

    real = statuslist._free_position
    first_draw = threading.local()

    def colliding(session):
        if not getattr(first_draw, "done", False):
            first_draw.done = True
            return 4242
        return real(session)

    monkeypatch.setattr(statuslist, "_free_position", colliding)
    users = [make_user() for _ in range(6)]
    course = real_course(app)
    barrier = threading.Barrier(len(users))
    codes, errors = [], []

    def complete(user):
        try:
            with app.app_context():
                session = db.session.session_factory()
                barrier.wait()
                codes.append(service.issue_certificate(session, user.id, course).code)
                session.close()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=complete, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(set(codes)) == 6
    rows = _slots(app)
    assert len(rows) == 6 and len({r.position for r in rows}) == 6 and 4242 in {r.position for r in rows}


@pytest.mark.postgres
@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="a true race needs PostgreSQL")
def test_lazy_allocation_races_to_one_slot(app, learner):
    """Rows inserted without a slot (the demo seed's bulk insert) get one on first use; eight
    simultaneous requests agree on it."""
    from leadership.certificates import service
    from leadership.certificates.models import Certificate, StatusListSlot
    from leadership.extensions import db

    cert = issue(app, learner)
    with app.app_context():
        db.session.execute(sa.delete(StatusListSlot))
        db.session.execute(sa.update(Certificate).values(subject_id=None))
        db.session.commit()
        db.session.remove()
    barrier, seen, errors = threading.Barrier(8), [], []

    def ensure():
        try:
            with app.app_context():
                session = db.session.session_factory()
                row = session.get(Certificate, cert.id)
                barrier.wait()
                service.ensure_credential_records(session, row)
                seen.append((row.status_slot.position, row.subject_id))
                session.close()
        except Exception as exc:  # pragma: no cover
            errors.append(exc)

    threads = [threading.Thread(target=ensure) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(set(seen)) == 1 and len(_slots(app)) == 1


def test_the_status_list_is_published_signed_in_both_forms(live, learner, tmp_path):
    from joserfc import jwt as jose_jwt
    from joserfc.jwk import KeySet

    app, base, _origin = live
    cert = live_issue(live, learner)
    status, content_type, body = fetch(live, "/credentials/status/1")
    assert status == 200 and content_type.startswith("application/vc+ld+json")
    doc = json.loads(body)
    assert doc["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert doc["id"] == f"{base}/credentials/status/1" and doc["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    subject = doc["credentialSubject"]
    assert subject["type"] == "BitstringStatusList" and subject["statusPurpose"] == "revocation"
    index = int(json.loads(fetch(live, f"/verify/{cert.code}/credential.json")[2])["credentialStatus"]["statusListIndex"])
    assert _bit(subject["encodedList"], index) is False

    status, content_type, token = fetch(live, "/credentials/status/1", accept="application/vc+jwt")
    assert status == 200 and content_type.startswith("application/vc+jwt")
    decoded = jose_jwt.decode(token.decode(), KeySet.import_key_set(json.loads(fetch(live, "/.well-known/jwks.json")[2])),
                              algorithms=["RS256"])
    assert decoded.header["typ"] == "JWT" and decoded.claims["iss"] == doc["issuer"]
    assert decoded.claims["credentialSubject"]["encodedList"] == subject["encodedList"]
    assert fetch(live, "/credentials/status/2")[0] == 404 and fetch(live, "/credentials/status/0")[0] == 404


def test_a_revoked_certificate_is_reported_revoked_at_once(live, learner, make_user, tmp_path):
    app, _base, _origin = live
    cert = live_issue(live, learner)
    other = live_issue(live, make_user())
    credential = json.loads(fetch(live, f"/verify/{cert.code}/credential.json")[2])
    assert node_verify("status", credential, live, tmp_path) == {
        "ok": True, "revoked": [False], "jwtRevoked": False, "jwtIssuerMatches": True}

    _revoke(app, cert)
    assert node_verify("status", credential, live, tmp_path) == {
        "ok": True, "revoked": [True], "jwtRevoked": True, "jwtIssuerMatches": True}
    verdict = node_verify("di", credential, live, tmp_path)  # the full verification sees it too
    assert verdict["statusResult"]["results"][0]["status"] is True
    index = int(credential["credentialStatus"]["statusListIndex"])
    assert _bit(json.loads(fetch(live, "/credentials/status/1")[2])["credentialSubject"]["encodedList"], index)
    # ...and only that certificate
    other_credential = json.loads(fetch(live, f"/verify/{other.code}/credential.json")[2])
    assert node_verify("status", other_credential, live, tmp_path)["revoked"] == [False]
    # The human page and the old per-certificate status document say the same, as before.
    assert json.loads(fetch(live, f"/verify/{cert.code}/status")[2])["status"] == "revoked"


def test_a_withdrawn_certificate_is_reported_revoked_at_once(live, learner, tmp_path):
    app, _base, _origin = live
    cert = live_issue(live, learner)
    saved = json.loads(fetch(live, f"/verify/{cert.code}/credential.json")[2])  # kept in a wallet
    assert node_verify("status", saved, live, tmp_path)["revoked"] == [False]
    _withdraw(app, learner)
    assert fetch(live, f"/verify/{cert.code}/credential.json")[0] == 410
    assert node_verify("status", saved, live, tmp_path) == {
        "ok": True, "revoked": [True], "jwtRevoked": True, "jwtIssuerMatches": True}


def test_demo_seeded_certificates_get_slots_subject_ids_and_studied_versions(app, client):
    """The demo seed inserts certificates in bulk; it then backfills what issue_certificate
    records, so seeded credentials carry a status entry and per-module evidence too."""
    from datetime import date

    from leadership.certificates import integrity
    from leadership.certificates.keys import signing_key
    from leadership.certificates.models import Certificate
    from leadership.certificates.studied import fingerprint
    from leadership.demo.seed import seed
    from leadership.extensions import db
    from leadership.quizzes.models import ModuleCompletion

    with app.app_context():
        seed(db.session, learners=60, seed=5, today=date(2026, 11, 25), answers=False)
        certs = db.session.scalars(sa.select(Certificate)).all()
        assert certs and all(c.subject_id and c.status_slot is not None for c in certs)
        cert = certs[0]
        done = db.session.execute(sa.select(ModuleCompletion.module_slug, ModuleCompletion.content_version)
                                  .where(ModuleCompletion.user_id == cert.user_id)).all()
        assert cert.course_fingerprint == fingerprint(done) and len(cert.modules) == len(done)
        code = cert.code
        assert len({c.status_slot.position for c in certs}) == len(certs)
        db.session.remove()
    credential = client.get(f"/verify/{code}/credential.json").get_json()
    assert credential["credentialStatus"]["type"] == "BitstringStatusListEntry"
    assert len(credential["evidence"]) == 1 + len(done)
    assert integrity.verify(credential, signing_key(app).private_key.public_key())
