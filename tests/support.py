"""Test helpers shared by every test module (import with ``from support import ...``).

Kept out of conftest.py so that test modules never import a conftest by name
(pytest may load several conftest.py files, and the name is then ambiguous).
"""
from __future__ import annotations

import re

import sqlalchemy as sa
from bs4 import BeautifulSoup

DEFAULT_PASSWORD = "correct-horse-battery"
_current_app = {}


def get_council(code: str):
    from leadership.councils.models import Council
    from leadership.extensions import db

    with _current_app["app"].app_context():
        c = db.session.scalar(sa.select(Council).where(Council.code == code))
        db.session.expunge(c)
        return c


class Client:
    """Test client that knows CSRF tokens and parses pages."""

    def __init__(self, flask_client):
        self.raw = flask_client

    def get(self, url, **kw):
        return self.raw.get(url, **kw)

    def page(self, url, status=200):
        response = self.raw.get(url)
        assert response.status_code == status, (url, response.status_code, response.data[:500])
        return BeautifulSoup(response.data, "html.parser")

    def csrf_token(self, url) -> str:
        soup = BeautifulSoup(self.raw.get(url).data, "html.parser")
        field = soup.find("input", {"name": "csrf_token"})
        assert field is not None, f"no CSRF field on {url}"
        return field["value"]

    def post(self, url, data=None, *, token_from=None, **kw):
        data = dict(data or {})
        if "csrf_token" not in data:
            data["csrf_token"] = self.csrf_token(token_from or url)
        return self.raw.post(url, data=data, **kw)

    def sign_in(self, email, password=DEFAULT_PASSWORD):
        response = self.post("/sign-in", {"email": email, "password": password})
        assert response.status_code == 302, response.data[:2000]
        return response


def login_as(client, user):
    client.sign_in(user.email)
    return client


def outbox_messages(instance_path):
    from leadership.mail import read_outbox

    return read_outbox(instance_path / "outbox")


def link_in(message) -> str:
    body = message.get_body(preferencelist=("plain",)).get_content()
    match = re.search(r"https?://\S+", body)
    assert match, body
    return match.group(0)


def text(soup) -> str:
    return " ".join(soup.get_text(" ").split())
