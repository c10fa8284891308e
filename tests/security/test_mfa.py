"""Two-step verification (TOTP + recovery codes): required for staff, optional for learners."""
from __future__ import annotations

import re
import time

import pyotp
import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup

from support import TEST_TOTP_SECRET, Client, link_in, outbox_messages, text, totp_now


def _user(db_session, email):
    from leadership.auth.models import User

    db_session.expire_all()
    return db_session.scalar(sa.select(User).where(User.email == email))


def _password_step(client, email):
    response = client.post("/sign-in", {"email": email, "password": "correct-horse-battery"})
    assert response.status_code == 302
    return response.headers["Location"]


def _set_up(client, db_session, password=None):
    """Complete the set-up page as a person would: read the key shown as text, type a code
    (and, when already signed in, the password: setting up an authenticator needs it)."""
    page = BeautifulSoup(client.get("/sign-in/two-factor/set-up").data, "html.parser")
    img = page.select_one("main img")
    assert img["src"].startswith("data:image/png;base64,") and img["alt"]
    secret = page.select_one("code.app-secret").get_text().replace(" ", "")
    form = {"code": pyotp.TOTP(secret).now()}
    if password is not None:
        form["password"] = password
    response = client.post("/sign-in/two-factor/set-up", form)
    assert response.status_code == 200, response.data[:1500]
    codes = [c.get_text() for c in BeautifulSoup(response.data, "html.parser").select(".app-recovery-codes code")]
    return secret, codes


@pytest.mark.parametrize("role", ["trainer", "council_admin", "lga_admin"])
def test_staff_without_mfa_must_set_it_up_before_anything_else(client, make_user, db_session, role):
    user = make_user(role, mfa=False)
    assert _password_step(client, user.email) == "/sign-in/two-factor/set-up"
    # Not signed in yet: every protected page sends them back to sign in.
    assert client.get("/account").status_code == 302
    assert "/sign-in" in client.get("/courses/").headers["Location"]
    page = client.page("/sign-in/two-factor/set-up")
    assert "Staff accounts must use two-step verification" in text(page)
    secret, codes = _set_up(client, db_session)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(re.fullmatch(r"[a-z2-9]{5}-[a-z2-9]{5}", c) for c in codes)
    assert client.get("/account").status_code == 200  # fully signed in now
    stored = _user(db_session, user.email)
    assert stored.totp_secret == secret and stored.mfa_enabled_at is not None
    from leadership.auth.models import RecoveryCode

    hashes = db_session.scalars(sa.select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)).all()
    assert len(hashes) == 10 and not set(codes) & set(hashes)  # only hashes are stored


def test_wrong_setup_code_is_refused_with_a_clear_message(client, make_user):
    user = make_user("trainer", mfa=False)
    _password_step(client, user.email)
    client.get("/sign-in/two-factor/set-up")
    response = client.post("/sign-in/two-factor/set-up", {"code": "000000"})
    assert response.status_code == 400
    assert "The code is not right" in response.get_data(as_text=True)
    assert client.get("/account").status_code == 302


def test_staff_with_mfa_must_enter_a_code(client, make_user):
    user = make_user("lga_admin")
    assert _password_step(client, user.email) == "/sign-in/two-factor"
    assert client.get("/admin/audit-log").status_code == 302  # half signed-in is not signed in
    wrong = client.post("/sign-in/two-factor", {"code": "123456"})
    assert wrong.status_code == 400 and "The security code is not right" in wrong.get_data(as_text=True)
    ok = client.post("/sign-in/two-factor", {"code": totp_now(user.email)})
    assert ok.status_code == 302
    assert client.get("/admin/audit-log").status_code == 200


def test_a_code_cannot_be_replayed(app, make_user):
    user = make_user("trainer")
    code = totp_now(user.email)
    first, second = Client(app.test_client()), Client(app.test_client())
    _password_step(first, user.email)
    _password_step(second, user.email)
    assert first.post("/sign-in/two-factor", {"code": code}).status_code == 302
    replay = second.post("/sign-in/two-factor", {"code": code})
    assert replay.status_code == 400 and "already been used" in replay.get_data(as_text=True)


def test_codes_from_the_previous_step_only_while_in_window(app, make_user, db_session):
    from leadership.auth import mfa

    user = _user(db_session, make_user("trainer").email)
    now = time.time()
    totp = pyotp.TOTP(TEST_TOTP_SECRET)
    assert mfa.matching_step(TEST_TOTP_SECRET, totp.at(now - 30), now) is not None
    assert mfa.matching_step(TEST_TOTP_SECRET, totp.at(now - 120), now) is None
    assert mfa.verify_totp(db_session, user, totp.at(now), now)
    assert not mfa.verify_totp(db_session, user, totp.at(now - 30), now)  # older step than one already used


def test_recovery_code_works_once(client, make_user, db_session):
    user = make_user("council_admin", mfa=False)
    _password_step(client, user.email)
    _secret, codes = _set_up(client, db_session)
    client.post("/sign-out", token_from="/account")
    _password_step(client, user.email)
    response = client.post("/sign-in/two-factor", {"code": codes[0].upper()})
    assert response.status_code == 302
    assert "You have 9 left" in text(client.page("/reports/councils/CRF"))
    client.post("/sign-out", token_from="/account")
    _password_step(client, user.email)
    assert client.post("/sign-in/two-factor", {"code": codes[0]}).status_code == 400


def test_emailed_sign_in_link_does_not_bypass_mfa(client, make_user, instance_path):
    user = make_user("lga_admin")
    client.post("/sign-in/email-link", {"email": user.email})
    link = link_in(outbox_messages(instance_path)[-1]).replace("http://localhost", "")
    response = client.post(link, {})
    assert response.status_code == 302 and response.headers["Location"] == "/sign-in/two-factor"
    assert client.get("/admin/audit-log").status_code == 302


def test_password_reset_does_not_bypass_mfa(client, make_user, instance_path):
    user = make_user("trainer")
    client.post("/forgot-password", {"email": user.email})
    link = link_in(outbox_messages(instance_path)[-1]).replace("http://localhost", "")
    response = client.post(link, {"password": "new-lantern-harbour-7"})
    assert response.status_code == 302 and response.headers["Location"] == "/sign-in/two-factor"
    assert client.get("/author/").status_code == 302


def test_staff_session_without_second_factor_is_refused_by_requires(app, client, learner, db_session):
    """A learner promoted to trainer while signed in must pass the second factor first."""
    from leadership.auth.models import User

    client.sign_in(learner.email)
    db_session.execute(sa.update(User).where(User.id == learner.id).values(role="trainer"))
    db_session.commit()
    response = client.get("/author/")
    assert response.status_code == 302 and response.headers["Location"] == "/sign-in/two-factor/set-up"
    assert client.get("/account").status_code == 302  # signed out until set up


def test_learner_mfa_is_optional_then_enforced(client, learner, db_session):
    client.sign_in(learner.email)
    assert "Two-step verification" in text(client.page("/account"))
    assert "is off" in text(client.page("/account/two-factor"))
    _secret, codes = _set_up(client, db_session, password="correct-horse-battery")
    assert len(codes) == 10
    client.post("/sign-out", token_from="/account")
    assert _password_step(client, learner.email) == "/sign-in/two-factor"
    client.post("/sign-in/two-factor", {"code": totp_now(learner.email)})
    # Turn it off again with the password.
    wrong = client.post("/account/two-factor/turn-off", {"password": "nope-nope-nope"})
    assert wrong.status_code == 400
    ok = client.post("/account/two-factor/turn-off", {"password": "correct-horse-battery"})
    assert ok.status_code == 302
    assert _user(db_session, learner.email).totp_secret is None
    client.post("/sign-out", token_from="/account")
    assert _password_step(client, learner.email) == "/courses/"


def test_new_recovery_codes_need_a_current_code(client, make_user, db_session):
    user = make_user("trainer")
    client.sign_in(user.email)
    assert client.post("/account/two-factor/recovery-codes", {"code": "000000"}).status_code == 400
    response = client.post("/account/two-factor/recovery-codes", {"code": totp_now(user.email)})
    assert response.status_code == 200
    assert len(BeautifulSoup(response.data, "html.parser").select(".app-recovery-codes code")) == 10


def test_pending_sign_in_expires(client, make_user):
    user = make_user("trainer")
    _password_step(client, user.email)
    with client.raw.session_transaction() as sess:
        sess["mfa_pending"]["at"] -= 11 * 60
        sess.modified = True
    response = client.post("/sign-in/two-factor", {"code": totp_now(user.email)}, token_from="/sign-in")
    assert response.status_code == 302 and response.headers["Location"] == "/sign-in"


def test_demo_accounts_print_an_authenticator_key_for_staff(app, db_session):
    result = app.test_cli_runner().invoke(args=["demo", "accounts"])
    assert result.exit_code == 0, result.output
    assert "otpauth://totp/" in result.output
    staff_lines = [line for line in result.output.splitlines() if "trainer@example.org" in line]
    assert staff_lines
    assert _user(db_session, "trainer@example.org").totp_secret
    assert _user(db_session, "councillor@example.org").totp_secret is None
