"""Registration, sign-in, emailed links, password reset and profile, through real HTTP."""
from datetime import timedelta

import sqlalchemy as sa

from support import DEFAULT_PASSWORD, Client, confirm_registration, link_in, outbox_messages, text


def register(client, **overrides):
    data = {"name": "Cllr Ada Lovelace", "email": "ada@example.org", "council": "Cardiff",
            "password": "kettle-river-lamp-42"}
    data.update(overrides)
    return client.post("/register", data)


def users(db_session):
    from leadership.auth.models import User

    return db_session.scalars(sa.select(User)).all()


def test_register_confirms_the_address_then_signs_in_and_shows_the_course(client, db_session, instance_path):
    response = register(client)
    assert users(db_session) == []  # no account until the address is confirmed
    assert client.get("/courses/").status_code == 302  # and nobody is signed in
    [message] = outbox_messages(instance_path)
    assert message["To"] == "ada@example.org"
    assert message["Subject"] == "Confirm your email address for Leadership Essentials"
    response = confirm_registration(client, response, "ada@example.org")
    assert response.status_code == 302 and response.headers["Location"] == "/courses/"
    page = client.page("/courses/")
    assert "Digital leadership" in text(page)
    [user] = users(db_session)
    assert user.council.code == "CRF" and user.role == "learner"
    assert user.password_hash.startswith("pbkdf2:sha256:1000$") and "kettle" not in user.password_hash
    assert user.email_verified_at is not None
    assert client.post(link_in(message).replace("http://localhost", ""), {}).status_code == 410  # used once


def test_production_passwords_are_hashed_with_salted_scrypt(tmp_path):
    from flask import Flask
    from werkzeug.security import check_password_hash, generate_password_hash

    from leadership.config import load_config

    bare = Flask("probe", instance_path=str(tmp_path))
    load_config(bare)
    assert bare.config["PASSWORD_HASH_METHOD"] == "scrypt"
    first, second = (generate_password_hash("kettle-river-lamp", method="scrypt") for _ in range(2))
    assert first.startswith("scrypt:") and first != second  # salted
    assert check_password_hash(first, "kettle-river-lamp")


def test_register_with_full_council_name(client, db_session):
    response = register(client, council="City of Cardiff Council")
    assert confirm_registration(client, response, "ada@example.org").status_code == 302
    assert users(db_session)[0].council.code == "CRF"


def test_register_ambiguous_council_offers_choices_then_accepts_one(client, db_session):
    response = register(client, council="Bor")
    assert response.status_code == 400
    from bs4 import BeautifulSoup

    page = BeautifulSoup(response.data, "html.parser")
    radios = page.select("input[name=council_code]")
    assert len(radios) > 1
    assert "Choose your council from the list" in text(page)
    code = radios[0]["value"]
    response = register(client, council="Bor", council_code=code)
    assert confirm_registration(client, response, "ada@example.org").status_code == 302
    assert users(db_session)[0].council.code == code


def test_register_unknown_council(client, db_session):
    response = register(client, council="Atlantis Borough")
    assert response.status_code == 400
    assert "We could not find a council called ‘Atlantis Borough’" in response.get_data(as_text=True)
    assert users(db_session) == []


def test_register_with_an_existing_email_answers_the_same_and_tells_the_owner(client, learner, db_session,
                                                                              instance_path):
    """No enumeration (pen test F10): the page is the one a new address gets, and the owner of
    the address is emailed how to sign in instead. Nothing changes on the account."""
    response = register(client, email="ADA@example.org ")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Check your email" in body and "An account already uses" not in body
    assert len(users(db_session)) == 1
    [message] = outbox_messages(instance_path)
    assert message["To"] == "ada@example.org"
    assert message["Subject"] == "You already have a Leadership Essentials account"
    content = message.get_body(("plain",)).get_content()
    assert "http://localhost/sign-in" in content and "http://localhost/forgot-password" in content


def test_register_weak_and_common_passwords(client, db_session):
    for password, message in [("short", "Password must be 10 characters or more"),
                              ("password123", "This password is too common"),
                              ("aaaaaaaaaaaa", "This password is too common")]:
        response = register(client, password=password)
        assert response.status_code == 400
        body = response.get_data(as_text=True)
        assert message in body and "Error:" in body and "govuk-error-summary" in body
    assert users(db_session) == []


def test_register_missing_fields_shows_error_summary(client):
    response = client.post("/register", {})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    for message in ("Enter your full name", "Enter your email address", "Enter the name of your council", "Enter a password"):
        assert message in body


def test_form_without_csrf_token_is_refused(client, db_session):
    response = client.raw.post("/register", data={"name": "x", "email": "x@example.org", "council": "Cardiff",
                                                  "password": "kettle-river-lamp-42"})
    assert response.status_code == 400
    assert "Your form could not be sent" in response.get_data(as_text=True)
    assert users(db_session) == []


def test_sign_in_wrong_password_is_generic(client, learner):
    wrong = client.post("/sign-in", {"email": learner.email, "password": "not-the-password"})
    unknown = client.post("/sign-in", {"email": "nobody@example.org", "password": "not-the-password"})
    assert wrong.status_code == unknown.status_code == 400
    assert "The email address or password is not right" in wrong.get_data(as_text=True)
    assert "The email address or password is not right" in unknown.get_data(as_text=True)


def test_sign_in_and_out(client, learner):
    client.sign_in(learner.email)
    assert client.get("/courses/").status_code == 200
    response = client.post("/sign-out", token_from="/courses/")
    assert response.status_code == 302
    assert client.get("/courses/").status_code == 302


def test_sign_in_redirects_back_to_a_safe_next_only(client, learner):
    client.get("/sign-in?next=/account")
    assert client.sign_in(learner.email).headers["Location"] == "/account"
    client.post("/sign-out", token_from="/courses/")
    client.get("/sign-in?next=//evil.example/")
    assert client.sign_in(learner.email).headers["Location"] == "/courses/"


def test_email_link_sign_in_works_once(client, learner, instance_path):
    response = client.post("/sign-in/email-link", {"email": learner.email})
    assert "Check your email" in response.get_data(as_text=True)
    [message] = outbox_messages(instance_path)
    assert message["To"] == learner.email
    link = link_in(message).replace("http://localhost", "")
    assert client.get(link).status_code == 200  # shows a button; a mail scanner's GET uses nothing
    response = client.post(link, {})
    assert response.status_code == 302 and response.headers["Location"] == "/courses/"
    client.post("/sign-out", token_from="/courses/")
    again = client.get(link)
    assert again.status_code == 410 and "already been used" in again.get_data(as_text=True)


def test_email_link_for_unknown_address_sends_nothing_and_says_the_same(client, instance_path):
    response = client.post("/sign-in/email-link", {"email": "nobody@example.org"})
    assert response.status_code == 200 and "Check your email" in response.get_data(as_text=True)
    assert outbox_messages(instance_path) == []


def _reset_link(client, learner, instance_path):
    client.post("/forgot-password", {"email": learner.email})
    [message] = outbox_messages(instance_path)
    return link_in(message).replace("http://localhost", "")


def test_password_reset_changes_password_and_link_cannot_be_reused(client, learner, instance_path):
    link = _reset_link(client, learner, instance_path)
    response = client.post(link, {"password": "new-lantern-harbour-7"})
    assert response.status_code == 302
    client.post("/sign-out", token_from="/courses/")
    client.sign_in(learner.email, "new-lantern-harbour-7")
    reused = client.post(link, {"password": "another-lantern-99"}, token_from="/account")
    assert reused.status_code == 410 and "already been used" in reused.get_data(as_text=True)


def test_password_reset_link_expires(client, learner, instance_path, db_session):
    from leadership.auth.models import AuthToken

    link = _reset_link(client, learner, instance_path)
    from leadership.db import utcnow

    db_session.execute(sa.update(AuthToken).values(expires_at=utcnow() - timedelta(minutes=1)))
    db_session.commit()
    response = client.get(link)
    assert response.status_code == 410 and "This link has expired" in response.get_data(as_text=True)


def test_forged_reset_token_is_refused(client, learner):
    response = client.get("/reset-password/forged-token-value")
    assert response.status_code == 400 and "This link is not valid" in response.get_data(as_text=True)
    assert client.post("/reset-password/forged", {"password": "new-lantern-harbour-7"},
                       token_from="/sign-in").status_code == 400


def test_reset_link_dies_when_password_changes_another_way(client, learner, instance_path):
    link = _reset_link(client, learner, instance_path)
    client.sign_in(learner.email)
    client.post("/account/password", {"current_password": DEFAULT_PASSWORD, "password": "fresh-meadow-copper"})
    client.post("/sign-out", token_from="/courses/")
    assert client.get(link).status_code == 410


def test_change_password_signs_out_other_sessions(app, client, learner):
    from support import Client

    other = Client(app.test_client())
    other.sign_in(learner.email)
    client.sign_in(learner.email)
    wrong = client.post("/account/password", {"current_password": "nope-nope-nope", "password": "fresh-meadow-copper"})
    assert wrong.status_code == 400 and "Your current password is not right" in wrong.get_data(as_text=True)
    ok = client.post("/account/password", {"current_password": DEFAULT_PASSWORD, "password": "fresh-meadow-copper"})
    assert ok.status_code == 302
    assert client.get("/courses/").status_code == 200  # this session was rotated and continues
    assert other.get("/courses/").status_code == 302  # the other device is signed out


def test_profile_change_name_and_email(client, learner, make_user, db_session, instance_path):
    make_user(email="taken@example.org")
    client.sign_in(learner.email)
    taken = client.post("/account", {"name": "Ada L", "email": "taken@example.org",
                                     "current_password": DEFAULT_PASSWORD})
    assert taken.status_code == 400
    ok = client.post("/account", {"name": "Cllr Ada King", "email": "ada.king@example.org",
                                  "current_password": DEFAULT_PASSWORD})
    assert ok.status_code == 302, ok.data
    assert "Cllr Ada King" in client.get("/account").get_data(as_text=True)  # the name changes at once
    assert next(u for u in users(db_session) if u.id == learner.id).email == learner.email  # not before confirming
    confirm = next(m for m in outbox_messages(instance_path) if m["To"] == "ada.king@example.org")
    link = link_in(confirm).replace("http://localhost", "")
    assert client.get(link).status_code == 200
    assert client.post(link, {}).status_code == 302
    client.post("/sign-out", token_from="/courses/")
    client.sign_in("ada.king@example.org")


def test_sign_out_everywhere(app, client, learner):
    from support import Client

    other = Client(app.test_client())
    other.sign_in(learner.email)
    client.sign_in(learner.email)
    client.post("/account/sign-out-everywhere", token_from="/account")
    assert other.get("/courses/").status_code == 302
    assert client.get("/courses/").status_code == 302


def test_mail_failure_is_queued_and_the_answer_is_the_same(make_app, learner, instance_path, db_session):
    """SMTP down: the reset link is queued for `flask mail retry`. The person is not told, since
    only a registered address has mail to send and saying so would reveal it (pen test F10);
    the page says what to do if the email does not arrive."""
    from leadership.mail import OutboxMessage

    app = make_app(MAIL_SMTP_HOST="127.0.0.1", MAIL_SMTP_PORT=9)  # nothing listens on the discard port
    client = Client(app.test_client())
    response = client.post("/forgot-password", {"email": learner.email})
    unknown = client.post("/forgot-password", {"email": "nobody@example.org"})
    assert response.status_code == unknown.status_code == 200
    body = response.get_data(as_text=True)
    assert "Check your email" in body and "If the email does not arrive" in body
    assert "We could not send the email just now" not in body
    [queued] = db_session.scalars(sa.select(OutboxMessage)).all()
    assert queued.to_address == learner.email and queued.sent_at is None and queued.expires_at is not None


def test_users_create_command(app, db_session):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create", "--email", "t@example.org", "--role", "trainer",
                                 "--council", "CRF", "--password", "trainer-kettle-lamp"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["users", "create", "--email", "t@example.org", "--password", "trainer-kettle-lamp"])
    assert result.exit_code == 1 and "already uses this email" in result.output
