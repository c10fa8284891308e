"""Security headers, cookie flags, session rotation and staff session time-outs."""
from __future__ import annotations

import re
import time

from bs4 import BeautifulSoup

from support import Client, text


def _csp(response) -> dict[str, str]:
    return {part.split()[0]: part.strip() for part in response.headers["Content-Security-Policy"].split(";")
            if part.strip()}


def test_csp_is_strict_and_the_one_inline_script_carries_the_nonce(client):
    response = client.get("/")
    csp = _csp(response)
    assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
    assert "'unsafe-inline'" not in csp["style-src"]
    assert csp["frame-ancestors"] == "frame-ancestors 'none'"
    assert csp["object-src"] == "object-src 'none'" and csp["base-uri"] == "base-uri 'none'"
    nonce = re.search(r"'nonce-([^']+)'", csp["script-src"]).group(1)
    soup = BeautifulSoup(response.data, "html.parser")
    inline = [s for s in soup.find_all("script") if not s.get("src")]
    assert len(inline) == 1 and inline[0]["nonce"] == nonce
    assert len(nonce) >= 16
    assert _csp(client.get("/"))["script-src"] != csp["script-src"]  # a new nonce every response
    assert not soup.select("[style]") and not soup.select("[onclick], [onload], [onerror]")


def test_headers_on_pages_errors_and_files(client):
    for url in ("/", "/no-such-page", "/healthz", "/sign-in"):
        response = client.get(url)
        assert response.headers["X-Content-Type-Options"] == "nosniff", url
        assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin", url
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"], url
        assert response.headers["X-Frame-Options"] == "DENY", url


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/").headers
    secure = client.get("/", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_signed_in_pages_are_not_cached(client, learner):
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")
    client.sign_in(learner.email)
    for url in ("/courses/", "/account", "/account/data", "/"):
        assert "no-store" in client.get(url).headers.get("Cache-Control", ""), url


def _cookie(response, name="session"):
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith(name + "="):
            return header
    return None


def test_session_cookie_flags(client, learner, make_app):
    header = _cookie(client.sign_in(learner.email))
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Secure" not in header  # http test site
    app = make_app(PUBLIC_BASE_URL="https://learn.example.org")
    assert app.config["SESSION_COOKIE_SECURE"] is True
    secure_client = Client(app.test_client())
    response = secure_client.get("/sign-in", base_url="https://localhost")
    assert "Secure" in _cookie(response)


def test_session_protection_is_basic(app):
    from leadership.extensions import login_manager

    assert login_manager.session_protection == "basic"


def test_session_is_rotated_on_sign_in(app, client, learner):
    client.get("/sign-in")
    before = client.raw.get_cookie("session").value
    client.sign_in(learner.email)
    after = client.raw.get_cookie("session").value
    assert before != after
    # The pre-sign-in cookie, replayed elsewhere, is not signed in.
    attacker = app.test_client()
    attacker.set_cookie("session", before, domain="localhost")
    assert attacker.get("/account").status_code == 302


def test_session_is_rotated_on_password_change_and_old_cookie_dies(app, client, learner):
    client.sign_in(learner.email)
    old = client.raw.get_cookie("session").value
    client.post("/account/password", {"current_password": "correct-horse-battery", "password": "fresh-meadow-copper"})
    assert client.raw.get_cookie("session").value != old
    assert client.get("/account").status_code == 200
    replay = app.test_client()
    replay.set_cookie("session", old, domain="localhost")
    assert replay.get("/account").status_code == 302


def _age_session(client, **seconds_ago):
    now = int(time.time())
    with client.raw.session_transaction() as sess:
        for key, ago in seconds_ago.items():
            sess[key] = now - ago


def test_staff_idle_timeout(client, make_user):
    trainer = make_user("trainer")
    client.sign_in(trainer.email)
    _age_session(client, seen_at=29 * 60)
    assert client.get("/author/").status_code == 200  # and that request counts as activity
    _age_session(client, seen_at=31 * 60)
    response = client.get("/author/")
    assert response.status_code == 302 and response.headers["Location"] == "/sign-in"
    assert "inactive for 30 minutes" in text(client.page("/sign-in"))
    assert client.get("/author/").status_code == 302
    # Signing in again returns to the page they were on.
    assert client.sign_in(trainer.email).headers["Location"] == "/author/"


def test_staff_absolute_timeout(client, make_user):
    admin = make_user("council_admin")
    client.sign_in(admin.email)
    _age_session(client, auth_at=13 * 3600, seen_at=60)
    assert client.get("/reports/").status_code == 302
    assert "signed in more than 12 hours ago" in text(client.page("/sign-in"))


def test_learners_have_no_staff_timeouts(client, learner):
    client.sign_in(learner.email)
    _age_session(client, auth_at=13 * 3600, seen_at=31 * 60)
    assert client.get("/courses/").status_code == 200


def test_sign_out_everywhere_ends_other_staff_sessions(app, make_user):
    admin = make_user("lga_admin")
    first, second = Client(app.test_client()), Client(app.test_client())
    first.sign_in(admin.email)
    second.sign_in(admin.email)
    first.post("/account/sign-out-everywhere", token_from="/account")
    assert second.get("/admin/audit-log").status_code == 302
