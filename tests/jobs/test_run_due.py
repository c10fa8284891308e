"""`flask jobs run-due --now`: every periodic job due at that minute, once, with that clock."""
from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from jobhelp import run_due


def _inactive_learner(db_session, make_user, *, last_active: datetime):
    from leadership.auth.models import User

    user = make_user(name="Cllr Long Gone")
    db_session.execute(sa.update(User).where(User.id == user.id).values(last_active_at=last_active,
                                                                        created_at=last_active))
    db_session.commit()
    return user


def test_retention_runs_at_its_minute_with_the_given_clock(queued_app, make_user, db_session):
    from leadership.auth.models import User

    now = datetime(2031, 6, 1, 2, 30)
    gone = _inactive_learner(db_session, make_user, last_active=now - timedelta(days=1096))
    recent = _inactive_learner(db_session, make_user, last_active=now - timedelta(days=1094))

    not_due = run_due(queued_app, now.replace(minute=31))
    assert not_due.exit_code == 0 and "retention" not in not_due.output
    assert not_due.output.splitlines() == ["mail-send: ok sent=0 failed=0 dropped=0 bounced=0"]

    result = run_due(queued_app, now)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "certificate-sweep: ok rendered=0 queued=0",
        "retention: ok erased=1",
        "mail-status: ok checked=0 bounced=0",  # every 10 minutes (GOV.UK Notify only: nothing to do here)
        "mail-send: ok sent=0 failed=0 dropped=0 bounced=0",
    ]
    db_session.expire_all()
    assert db_session.get(User, gone.id).deleted_at == now  # erased "at" the given clock
    assert db_session.get(User, recent.id).deleted_at is None
    assert "retention: ok erased=0" in run_due(queued_app, now).output  # a re-run: nothing more


def test_each_schedule_is_a_setting(make_app, queue_config):
    app = make_app(JOBS_SCHEDULE_RETENTION="0 4 * * 1", **queue_config)  # Mondays 04:00
    monday, tuesday = datetime(2031, 6, 2, 4, 0), datetime(2031, 6, 3, 4, 0)
    assert "retention: ok" in run_due(app, monday).output
    assert "retention" not in run_due(app, tuesday).output
    assert "retention" not in run_due(app, monday.replace(hour=2, minute=30)).output


def test_a_bad_schedule_is_refused_at_start_naming_the_setting(make_app, queue_config):
    with pytest.raises(ValueError, match=r"JOBS_SCHEDULE_REFRESHERS: '0 25 \* \* \*' is not a valid cron"):
        make_app(JOBS_SCHEDULE_REFRESHERS="0 25 * * *", **queue_config)
    with pytest.raises(ValueError, match="JOBS_SCHEDULE_MAIL must be a cron expression of five fields"):
        make_app(JOBS_SCHEDULE_MAIL="every minute", **queue_config)


def test_now_must_be_iso_8601_and_offsets_are_converted_to_utc(queued_app, make_user, db_session):
    runner = queued_app.test_cli_runner()
    bad = runner.invoke(args=["jobs", "run-due", "--now", "next tuesday"])
    assert bad.exit_code == 2 and "'next tuesday' is not an ISO 8601 date and time" in bad.output
    # 03:30 in summer time (UTC+1) is 02:30 UTC: the retention minute.
    assert "retention: ok" in runner.invoke(args=["jobs", "run-due", "--now", "2031-06-01T03:30+01:00"]).output
    unknown = runner.invoke(args=["jobs", "run-due", "--only", "nonsense"])
    assert unknown.exit_code == 2 and "no job named 'nonsense'" in unknown.output


def test_a_failing_job_fails_the_command_but_not_the_others(make_app, queue_config, tmp_path):
    app = make_app(RETENTION_INACTIVE_DAYS="not a number", **queue_config)
    result = run_due(app, datetime(2031, 6, 1, 2, 30))
    assert result.exit_code == 1
    assert "retention: FAILED ValueError" in result.output
    assert "mail-send: ok" in result.output  # the others still ran
    status = json.loads(app.test_cli_runner().invoke(args=["jobs", "status", "--json"]).output)
    assert status["tasks"]["retention"]["failures_24h"] == 1
    assert "invalid literal for int()" in status["tasks"]["retention"]["last_error"]
    assert status["tasks"]["mail-send"]["last_ok"] is not None


def test_run_one_job_whatever_its_schedule(queued_app):
    result = queued_app.test_cli_runner().invoke(args=["jobs", "run", "refresher-reminders"])
    assert result.exit_code == 0 and result.output.strip() == "refresher-reminders: ok queued=0"
    wrong = queued_app.test_cli_runner().invoke(args=["jobs", "run", "certificate-issued"])
    assert wrong.exit_code == 2 and "no periodic job named 'certificate-issued'" in wrong.output


def test_status_prints_queue_length_failures_and_bounce_rate(queued_app, learner, db_session):
    from jobhelp import issue
    from leadership.db import utcnow
    from leadership.mail import OutboxMessage

    issue(queued_app, learner)  # enqueues certificate-issued: one task waiting for a worker
    now = utcnow()
    db_session.add_all([
        OutboxMessage(to_address="a@example.org", subject="s", body="", sent_at=now, created_at=now),
        OutboxMessage(to_address="b@example.org", subject="s", body="", sent_at=now, created_at=now),
        OutboxMessage(to_address="c@example.org", subject="s", body="", sent_at=now, created_at=now),
        OutboxMessage(to_address="d@example.org", subject="s", body="", bounced_at=now, created_at=now,
                      last_error="recipient refused"),
        OutboxMessage(to_address="e@example.org", subject="s", body="waiting", attempts=0, created_at=now,
                      next_attempt_at=now),
    ])
    db_session.commit()
    output = queued_app.test_cli_runner().invoke(args=["jobs", "status"]).output
    assert "1 task(s) waiting, 0 scheduled for later" in output
    assert "Mail: 1 waiting" in output
    assert "last 7 days: 3 sent, 1 bounced, 0 dropped; bounce rate 25.0%" in output
    figures = json.loads(queued_app.test_cli_runner().invoke(args=["jobs", "status", "--json"]).output)
    assert figures["queue"] == {"waiting": 1, "scheduled": 0}
    assert figures["mail"]["bounce_rate"] == 0.25 and figures["mail"]["waiting"] == 1
    assert set(figures["tasks"]) == {"certificate-issued", "certificate-sweep", "refresher-reminders", "retention",
                                     "housekeeping", "mail-status", "mail-send"}
