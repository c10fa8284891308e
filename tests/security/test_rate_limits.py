"""Brute-force defences: per-IP and per-account limits (memory and Redis storage),
generic messages, and the bundled common-password list."""
from __future__ import annotations

import os
import socket
import uuid

import pytest

from support import Client


def _limited_client(make_app, **extra):
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_KEY_PREFIX=f"t{uuid.uuid4().hex}", **extra)
    return app, Client(app.test_client())


def _sign_in_attempt(client, email, ip="10.1.1.1"):
    return client.post("/sign-in", {"email": email, "password": "not-the-password"},
                       environ_base={"REMOTE_ADDR": ip})


def test_eleventh_sign_in_in_a_minute_gets_the_429_page(make_app, learner):
    _app, client = _limited_client(make_app, RATELIMIT_STORAGE_URI="memory://")
    for i in range(10):
        assert _sign_in_attempt(client, f"person{i}@example.org").status_code == 400
    response = _sign_in_attempt(client, "person10@example.org")
    assert response.status_code == 429
    body = response.get_data(as_text=True)
    assert "govuk-template" in body and "Too many attempts" in body
    # ...and the right password does not get through either while limited.
    assert client.post("/sign-in", {"email": learner.email, "password": "correct-horse-battery"},
                       environ_base={"REMOTE_ADDR": "10.1.1.1"}).status_code == 429


def test_one_account_is_throttled_whatever_the_ip(make_app, learner):
    _app, client = _limited_client(make_app, RATELIMIT_STORAGE_URI="memory://")
    for i in range(20):
        assert _sign_in_attempt(client, learner.email, ip=f"10.2.0.{i}").status_code == 400
    assert _sign_in_attempt(client, learner.email, ip="10.2.1.99").status_code == 429
    assert _sign_in_attempt(client, "someone.else@example.org", ip="10.2.1.99").status_code == 400


def test_second_factor_attempts_are_throttled_per_account(make_app, make_user):
    _app, client = _limited_client(make_app, RATELIMIT_STORAGE_URI="memory://")
    user = make_user("trainer")
    client.post("/sign-in", {"email": user.email, "password": "correct-horse-battery"})
    statuses = [client.post("/sign-in/two-factor", {"code": "000000"}).status_code for _ in range(6)]
    assert statuses[:5] == [400] * 5 and statuses[5] == 429


def test_password_reset_requests_are_throttled_per_account(make_app, learner):
    _app, client = _limited_client(make_app, RATELIMIT_STORAGE_URI="memory://")
    for i in range(5):
        response = client.post("/forgot-password", {"email": learner.email}, environ_base={"REMOTE_ADDR": f"10.3.0.{i}"})
        assert response.status_code == 200
    assert client.post("/forgot-password", {"email": learner.email},
                       environ_base={"REMOTE_ADDR": "10.3.0.50"}).status_code == 429


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


def test_limits_are_shared_through_redis(make_app, learner):
    if not _redis_up():
        if os.environ.get("CI") == "true":
            pytest.fail("Redis is not reachable on 127.0.0.1:6379 (CI must run the Redis-backed limit test)")
        pytest.skip("Redis is not reachable on 127.0.0.1:6379")
    prefix = f"t{uuid.uuid4().hex}"
    # Two app instances (two workers) with the same Redis storage share one budget.
    first = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379", RATELIMIT_KEY_PREFIX=prefix)
    first_client = Client(first.test_client())
    for i in range(10):
        assert _sign_in_attempt(first_client, f"r{i}@example.org", ip="10.9.9.9").status_code == 400
    second = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379", RATELIMIT_KEY_PREFIX=prefix)
    second_client = Client(second.test_client())
    assert _sign_in_attempt(second_client, "r10@example.org", ip="10.9.9.9").status_code == 429


def test_generic_messages_do_not_reveal_registered_emails(client, learner, instance_path):
    known = client.post("/forgot-password", {"email": learner.email}).get_data(as_text=True)
    unknown = client.post("/forgot-password", {"email": "nobody@example.org"}).get_data(as_text=True)
    strip = lambda body: body.replace(learner.email, "X").replace("nobody@example.org", "X")  # noqa: E731
    import re

    scrub = lambda body: re.sub(r'(nonce|value)="[^"]*"', "", strip(body))  # noqa: E731
    assert scrub(known) == scrub(unknown)


def test_common_password_list_is_large_and_used():
    from leadership.auth import service

    words = service.common_passwords()
    assert len(words) > 10_000
    assert {"password", "123456", "qwertyuiop", "iloveyou"} <= words
    assert not any(w.startswith("#") for w in words)
    assert service.password_problem("qwertyuiop") is not None
    assert service.password_problem("1q2w3e4r5t") is not None
    assert service.password_problem("kettle-river-lamp-42") is None
