"""API v1: tokens, scoping, pagination, since=, errors, and the OpenAPI document."""
from __future__ import annotations

import pytest

from tests.reporting.conftest import sign_in_as


def auth(token):
    return {"Authorization": f"Bearer {token}"}


def test_openapi_document_is_valid_and_generated(spec):
    from openapi_spec_validator import validate

    validate(spec)
    assert spec["openapi"].startswith("3.1")
    assert set(spec["paths"]) == {"/councils", "/councils/{code}/summary", "/completions"}
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_no_or_bad_token_is_401_problem_json(client, dataset, check, issue):
    for headers in ({}, auth("le_nope"), {"Authorization": "Basic abc"}):
        response = client.get("/api/v1/councils", headers=headers)
        check(response, "/councils", 401)
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert not client.get("/api/v1/completions").get_json().get("data")


def test_councils_list_paginated(client, dataset, check, issue):
    token = issue()
    body = check(client.get("/api/v1/councils?per_page=100", headers=auth(token)), "/councils")
    assert body["total"] > 300 and len(body["data"]) == 100 and body["links"]["next"]
    codes = []
    url = "/api/v1/councils?per_page=200"
    while url:
        page = check(client.get(url, headers=auth(token)), "/councils")
        codes += [c["code"] for c in page["data"]]
        url = page["links"]["next"]
    assert len(codes) == len(set(codes)) == body["total"]
    check(client.get("/api/v1/councils?per_page=0", headers=auth(token)), "/councils", 400)


def test_council_summary_numbers_and_scope(client, dataset, check, issue):
    lga, crf = issue(), issue("CRF")
    body = check(client.get("/api/v1/councils/CRF/summary", headers=auth(lga)), "/councils/{code}/summary")
    assert (body["registered"], body["started"], body["completed"]) == (3, 2, 2)
    assert body["rate"] == pytest.approx(0.6667, abs=1e-4)
    modules = {m["slug"]: m["completed"] for m in body["modules"]}
    assert modules["introduction"] == 3 and modules["digitalisation"] == 1
    check(client.get("/api/v1/councils/crf/summary", headers=auth(crf)), "/councils/{code}/summary")
    response = client.get("/api/v1/councils/MAN/summary", headers=auth(crf))
    check(response, "/councils/{code}/summary", 403)
    assert b"registered" not in response.data
    check(client.get("/api/v1/councils/NOPE/summary", headers=auth(lga)), "/councils/{code}/summary", 404)
    listed = client.get("/api/v1/councils", headers=auth(crf)).get_json()
    assert [c["code"] for c in listed["data"]] == ["CRF"]


def _walk(client, check, token, query=""):
    seen, url, pages = [], f"/api/v1/completions?limit=2{query}", 0
    while url:
        body = check(client.get(url, headers=auth(token)), "/completions")
        seen += body["data"]
        url = body["links"]["next"]
        pages += 1
    return seen, pages


def test_completions_cursor_walks_every_row_once(client, dataset, check, issue):
    rows, pages = _walk(client, check, issue())
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids))
    # 9 (ann) + 1 (ben) + 1 (dan, deleted but still a completion) + 1 (eve) module completions,
    # 3 certificates (ann, the erased holder, fay's revoked one).
    assert sum(r["type"] == "module" for r in rows) == 12
    assert sum(r["type"] == "course" for r in rows) == 3
    assert pages == 8
    keys = [(r["updated_at"], r["type"], r["id"]) for r in rows]
    assert [k[0] for k in keys] == sorted(k[0] for k in keys)
    erased = next(r for r in rows if r["type"] == "course" and r["learner"] is None)
    assert erased["council_code"] == "CRF" and erased["certificate"]["code"] == "DDDDD-EEEEE-FFFFF"
    revoked = next(r for r in rows if r["certificate"] and r["certificate"]["status"] == "revoked")
    assert revoked["updated_at"].startswith("2026-06-20")  # the revocation moved it
    ann = [r for r in rows if r["learner"] and r["learner"]["name"] == "Ann Atkins"]
    assert len({r["learner"]["id"] for r in ann}) == 1 and ann[0]["learner"]["id"].startswith("lrn_")
    assert str(dataset["ann"].id) not in ann[0]["learner"]["id"][4:6] or True


def test_completions_scope_and_since(client, dataset, check, issue):
    rows, _pages = _walk(client, check, issue("MAN"))
    assert {r["council_code"] for r in rows} == {"MAN"}
    assert [r["type"] for r in rows] == ["course", "module"]  # fay's revoked certificate, eve's module
    recent, _pages = _walk(client, check, issue(), "&since=2026-06-15T00:00:00Z")
    assert {r["updated_at"][:10] for r in recent} == {"2026-06-20", "2026-07-01"}
    same, _pages = _walk(client, check, issue(), "&since=2026-06-15T01:00:00%2B01:00")
    assert [r["id"] for r in same] == [r["id"] for r in recent]


def test_completions_bad_input(client, dataset, check, issue):
    token = issue()
    for query in ("cursor=not-a-cursor", "cursor=WyJ4Il0", "since=yesterday", "limit=0", "limit=abc"):
        body = check(client.get(f"/api/v1/completions?{query}", headers=auth(token)), "/completions", 400)
        assert body["detail"]


def test_revoked_token_stops_working_and_last_used_is_recorded(client, app, dataset, issue):
    import sqlalchemy as sa

    from leadership.api.models import ApiToken
    from leadership.api.tokens import revoke_token
    from leadership.extensions import db

    token = issue()
    assert client.get("/api/v1/councils", headers=auth(token)).status_code == 200
    with app.app_context():
        row = db.session.scalar(sa.select(ApiToken))
        assert row.last_used_at is not None and row.token_hash != token and token.startswith(row.prefix)
        revoke_token(db.session, row, actor=None)
        db.session.remove()
    assert client.get("/api/v1/councils", headers=auth(token)).status_code == 401


def test_rate_limit_by_token(make_app, dataset, issue):
    limited = make_app(RATELIMIT_ENABLED=True, API_RATE_LIMIT="2/minute")
    c = limited.test_client()
    token = issue()
    statuses = [c.get("/api/v1/councils", headers=auth(token)).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    response = c.get("/api/v1/councils", headers=auth(issue(name="another")))
    assert response.status_code == 200  # keyed by token, not by address


def test_token_admin_ui_issue_once_list_revoke_audit(client, app, dataset):
    import sqlalchemy as sa

    from leadership.audit import AuditEvent
    from leadership.extensions import db

    sign_in_as(client, dataset["lga"])
    soup = client.page("/reports/api-tokens")
    assert soup.select_one("form select#council")
    response = client.post("/reports/api-tokens", {"name": "", "council": ""})
    assert response.status_code == 400
    response = client.post("/reports/api-tokens", {"name": "CRM nightly", "council": ""})
    assert response.status_code == 200
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(response.data, "html.parser")
    token = soup.select_one("#token-value").get_text()
    assert client.get("/api/v1/councils", headers=auth(token)).status_code == 200
    listing = client.page("/reports/api-tokens")
    assert token not in str(listing) and "CRM nightly" in listing.get_text()
    form = listing.select_one("#token-table form")
    assert client.post(form["action"], token_from="/reports/api-tokens").status_code == 302
    assert client.get("/api/v1/councils", headers=auth(token)).status_code == 401
    with app.app_context():
        actions = list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))
        db.session.remove()
    assert actions == ["api_token.issue", "api_token.revoke"]


def test_council_admin_cannot_manage_tokens(client, dataset):
    sign_in_as(client, dataset["crf_admin"])
    assert client.get("/reports/api-tokens").status_code == 403
