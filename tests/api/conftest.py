from __future__ import annotations

import pytest

from tests.reporting.conftest import dataset  # noqa: F401  (the same hand-built data)


@pytest.fixture
def issue(app):
    """issue(council_code=None) -> plaintext bearer token (an LGA token when no council)."""
    import sqlalchemy as sa

    from leadership.api.tokens import issue_token
    from leadership.councils.models import Council
    from leadership.extensions import db

    def factory(council_code=None, name="test token"):
        with app.app_context():
            cid = (db.session.scalar(sa.select(Council.id).where(Council.code == council_code))
                   if council_code else None)
            _token, plaintext = issue_token(db.session, name=name, council_id=cid, actor=None)
            db.session.remove()
            return plaintext

    return factory


@pytest.fixture
def spec(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


@pytest.fixture
def check(spec):
    """check(response, path, status=200): the body validates against the documented schema."""
    import jsonschema

    def validate(response, path, status=200, method="get"):
        assert response.status_code == status, response.get_data(as_text=True)[:500]
        op = spec["paths"][path][method]
        resp = op["responses"][str(status)]
        if "$ref" in resp:
            resp = spec["components"]["responses"][resp["$ref"].rsplit("/", 1)[1]]
        media = "application/problem+json" if status >= 400 else "application/json"
        assert response.mimetype == media
        schema = {**resp["content"][media]["schema"], "components": spec["components"]}
        jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(
            response.get_json())
        return response.get_json()

    return validate
