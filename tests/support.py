"""Test helpers shared by every test module (import with ``from support import ...``).

Kept out of conftest.py so that test modules never import a conftest by name
(pytest may load several conftest.py files, and the name is then ambiguous).
"""
from __future__ import annotations

import re

import sqlalchemy as sa
from bs4 import BeautifulSoup

DEFAULT_PASSWORD = "correct-horse-battery"
# make_user gives staff accounts this TOTP secret (staff must use two-step verification),
# and Client.sign_in completes the second step with it. Test-only: never a real account.
TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
_current_app = {}


def get_council(code: str):
    from leadership.councils.models import Council
    from leadership.extensions import db

    with _current_app["app"].app_context():
        c = db.session.scalar(sa.select(Council).where(Council.code == code))
        db.session.expunge(c)
        return c


class Client:
    """Test client that knows CSRF tokens and parses pages.

    Responses are buffered, so the response is closed as a WSGI server closes it: work the
    app defers until after the response (``leadership.deferred``, e.g. emailed links) has run
    when a call returns."""

    def __init__(self, flask_client):
        self.raw = flask_client

    def get(self, url, **kw):
        kw.setdefault("buffered", True)
        return self.raw.get(url, **kw)

    def page(self, url, status=200):
        response = self.raw.get(url, buffered=True)
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
        kw.setdefault("buffered", True)
        return self.raw.post(url, data=data, **kw)

    def sign_in(self, email, password=DEFAULT_PASSWORD, *, complete_mfa=True):
        """Sign in; when asked for the second factor, enter the account's current TOTP code
        (returns the final redirect). Staff without an authenticator are left at its set-up."""
        response = self.post("/sign-in", {"email": email, "password": password})
        assert response.status_code == 302, response.data[:2000]
        if complete_mfa and response.headers["Location"].endswith("/sign-in/two-factor"):
            response = self.post("/sign-in/two-factor", {"code": totp_now(email)})
            assert response.status_code == 302, response.data[:2000]
        return response


def totp_now(email: str) -> str:
    """The current code for the account with ``email``, after forgetting its last used time
    step (the replay guard), so a test may sign the same person in many times a minute."""
    import pyotp

    from leadership.auth.models import User
    from leadership.extensions import db

    with _current_app["app"].app_context():
        user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
        assert user is not None and user.totp_secret, f"{email} has no authenticator"
        db.session.execute(sa.update(User).where(User.id == user.id).values(totp_last_step=None))
        db.session.commit()
        secret = user.totp_secret
        db.session.remove()
    return pyotp.TOTP(secret).now()


def open_server_session(user, hours: int = 12) -> str:
    """A server-side session for ``user`` (what signing in creates); returns the id the cookie
    carries as ``_user_id``. For tests that build a staff session without the TOTP step."""
    from datetime import timedelta

    from leadership.auth import sessions
    from leadership.auth.models import User
    from leadership.extensions import db

    with _current_app["app"].app_context():
        raw = sessions.open_session(db.session, db.session.get(User, user.id), timedelta(hours=hours))
        db.session.remove()
    return raw


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


def confirm_registration(client, response, email: str):
    """Registration answers "check your email"; open the link it sent to ``email`` and press the
    button, as the councillor does. Returns the final response (the sign-in redirect)."""
    from pathlib import Path

    from leadership.mail import read_outbox

    assert response.status_code == 200 and "Check your email" in response.get_data(as_text=True), \
        response.data[:1000]
    outbox = Path(client.raw.application.config["MAIL_OUTBOX_DIR"])
    sent = [m for m in read_outbox(outbox) if m["To"] == email.strip().lower()
            and m["Subject"] == "Confirm your email address for Leadership Essentials"]
    assert sent, f"no confirmation email to {email}"
    link = link_in(sent[-1]).replace("http://localhost", "")
    assert client.get(link).status_code == 200  # a button: a mail scanner's GET uses nothing
    return client.post(link, {})
