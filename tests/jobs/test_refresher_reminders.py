"""Refresher reminders 60 and 14 days before a certificate expires, and one-click unsubscribe."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

import sqlalchemy as sa
from bs4 import BeautifulSoup

from jobhelp import issue, run_due, set_locale
from support import Client, outbox_messages

ISSUED = datetime(2027, 1, 12, 10, 0)  # expires 12 January 2028 (12 months)
EXPIRES = datetime(2028, 1, 12, 10, 0)
AT_8 = dict(hour=8, minute=0, second=0, microsecond=0)


def _on(day: datetime) -> datetime:
    return day.replace(**AT_8)


def _holder(queued_app, user, *, months=12, locale=None):
    if locale:
        set_locale(queued_app, user, locale)
    cert = issue(queued_app, user, issued_at=ISSUED, months=months)
    assert cert.expires_at == EXPIRES
    return cert


def _reminders(db_session):
    from leadership.notify.models import SendLog

    db_session.expire_all()
    return [(r.recipient, r.subject_key, r.step) for r in db_session.scalars(
        sa.select(SendLog).where(SendLog.kind == "refresher-reminder").order_by(SendLog.id))]


def test_reminders_60_and_14_days_before_expiry_each_once(queued_app, learner, instance_path, db_session):
    cert = _holder(queued_app, learner)
    assert "refresher-reminders: ok queued=0" in run_due(queued_app, _on(EXPIRES - timedelta(days=61))).output
    assert outbox_messages(instance_path) == []

    result = run_due(queued_app, _on(EXPIRES - timedelta(days=60)))
    assert result.exit_code == 0, result.output
    assert "refresher-reminders: ok queued=1" in result.output and "mail-send: ok sent=1" in result.output
    [first] = outbox_messages(instance_path)
    assert first["To"] == learner.email
    assert first["Subject"].strip() == "Your Digital leadership for councillors certificate expires on 12 January 2028"
    body = first.get_body(preferencelist=("plain",)).get_content()
    assert "expires on 12 January 2028, in 60 days." in body
    assert "http://localhost/courses/digital-leadership" in body

    for day in (59, 30, 15):  # the daily run on later days: the 60-day step is already sent
        assert "refresher-reminders: ok queued=0" in run_due(queued_app, _on(EXPIRES - timedelta(days=day))).output
    run_due(queued_app, _on(EXPIRES - timedelta(days=60)))  # a re-run of the same day: nothing
    assert len(outbox_messages(instance_path)) == 1

    assert "refresher-reminders: ok queued=1" in run_due(queued_app, _on(EXPIRES - timedelta(days=14))).output
    assert "refresher-reminders: ok queued=0" in run_due(queued_app, _on(EXPIRES - timedelta(days=14))).output
    assert len(outbox_messages(instance_path)) == 2
    assert _reminders(db_session) == [(f"user:{learner.id}", f"certificate:{cert.id}", "60d"),
                                      (f"user:{learner.id}", f"certificate:{cert.id}", "14d")]
    assert "queued=0" in run_due(queued_app, _on(EXPIRES + timedelta(days=1))).output  # expired: nothing


def test_a_late_start_sends_only_the_nearest_step(queued_app, learner, instance_path, db_session):
    _holder(queued_app, learner)
    run_due(queued_app, _on(EXPIRES - timedelta(days=10)))
    assert [step for _r, _s, step in _reminders(db_session)] == ["14d"]
    assert len(outbox_messages(instance_path)) == 1


def test_the_reminder_is_in_welsh_for_a_welsh_speaking_holder(queued_app, learner, instance_path):
    _holder(queued_app, learner, locale="cy")
    run_due(queued_app, _on(EXPIRES - timedelta(days=14)))
    [message] = outbox_messages(instance_path)
    assert message["Subject"].strip() == (
        "Mae eich tystysgrif Arweinyddiaeth ddigidol i gynghorwyr yn dod i ben ar 12 Ionawr 2028")
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "yn dod i ben ar 12 Ionawr 2028, ymhen 14 diwrnod." in body
    assert "I atal nodiadau atgoffa" in body and "expires" not in body


def test_no_reminder_when_deactivated_revoked_renewed_or_opted_out(queued_app, make_user, instance_path,
                                                                  db_session):
    from leadership.auth.models import User
    from leadership.certificates.models import Certificate
    from leadership.notify.optout import opt_out

    gone, revoked, renewed, opted, reminded = (make_user(name=f"Cllr {n}") for n in "ABCDE")
    certs = {u.id: _holder(queued_app, u) for u in (gone, revoked, renewed, opted, reminded)}
    db_session.execute(sa.update(User).where(User.id == gone.id).values(deleted_at=ISSUED))
    db_session.execute(sa.update(Certificate).where(Certificate.id == certs[revoked.id].id)
                       .values(revoked_at=ISSUED, revoked_reason="issued in error"))
    db_session.add(Certificate(code="RENEWEDCODE2345", user_id=renewed.id, course_slug="digital-leadership", cycle=2,
                               course_title="Digital leadership for councillors", content_version="v2",
                               holder_name="Cllr C", council_id=renewed.council_id, language="en",
                               issued_at=ISSUED + timedelta(days=200), expires_at=EXPIRES + timedelta(days=365)))
    db_session.commit()
    opt_out(db_session, f"user:{opted.id}", "refresher-reminder")
    run_due(queued_app, _on(EXPIRES - timedelta(days=14)))
    assert [m["To"] for m in outbox_messages(instance_path)] == [reminded.email]
    assert _reminders(db_session) == [(f"user:{reminded.id}", f"certificate:{certs[reminded.id].id}", "14d")]


def test_one_click_unsubscribe_from_the_email_stops_the_next_reminder(queued_app, learner, instance_path,
                                                                      db_session):
    from leadership.notify.models import EmailOptOut

    _holder(queued_app, learner)
    run_due(queued_app, _on(EXPIRES - timedelta(days=60)))
    [message] = outbox_messages(instance_path)
    header = message["List-Unsubscribe"]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = re.fullmatch(r"<(http://localhost/unsubscribe/[^>]+)>", header).group(1)
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert url in body  # the same link, for people: the footer of the text

    client = Client(queued_app.test_client())
    path = url.removeprefix("http://localhost")
    page = BeautifulSoup(client.get(path).data, "html.parser")  # a GET (a link scanner) changes nothing
    assert "Select unsubscribe to stop reminders before your certificate expires" in page.get_text(" ")
    assert db_session.scalars(sa.select(EmailOptOut)).all() == []
    # What a mail client sends for one-click unsubscribe (RFC 8058): a POST, no cookie, no CSRF token.
    response = client.raw.post(path, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200 and b"You have unsubscribed" in response.data
    [stored] = db_session.scalars(sa.select(EmailOptOut)).all()
    assert (stored.recipient, stored.kind) == (f"user:{learner.id}", "refresher-reminder")
    client.raw.post(path, data={"List-Unsubscribe": "One-Click"})  # twice: still one preference
    assert len(db_session.scalars(sa.select(EmailOptOut)).all()) == 1

    run_due(queued_app, _on(EXPIRES - timedelta(days=14)))
    assert len(outbox_messages(instance_path)) == 1  # no 14-day reminder

    # Changed their mind: subscribe again, and the next step arrives.
    assert b"You have subscribed again" in client.raw.post(path, data={"action": "resubscribe"}).data
    run_due(queued_app, _on(EXPIRES - timedelta(days=13)))
    assert len(outbox_messages(instance_path)) == 2


def test_a_forged_or_altered_unsubscribe_link_is_not_found(queued_app, learner, db_session):
    from leadership.notify.models import EmailOptOut
    from leadership.notify.optout import make_token

    client = Client(queued_app.test_client())
    forged = make_token("not-the-secret", f"user:{learner.id}", "refresher-reminder")
    assert client.get(f"/unsubscribe/{forged}").status_code == 404
    assert client.raw.post(f"/unsubscribe/{forged}", data={"List-Unsubscribe": "One-Click"}).status_code == 404
    not_optional = make_token(queued_app.config["SECRET_KEY"], f"user:{learner.id}", "certificate-earned")
    assert client.get(f"/unsubscribe/{not_optional}").status_code == 404
    assert db_session.scalars(sa.select(EmailOptOut)).all() == []


def test_the_reminder_days_are_a_setting(make_app, queue_config, learner, instance_path, db_session):
    app = make_app(REFRESHER_REMINDER_DAYS=(30,), **queue_config)
    _holder(app, learner)
    run_due(app, _on(EXPIRES - timedelta(days=60)))
    assert outbox_messages(instance_path) == []
    run_due(app, _on(EXPIRES - timedelta(days=30)))
    assert [step for _r, _s, step in _reminders(db_session)] == ["30d"]
