"""F10 (security test): the account forms do not reveal which addresses have accounts.

The report: registration answered "An account already uses this email address", and the
emailed-link and reset forms, though worded the same, took longer for registered addresses
(issuing the token and writing the mail). No timing is measured here; it is proved
structurally: for a registered and an unknown address each form gives the same status and
body, and runs the same number and kinds of SQL statements while the client waits. The
lookup, the token and the mail all happen after the response (``leadership.deferred``), which
the test also observes.
"""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from flask import request_finished, request_started

from support import Client, outbox_messages

KNOWN, UNKNOWN = "ada@example.org", "nobody-here@example.org"


def _shape(statement: str) -> str:
    """A statement's kind and tables ("SELECT user_account"), without its values."""
    words = " ".join(statement.split())
    verb = words.split(" ", 1)[0].upper()
    tables = re.findall(r'(?:FROM|INTO|UPDATE|JOIN)\s+"?([a-z_]+)"?', words, re.I)
    return " ".join([verb, *tables])


def _observe(app, client, url, data):
    """(response, statements while the request ran, statements after it was sent)."""
    engine = app.extensions["database"].engine
    log: list[str] = []
    marks: dict[str, int] = {}

    def on_statement(_conn, _cursor, statement, *_args):
        log.append(_shape(statement))

    def on_started(_sender, **_extra):
        marks["start"] = len(log)

    def on_finished(_sender, **_extra):
        marks["end"] = len(log)

    token = client.csrf_token(url)  # its own request, before the one observed
    sa.event.listen(engine, "before_cursor_execute", on_statement)
    request_started.connect(on_started, app)
    request_finished.connect(on_finished, app)
    try:
        response = client.post(url, {**data, "csrf_token": token})  # buffered: deferred work has run too
    finally:
        sa.event.remove(engine, "before_cursor_execute", on_statement)
        request_started.disconnect(on_started, app)
        request_finished.disconnect(on_finished, app)
    return response, log[marks["start"]:marks["end"]], log[marks["end"]:]


def _page(response, *values) -> str:
    body = re.sub(r'nonce="[^"]+"', 'nonce=""', response.get_data(as_text=True))
    body = re.sub(r"'nonce-[^']+'", "", body)
    for value in values:
        body = body.replace(value, "VALUE")
    return body


@pytest.mark.parametrize("url", ["/sign-in/email-link", "/forgot-password"])
def test_emailed_link_forms_do_the_same_work_for_known_and_unknown_addresses(app, make_user, instance_path, url):
    make_user(email=KNOWN)
    known, known_during, known_after = _observe(app, Client(app.test_client()), url, {"email": KNOWN})
    unknown, unknown_during, unknown_after = _observe(app, Client(app.test_client()), url, {"email": UNKNOWN})

    assert known.status_code == unknown.status_code == 200
    assert _page(known, KNOWN) == _page(unknown, UNKNOWN)
    assert known_during == unknown_during  # the same statements, in the same order, while the client waits
    assert not any("auth_token" in s or "user_account" in s for s in known_during)
    # The work did happen, after the response: the lookup for both, the token for the known one.
    assert "SELECT user_account council" in known_after and "SELECT user_account council" in unknown_after
    assert any(s.startswith("INSERT auth_token") for s in known_after)
    assert not any(s.startswith("INSERT auth_token") for s in unknown_after)
    assert [m["To"] for m in outbox_messages(instance_path)] == [KNOWN]


def test_registration_does_the_same_work_and_says_the_same_for_known_and_unknown_addresses(app, make_user,
                                                                                          instance_path):
    make_user(email=KNOWN)
    form = {"name": "Cllr Someone", "council": "Cardiff", "password": "kettle-river-lamp-42"}
    known, known_during, known_after = _observe(app, Client(app.test_client()), "/register",
                                                {**form, "email": KNOWN})
    unknown, unknown_during, unknown_after = _observe(app, Client(app.test_client()), "/register",
                                                      {**form, "email": UNKNOWN})

    assert known.status_code == unknown.status_code == 200
    assert _page(known, KNOWN) == _page(unknown, UNKNOWN)
    assert "Check your email" in known.get_data(as_text=True)
    assert "An account already uses" not in known.get_data(as_text=True)
    assert known_during == unknown_during
    assert not any("user_account" in s or "pending_registration" in s for s in known_during)
    assert any(s.startswith("INSERT pending_registration") for s in unknown_after)
    assert not any(s.startswith("INSERT pending_registration") for s in known_after)
    subjects = {m["To"]: m["Subject"] for m in outbox_messages(instance_path)}
    assert subjects == {KNOWN: "You already have a Leadership Essentials account",
                        UNKNOWN: "Confirm your email address for Leadership Essentials"}


def test_a_failing_job_never_reaches_the_client(app, monkeypatch, caplog):
    """Work after the response is logged when it fails; the client already has its answer."""
    from leadership.auth import emails

    def broken(**_kwargs):
        raise RuntimeError("mail job broke")

    monkeypatch.setattr(emails, "send_link", broken)
    response = Client(app.test_client()).post("/sign-in/email-link", {"email": KNOWN})
    assert response.status_code == 200
    assert "deferred job broken failed" in caplog.text and "mail job broke" in caplog.text
