"""F2 (security test): signing out ends the session on the server.

The report: copy the ``session`` cookie, ``POST /sign-out``, then replay the copy:
``/account`` still answered 200 (learners: no server-side bound at all; staff: until the idle
limit). Now the cookie names a server-side session that sign-out deletes, without signing the
user out of their other devices; learner sessions also end after LEARNER_SESSION_DAYS.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from support import Client, text


def _replay(app, cookie: str):
    attacker = app.test_client()
    attacker.set_cookie("session", cookie, domain="localhost")
    return attacker


def _rows(db_session, user):
    from leadership.auth.models import UserSession

    db_session.expire_all()
    return db_session.scalars(sa.select(UserSession).where(UserSession.user_id == user.id)).all()


@pytest.mark.parametrize("role,page", [("learner", "/account"), ("trainer", "/author/"),
                                       ("council_admin", "/reports/councils/CRF"), ("lga_admin", "/admin/audit-log")])
def test_a_cookie_copied_before_sign_out_is_refused_after_it(app, make_user, role, page):
    user = make_user(role)
    client = Client(app.test_client())
    client.sign_in(user.email)
    assert client.get(page).status_code == 200
    copied = client.raw.get_cookie("session").value
    assert _replay(app, copied).get(page).status_code == 200  # the copy works while signed in...
    assert client.post("/sign-out", token_from="/account").status_code == 302
    replayed = _replay(app, copied).get(page)
    assert replayed.status_code == 302 and replayed.headers["Location"].startswith("/sign-in")  # ...not after


def test_signing_out_leaves_other_devices_signed_in(app, learner, db_session):
    laptop, phone = Client(app.test_client()), Client(app.test_client())
    laptop.sign_in(learner.email)
    phone.sign_in(learner.email)
    assert len(_rows(db_session, learner)) == 2
    laptop.post("/sign-out", token_from="/account")
    assert laptop.get("/account").status_code == 302
    assert phone.get("/account").status_code == 200
    assert len(_rows(db_session, learner)) == 1


def test_the_cookie_carries_a_random_id_and_the_database_only_its_hash(app, learner, db_session):
    client = Client(app.test_client())
    client.sign_in(learner.email)
    with client.raw.session_transaction() as s:
        raw = s["_user_id"]
    assert str(learner.id) not in raw.split(":") and len(raw) >= 40
    [row] = _rows(db_session, learner)
    assert row.id_hash != raw and len(row.id_hash) == 64


def test_learner_sessions_have_an_absolute_lifetime(app, learner, db_session, make_user):
    from leadership.auth.models import UserSession

    client = Client(app.test_client())
    client.sign_in(learner.email)
    [row] = _rows(db_session, learner)
    assert row.expires_at - row.created_at == timedelta(days=30)
    trainer = make_user("trainer")
    Client(app.test_client()).sign_in(trainer.email)
    [staff_row] = _rows(db_session, trainer)
    assert staff_row.expires_at - staff_row.created_at == timedelta(hours=12)

    db_session.execute(sa.update(UserSession).where(UserSession.id_hash == row.id_hash)
                       .values(created_at=row.created_at - timedelta(days=31),
                               expires_at=row.expires_at - timedelta(days=31)))
    db_session.commit()
    response = client.get("/courses/")
    assert response.status_code == 302 and response.headers["Location"] == "/sign-in"
    assert "You have been signed out because you signed in more than 30 days ago" in text(client.page("/sign-in"))
    assert _rows(db_session, learner) == []  # the expired row is gone too
    assert client.sign_in(learner.email).headers["Location"] == "/courses/"


def test_staff_idle_limit_is_kept_on_the_server_too(app, make_user, db_session):
    from leadership.auth.models import UserSession
    from leadership.db import utcnow

    trainer = make_user("trainer")
    client = Client(app.test_client())
    client.sign_in(trainer.email)
    db_session.execute(sa.update(UserSession).values(last_seen_at=utcnow() - timedelta(minutes=31)))
    db_session.commit()
    assert client.get("/author/").status_code == 302
    assert "inactive for 30 minutes" in text(client.page("/sign-in"))


def test_everywhere_password_change_reset_and_deletion_remove_every_session(app, make_user, db_session,
                                                                              instance_path):
    from support import DEFAULT_PASSWORD, link_in, outbox_messages

    user = make_user("learner", email="many@example.org")
    devices = [Client(app.test_client()) for _ in range(3)]
    for device in devices:
        device.sign_in(user.email)
    devices[0].post("/account/sign-out-everywhere", token_from="/account")
    assert _rows(db_session, user) == []

    for device in devices:
        device.sign_in(user.email)
    devices[0].post("/account/password", {"current_password": DEFAULT_PASSWORD, "password": "fresh-meadow-copper"})
    assert len(_rows(db_session, user)) == 1  # only the device that changed it, on a new session
    assert devices[0].get("/account").status_code == 200 and devices[1].get("/account").status_code == 302

    devices[1].sign_in(user.email, "fresh-meadow-copper")
    Client(app.test_client()).post("/forgot-password", {"email": user.email})
    link = link_in(outbox_messages(instance_path)[-1]).replace("http://localhost", "")
    reset = Client(app.test_client())
    assert reset.post(link, {"password": "another-lantern-harbour"}).status_code == 302
    assert len(_rows(db_session, user)) == 1  # only the session the reset signed in
    assert devices[0].get("/account").status_code == 302 and devices[1].get("/account").status_code == 302

    reset.post("/account/delete", {"password": "another-lantern-harbour", "confirm": "yes"})
    assert _rows(db_session, user) == []
