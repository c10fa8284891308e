"""Mail through the queue against a real SMTP server: an hour's outage, deferrals and bounces."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from jobhelp import issue, run_due
from smtp_server import SmtpServer

T0 = datetime(2027, 3, 1, 9, 0)


@pytest.fixture
def smtp():
    server = SmtpServer()
    yield server
    server.stop()


@pytest.fixture
def smtp_app(make_app, queue_config, smtp):
    return make_app(**queue_config, **smtp.config())


def _send_log(db_session):
    from leadership.notify.models import SendLog

    db_session.expire_all()
    return {row.user_id: row for row in db_session.scalars(sa.select(SendLog))}


def test_an_hour_long_outage_loses_nothing_and_sends_everything_once_in_order(smtp_app, smtp, make_user,
                                                                             db_session):
    from leadership.mail import OutboxMessage

    people = [make_user(name=f"Cllr {n}", email=f"{n.lower()}@example.org") for n in ("Ann", "Bob", "Cai")]
    # The server is down (nothing listens on its port) from T0 for an hour. Certificates are
    # earned at T0, T0+20 and T0+40; the job runner ticks every 10 minutes meanwhile.
    for minute in range(0, 60, 10):
        if minute in (0, 20, 40):
            issue(smtp_app, people[minute // 20], issued_at=T0 + timedelta(minutes=minute))
        result = run_due(smtp_app, T0 + timedelta(minutes=minute))
        assert result.exit_code == 0, result.output
        assert "mail-send: ok sent=0 failed=1" in result.output  # the oldest was tried, and held
    waiting = db_session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [m.to_address for m in waiting] == ["ann@example.org", "bob@example.org", "cai@example.org"]
    assert [m.attempts for m in waiting] == [6, 0, 0]  # only the head of the queue was tried
    assert waiting[0].transport_failed and "ConnectionRefusedError" in waiting[0].last_error

    # It comes back, first saying "try later" (451), then accepting.
    smtp.start()
    smtp.handler.defer_data = 1
    assert "mail-send: ok sent=0 failed=1" in run_due(smtp_app, T0 + timedelta(minutes=60)).output
    assert smtp.handler.received == []
    result = run_due(smtp_app, T0 + timedelta(minutes=65))
    assert "mail-send: ok sent=3 failed=0 dropped=0 bounced=0" in result.output
    received = [(rcpt, msg["Subject"]) for rcpt, msg in smtp.handler.received]
    assert received == [([p.email], "You have earned your certificate: Digital leadership for councillors")
                        for p in people]  # each once, in the order they were earned
    log = _send_log(db_session)
    assert all(log[p.id].sent_at == T0 + timedelta(minutes=65) for p in people)

    for minute in (66, 70, 80):  # more ticks: nothing is sent again
        run_due(smtp_app, T0 + timedelta(minutes=minute))
    assert len(smtp.handler.received) == 3


def test_smtp_5xx_is_a_bounce_recorded_once_and_a_busy_mailbox_backs_off_alone(smtp_app, smtp, make_user,
                                                                             db_session):
    from leadership.notify.bounces import bounced_users

    smtp.start()
    good = make_user(name="Cllr Good", email="good@example.org")
    bad = make_user(name="Cllr Typo", email="no-such-user@example.org")
    busy = make_user(name="Cllr Busy", email="busy@example.org")
    smtp.handler.rcpt_replies = {"no-such-user@example.org": ["550 5.1.1 No such user here"],
                                 "busy@example.org": ["452 4.2.2 Mailbox full, try later"]}
    for person in (bad, busy, good):
        issue(smtp_app, person, issued_at=T0)
    result = run_due(smtp_app, T0)
    assert "mail-send: ok sent=1 failed=1 dropped=0 bounced=1" in result.output
    assert [rcpt for rcpt, _m in smtp.handler.received] == [["good@example.org"]]  # not held by the others

    log = _send_log(db_session)
    assert log[bad.id].bounced_at == T0 and log[bad.id].sent_at is None
    assert "550" in log[bad.id].failure and "No such user here" in log[bad.id].failure
    assert log[busy.id].bounced_at is None and log[busy.id].sent_at is None  # still trying
    bounces = bounced_users(db_session)
    assert set(bounces) == {bad.id} and bounces[bad.id].email == "no-such-user@example.org"
    assert set(bounced_users(db_session, council_id=bad.council_id)) == {bad.id}
    assert bounced_users(db_session, council_id=bad.council_id + 100000) == {}

    # Half a minute later the busy mailbox is not due yet (back-off: 1, 2, 4... minutes); then it works.
    assert "sent=0" in run_due(smtp_app, T0 + timedelta(seconds=30)).output
    assert "mail-send: ok sent=1 failed=0 dropped=0 bounced=0" in run_due(smtp_app, T0 + timedelta(minutes=1)).output
    assert [rcpt for rcpt, _m in smtp.handler.received] == [["good@example.org"], ["busy@example.org"]]
    for minute in range(3, 30, 5):  # the bounce is never retried
        run_due(smtp_app, T0 + timedelta(minutes=minute))
    assert len(smtp.handler.received) == 2
    assert _send_log(db_session)[busy.id].sent_at == T0 + timedelta(minutes=1)


def test_the_old_mail_retry_command_still_sends_the_queue(smtp_app, smtp, make_user):
    person = make_user(name="Cllr Cron", email="cron@example.org")
    issue(smtp_app, person)  # today, on the real clock, as `mail retry` has no other
    assert "queued=1" in smtp_app.test_cli_runner().invoke(args=["jobs", "run", "certificate-sweep"]).output
    smtp.start()
    result = smtp_app.test_cli_runner().invoke(args=["mail", "retry"])
    assert result.exit_code == 0 and result.output.strip() == "Mail: 1 sent, 0 still failing, 0 dropped."
    assert [rcpt for rcpt, _m in smtp.handler.received] == [["cron@example.org"]]
