"""F12 (security test): an account's email address is proved to be its owner's.

The report: ``POST /register`` signed the user straight in, so accounts and certificates could
be made for any address, and the profile's email change was unverified. Now registration
creates the account only when the link sent to the address is used (and that link signs the
councillor in, the same day), an email change applies only when the link sent to the new
address is used, and certificates are never issued to an unconfirmed address.
"""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from support import DEFAULT_PASSWORD, Client, confirm_registration, link_in, outbox_messages, text

FORM = {"name": "Cllr Ada Lovelace", "council": "Cardiff", "password": "kettle-river-lamp-42"}


def _users(db_session):
    from leadership.auth.models import User

    db_session.expire_all()
    return db_session.scalars(sa.select(User)).all()


def _confirmations(instance_path, to):
    return [link_in(m).replace("http://localhost", "") for m in outbox_messages(instance_path)
            if m["To"] == to and m["Subject"] == "Confirm your email address for Leadership Essentials"]


def test_registering_someone_elses_address_creates_nothing_without_their_link(app, db_session, instance_path):
    attacker = Client(app.test_client())
    response = attacker.post("/register", {**FORM, "email": "bristol@example.org"})
    assert response.status_code == 200 and "Check your email" in text(client_page(response))
    assert attacker.get("/courses/").status_code == 302  # not signed in
    assert _users(db_session) == []
    # The real owner registers too (the attacker's attempt does not hold the address); their
    # link creates the account, and the attacker's link is then of no use.
    owner = Client(app.test_client())
    confirm_registration(owner, owner.post("/register", {**FORM, "name": "Cllr Real Owner",
                                                         "email": "bristol@example.org"}), "bristol@example.org")
    [user] = _users(db_session)
    assert user.name == "Cllr Real Owner" and user.email_verified_at is not None
    first_link = _confirmations(instance_path, "bristol@example.org")[0]
    stale = Client(app.test_client()).post(first_link, {}, token_from="/sign-in")
    assert stale.status_code == 400  # the other pending registration for the address is gone...
    assert "This link is not valid" in stale.get_data(as_text=True)
    assert len(_users(db_session)) == 1  # ...and made no second account


def client_page(response):
    from bs4 import BeautifulSoup

    return BeautifulSoup(response.data, "html.parser")


def test_the_confirmation_link_signs_in_the_same_day_works_once_and_expires(app, db_session, instance_path):
    from leadership.auth.models import PendingRegistration
    from leadership.db import utcnow

    client = Client(app.test_client())
    client.post("/register", {**FORM, "email": "ada@example.org"})
    [link] = _confirmations(instance_path, "ada@example.org")
    page = client.page(link)
    assert "Confirm your email address" in text(page)
    assert _users(db_session) == []  # a GET (a mail scanner) creates nothing
    response = client.post(link, {})
    assert response.status_code == 302 and response.headers["Location"] == "/courses/"
    assert "Your email address is confirmed and your account is ready" in text(client.page("/courses/"))
    assert client.post(link, {}, token_from="/account").status_code == 410

    other = Client(app.test_client())
    other.post("/register", {**FORM, "email": "late@example.org"})
    [late] = _confirmations(instance_path, "late@example.org")
    db_session.execute(sa.update(PendingRegistration).values(expires_at=utcnow() - timedelta(minutes=1)))
    db_session.commit()
    expired = other.get(late)
    assert expired.status_code == 410 and "This link has expired" in expired.get_data(as_text=True)
    assert [u.email for u in _users(db_session)] == ["ada@example.org"]


def test_an_email_change_applies_only_through_the_link_sent_to_the_new_address(app, learner, db_session,
                                                                                instance_path):
    client = Client(app.test_client())
    client.sign_in(learner.email)
    response = client.post("/account", {"name": learner.name, "email": "attacker-controlled@example.org",
                                        "current_password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert "We have sent a link to attacker-controlled@example.org" in text(client.page("/account"))
    [user] = _users(db_session)
    assert user.email == learner.email  # nothing changes yet
    [link] = [link_in(m).replace("http://localhost", "") for m in outbox_messages(instance_path)
              if m["To"] == "attacker-controlled@example.org"]
    assert Client(app.test_client()).get(link).status_code == 200  # a GET changes nothing
    assert _users(db_session)[0].email == learner.email
    assert Client(app.test_client()).post(link, {}).status_code == 302  # the owner of the new mailbox
    assert _users(db_session)[0].email == "attacker-controlled@example.org"
    assert Client(app.test_client()).post(link, {}, token_from="/sign-in").status_code == 410


def test_an_email_change_link_loses_to_an_account_that_took_the_address(app, learner, make_user, db_session,
                                                                         instance_path):
    client = Client(app.test_client())
    client.sign_in(learner.email)
    client.post("/account", {"name": learner.name, "email": "wanted@example.org",
                             "current_password": DEFAULT_PASSWORD})
    [link] = [link_in(m).replace("http://localhost", "") for m in outbox_messages(instance_path)
              if m["To"] == "wanted@example.org"]
    make_user(email="wanted@example.org")
    response = client.post(link, {})
    assert response.status_code == 409 and "An account already uses this email address" in text(client_page(response))
    assert {u.email for u in _users(db_session)} == {learner.email, "wanted@example.org"}


def test_users_create_and_demo_accounts_are_verified(app, db_session):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["users", "create", "--email", "staff@example.org", "--role", "trainer",
                               "--council", "CRF", "--password", "trainer-kettle-lamp"]).exit_code == 0
    assert runner.invoke(args=["demo", "accounts"]).exit_code == 0
    assert all(u.email_verified_at is not None for u in _users(db_session))
    assert len(_users(db_session)) == 5
