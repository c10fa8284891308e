"""F5 (security test): changing the email, the password or the authenticator needs
re-authentication, and the old address is told, with a "This wasn't me" link.

The report: a fully signed-in session (for example a stolen cookie) could replace the
authenticator (GET the set-up page, POST a code for the new key) and change the email (POST
/account with name, email and the CSRF token), with no password asked and nothing sent;
then reset the password through the new address: a lasting takeover.
"""
from __future__ import annotations

import pyotp
import sqlalchemy as sa
from bs4 import BeautifulSoup

from support import DEFAULT_PASSWORD, Client, link_in, outbox_messages, text


def _user(db_session, user_id):
    from leadership.auth.models import User

    db_session.expire_all()
    return db_session.get(User, user_id)


def _mail(instance_path, to, subject_part):
    found = [m for m in outbox_messages(instance_path) if m["To"] == to and subject_part in m["Subject"]]
    assert found, [(m["To"], m["Subject"]) for m in outbox_messages(instance_path)]
    return found[-1]


def _actions(db_session, user_id):
    from leadership.audit import AuditEvent

    return [e.action for e in db_session.scalars(sa.select(AuditEvent).where(AuditEvent.actor_id == user_id)
                                                 .order_by(AuditEvent.id))]


def _setup_form(client):
    page = BeautifulSoup(client.get("/sign-in/two-factor/set-up").data, "html.parser")
    secret = page.select_one("code.app-secret").get_text().replace(" ", "")
    return secret, page


def test_replacing_the_authenticator_needs_the_password_and_tells_the_owner(app, make_user, db_session,
                                                                            instance_path):
    trainer = make_user("trainer", email="trainer2@example.org")
    client = Client(app.test_client())
    client.sign_in(trainer.email)
    old_secret = _user(db_session, trainer.id).totp_secret
    secret, page = _setup_form(client)
    assert page.find("input", {"name": "password"}) is not None
    # The report's attack: the code for the new key, and nothing else.
    refused = client.post("/sign-in/two-factor/set-up", {"code": pyotp.TOTP(secret).now()})
    assert refused.status_code == 400 and "Enter your password" in text(BeautifulSoup(refused.data, "html.parser"))
    assert _user(db_session, trainer.id).totp_secret == old_secret
    wrong = client.post("/sign-in/two-factor/set-up", {"code": pyotp.TOTP(secret).now(), "password": "not-it-at-all"})
    assert wrong.status_code == 400 and _user(db_session, trainer.id).totp_secret == old_secret
    assert outbox_messages(instance_path) == []

    ok = client.post("/sign-in/two-factor/set-up", {"code": pyotp.TOTP(secret).now(), "password": DEFAULT_PASSWORD})
    assert ok.status_code == 200
    assert _user(db_session, trainer.id).totp_secret == secret
    notice = _mail(instance_path, trainer.email, "authenticator app for your Leadership Essentials account was changed")
    assert "/account/not-me/" in link_in(notice)
    assert "mfa.replace" in _actions(db_session, trainer.id)


def test_changing_the_email_needs_the_password_and_tells_the_old_address(app, learner, db_session, instance_path):
    client = Client(app.test_client())
    client.sign_in(learner.email)
    # The report's attack: name, new email and the CSRF token only.
    refused = client.post("/account", {"name": learner.name, "email": "attacker-controlled@example.org"})
    assert refused.status_code == 400
    assert "Enter your current password to change your email address" in text(BeautifulSoup(refused.data,
                                                                                              "html.parser"))
    wrong = client.post("/account", {"name": learner.name, "email": "attacker-controlled@example.org",
                                     "current_password": "not-the-password"})
    assert wrong.status_code == 400 and "Your current password is not right" in wrong.get_data(as_text=True)
    assert _user(db_session, learner.id).email == learner.email and outbox_messages(instance_path) == []

    assert client.post("/account", {"name": "Cllr Ada L", "email": learner.email}).status_code == 302  # name only
    assert _user(db_session, learner.id).name == "Cllr Ada L" and outbox_messages(instance_path) == []

    ok = client.post("/account", {"name": learner.name, "email": "new-home@example.org",
                                  "current_password": DEFAULT_PASSWORD})
    assert ok.status_code == 302
    notice = _mail(instance_path, learner.email, "asked to change the email address")
    body = notice.get_body(("plain",)).get_content()
    assert "new-home@example.org" in body and "/account/not-me/" in body
    assert _mail(instance_path, "new-home@example.org", "Confirm your new email address")
    assert "account.email_change.request" in _actions(db_session, learner.id)


def test_changing_the_password_tells_the_owner(app, learner, db_session, instance_path):
    client = Client(app.test_client())
    client.sign_in(learner.email)
    client.post("/account/password", {"current_password": DEFAULT_PASSWORD, "password": "fresh-meadow-copper"})
    assert "/account/not-me/" in link_in(_mail(instance_path, learner.email, "password was changed"))
    assert "account.password.change" in _actions(db_session, learner.id)


def test_this_was_not_me_undoes_a_takeover_by_email_change(app, learner, db_session, instance_path):
    """An attacker with the password and a session changes the address and confirms it; the
    owner's "This wasn't me" link puts the address back, signs every device out, and leads to a
    new password."""
    attacker = Client(app.test_client())
    attacker.sign_in(learner.email)
    attacker.post("/account", {"name": learner.name, "email": "attacker@example.org",
                               "current_password": DEFAULT_PASSWORD})
    confirm = link_in(_mail(instance_path, "attacker@example.org", "Confirm your new email address"))
    attacker.post(confirm.replace("http://localhost", ""), {})
    assert _user(db_session, learner.id).email == "attacker@example.org"

    not_me = link_in(_mail(instance_path, learner.email, "asked to change the email address"))
    owner = Client(app.test_client())
    page = owner.page(not_me.replace("http://localhost", ""))
    assert "Secure your account" in text(page)
    assert _user(db_session, learner.id).email == "attacker@example.org"  # a GET changes nothing
    response = owner.post(not_me.replace("http://localhost", ""), {})
    assert response.status_code == 302 and "/reset-password/" in response.headers["Location"]
    assert _user(db_session, learner.id).email == learner.email  # the address is the owner's again
    assert attacker.get("/account").status_code == 302  # the attacker is signed out
    reset = owner.post(response.headers["Location"], {"password": "owner-only-lantern"})
    assert reset.status_code == 302 and owner.get("/account").status_code == 200
    again = Client(app.test_client()).post(not_me.replace("http://localhost", ""), {}, token_from="/sign-in")
    assert again.status_code == 410  # single use
    assert "account.not_me" in _actions(db_session, learner.id)
    assert Client(app.test_client()).post("/sign-in", {"email": learner.email,
                                                      "password": DEFAULT_PASSWORD}).status_code == 400


def test_this_was_not_me_removes_an_authenticator_someone_else_set_up(app, make_user, db_session, instance_path):
    trainer = make_user("trainer")
    attacker = Client(app.test_client())
    attacker.sign_in(trainer.email)
    secret, _page = _setup_form(attacker)
    attacker.post("/sign-in/two-factor/set-up", {"code": pyotp.TOTP(secret).now(), "password": DEFAULT_PASSWORD})
    not_me = link_in(_mail(instance_path, trainer.email, "authenticator app")).replace("http://localhost", "")
    owner = Client(app.test_client())
    response = owner.post(not_me, {})
    assert response.status_code == 302 and "/reset-password/" in response.headers["Location"]
    assert _user(db_session, trainer.id).totp_secret is None  # set up again, by the owner, at next sign-in
    assert attacker.get("/author/").status_code == 302
    reset = owner.post(response.headers["Location"], {"password": "owner-only-lantern"})
    assert reset.status_code == 302 and reset.headers["Location"] == "/sign-in/two-factor/set-up"


def test_notice_links_survive_a_password_change(app, learner, db_session, instance_path):
    """An attacker who changes the password after the email must not kill the owner's link."""
    attacker = Client(app.test_client())
    attacker.sign_in(learner.email)
    attacker.post("/account", {"name": learner.name, "email": "attacker@example.org",
                               "current_password": DEFAULT_PASSWORD})
    attacker.post("/account/password", {"current_password": DEFAULT_PASSWORD, "password": "attacker-lantern-9"})
    not_me = link_in(_mail(instance_path, learner.email, "asked to change the email address"))
    assert Client(app.test_client()).get(not_me.replace("http://localhost", "")).status_code == 200
