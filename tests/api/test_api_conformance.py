"""F13 (security test): the OpenAPI document and the server agree.

For each query parameter, a table of values: the server must accept exactly those the
published document accepts (schemathesis found `page` above the real cap, empty `since=`,
`page=`, `per_page=` accepted, and a `cursor` format the document did not state). Every 405
carries an ``Allow`` header (RFC 9110), on the API and on the HTML site.
"""
from __future__ import annotations

import re

import jsonschema
import pytest

from tests.api.test_api import auth

VALUES = {
    ("/councils", "page"): ["1", "2", "100000", "100001", "313036911798498", "0", "-1", "", "1.5", "abc", " 1"],
    ("/councils", "per_page"): ["1", "500", "501", "0", "", "x"],
    ("/completions", "limit"): ["1", "1000", "1001", "0", "", "abc"],
    ("/completions", "since"): ["2026-06-15T00:00:00Z", "2026-06-15T01:00:00+01:00", "2026-06-15T00:00:00.5Z",
                                "", "2026-06-15", "2026-06-15T00:00:00", "yesterday", "2026-13-01T00:00:00Z",
                                "9999-12-31T23:59:59Z", "9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00",
                                "1999-12-31T23:59:59Z", "2100-01-01T00:00:00Z"],
    ("/completions", "cursor"): ["", "%C3%97", "a b", "x" * 201, "WyJ4Il0=", "not/a/cursor"],
}


def _parameter_schema(spec, path, name):
    [param] = [p for p in spec["paths"][path]["get"]["parameters"] if p["name"] == name]
    return param["schema"]


def _as_query_value(schema, raw: str):
    """The value a client sends, typed as the document describes it (an integer parameter is an
    integer only when the text is one)."""
    if schema.get("type") == "integer":
        return int(raw) if re.fullmatch(r"-?[0-9]+", raw) else raw
    return raw


def _spec_accepts(schema, raw: str) -> bool:
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    return validator.is_valid(_as_query_value(schema, raw))


@pytest.mark.parametrize("path,name", sorted(VALUES))
def test_server_accepts_exactly_what_the_document_accepts(client, spec, check, dataset, issue, path, name):
    from urllib.parse import quote

    token = issue()
    schema = _parameter_schema(spec, path, name)
    disagreements = []
    for raw in VALUES[(path, name)]:
        sent = raw if raw.startswith("%") else quote(raw, safe="")
        response = client.get(f"/api/v1{path}?{name}={sent}", headers=auth(token))
        expected = _spec_accepts(schema, raw if not raw.startswith("%") else "\u00d7")
        if (response.status_code == 200) != expected:
            disagreements.append(f"{name}={raw!r}: document {'accepts' if expected else 'refuses'}, "
                                 f"server answered {response.status_code}")
        elif response.status_code == 400:
            check(response, path, 400)  # a documented problem+json body
    assert not disagreements, "\n".join(disagreements)


def test_a_cursor_the_api_issued_matches_the_documented_pattern(client, spec, check, dataset, issue):
    token = issue()
    body = check(client.get("/api/v1/completions?limit=1", headers=auth(token)), "/completions")
    assert body["next_cursor"] and _spec_accepts(_parameter_schema(spec, "/completions", "cursor"),
                                                 body["next_cursor"])
    check(client.get(f"/api/v1/completions?limit=1&cursor={body['next_cursor']}", headers=auth(token)),
          "/completions")


def test_page_maximum_is_documented(spec):
    assert _parameter_schema(spec, "/councils", "page")["maximum"] == 100000


@pytest.mark.parametrize("url", ["/api/v1/councils", "/api/v1/councils/CRF/summary", "/api/v1/completions"])
@pytest.mark.parametrize("method", ["TRACE", "POST", "DELETE", "PUT"])
def test_api_405_carries_allow(client, issue, url, method):
    response = client.raw.open(url, method=method, headers=auth(issue()))
    assert response.status_code == 405
    assert response.mimetype == "application/problem+json"
    assert {m.strip() for m in response.headers["Allow"].split(",")} >= {"GET", "HEAD"}


@pytest.mark.parametrize("url,method,allowed", [("/sign-out", "GET", {"POST"}), ("/", "TRACE", {"GET"}),
                                                ("/account/sign-out-everywhere", "GET", {"POST"}),
                                                ("/sign-in", "DELETE", {"GET", "POST"})])
def test_html_405_carries_allow(client, url, method, allowed):
    response = client.raw.open(url, method=method)
    assert response.status_code == 405
    assert allowed <= {m.strip() for m in response.headers["Allow"].split(",")}


def test_401_carries_www_authenticate(client):
    response = client.get("/api/v1/councils")
    assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Bearer")
