"""UK GDPR: privacy notice, data export, account deletion (erasure), retention, audit log."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa

from support import DEFAULT_PASSWORD, text


def _issue(app, user):
    from leadership.catalogue import catalogue_service
    from leadership.certificates import service
    from leadership.extensions import db

    with app.app_context():
        cert = service.issue_certificate(db.session, user.id, catalogue_service.get().course("digital-leadership"))
        db.session.expunge(cert)
        db.session.remove()
    return cert


def _add_progress(app, user, *, score=80):
    """Page views, a submitted attempt with answers, and a module completion."""
    from leadership.db import utcnow
    from leadership.extensions import db
    from leadership.learning.models import PageView
    from leadership.learning.progress import record_course_start
    from leadership.quizzes.models import ModuleCompletion, QuizAnswer, QuizAttempt

    with app.app_context():
        db.session.add(PageView(user_id=user.id, course_slug="digital-leadership", module_slug="cyber-security",
                                page_number=1, content_version="v1"))
        record_course_start(db.session, user_id=user.id, course_slug="digital-leadership")
        attempt = QuizAttempt(user_id=user.id, course_slug="digital-leadership", module_slug="cyber-security",
                              content_version="v1", paper=[], token=f"tok-{user.id}", submitted_at=utcnow(),
                              score=score, passed=True)
        attempt.answers.append(QuizAnswer(question_id="q1", selected="a,c", score=1.0, correct=True))
        db.session.add(attempt)
        db.session.add(ModuleCompletion(user_id=user.id, course_slug="digital-leadership",
                                        module_slug="cyber-security", content_version="v1", score=score))
        db.session.commit()
        db.session.remove()


def test_privacy_notice_describes_rights_and_retention(client):
    page = client.page("/privacy")
    body = text(page)
    for phrase in ("delete your account", "download", "3 years"):
        assert phrase.lower() in body.lower(), phrase


def test_export_contains_all_my_data_and_nobody_elses(app, client, learner, make_user):
    other = make_user(name="Someone Else")
    _add_progress(app, learner)
    _add_progress(app, other)
    cert = _issue(app, learner)
    client.sign_in(learner.email)
    response = client.get("/account/data")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.data)
    assert data["profile"]["email"] == learner.email and data["profile"]["council"]["code"] == "CRF"
    assert [v["page"] for v in data["page_views"]] == [1]
    [attempt] = data["quiz_attempts"]
    assert attempt["answers"] == [{"question": "q1", "selected": ["a", "c"], "correct": True, "score": 1.0}]
    assert data["module_completions"][0]["module"] == "cyber-security"
    assert data["certificates"][0]["code"] == cert.display_code
    assert data["certificates"][0]["verify_url"].endswith(f"/verify/{cert.code}")
    raw = response.get_data(as_text=True)
    assert "Someone Else" not in raw and "password" not in raw.lower() and "totp_secret" not in raw


def _council_numbers(app):
    from leadership.catalogue import catalogue_service
    from leadership.councils.models import Council
    from leadership.extensions import db
    from leadership.reporting import queries

    with app.app_context():
        council = db.session.scalar(sa.select(Council).where(Council.code == "CRF"))
        f = queries.Filters(course_slug="digital-leadership").scoped(council.id)
        course = catalogue_service.get().course("digital-leadership")
        [row] = queries.council_rows(db.session, f)
        module = queries.module_counts_by_council(db.session, f, tuple(m.slug for m in course.modules))
        result = {"registered": row.registered, "started": row.started, "completed": row.completed,
                  "modules": {slug: n for (cid, slug), n in module.items() if cid == council.id}}
        db.session.remove()
    return result


def test_delete_account_erases_personal_data_and_keeps_anonymous_counts(app, client, learner, make_user,
                                                                        db_session):
    from leadership.auth.models import AuthToken, User
    from leadership.certificates.models import Certificate
    from leadership.learning.models import CourseStart, PageView
    from leadership.quizzes.models import ModuleCompletion, QuizAnswer, QuizAttempt

    make_user(name="Stays Here")  # another learner in the same council
    _add_progress(app, learner)
    cert = _issue(app, learner)
    client.sign_in(learner.email)
    client.post("/forgot-password", {"email": learner.email}, token_from="/account")  # an outstanding token
    before = _council_numbers(app)
    assert before["completed"] == 1 and before["registered"] == 2 and before["started"] == 1
    assert before["modules"] == {"cyber-security": 1}

    page = client.page("/account/delete")
    assert "cannot undo" in text(page)
    missing = client.post("/account/delete", {"password": DEFAULT_PASSWORD})
    assert missing.status_code == 400 and "Confirm that you understand" in missing.get_data(as_text=True)
    wrong = client.post("/account/delete", {"confirm": "y", "password": "not-my-password"})
    assert wrong.status_code == 400 and "Your password is not right" in wrong.get_data(as_text=True)
    ok = client.post("/account/delete", {"confirm": "y", "password": DEFAULT_PASSWORD})
    assert ok.status_code == 302 and ok.headers["Location"] == "/"
    assert client.get("/account").status_code == 302  # signed out

    user = db_session.get(User, learner.id)
    assert user.name == "Deleted user" and user.email is None and user.password_hash is None
    assert user.deleted_at is not None and user.council_id is not None and user.role == "learner"
    for model in (PageView, CourseStart, QuizAttempt, QuizAnswer, AuthToken):
        assert db_session.scalar(sa.select(sa.func.count()).select_from(model)) == 0, model
    assert db_session.scalar(sa.select(sa.func.count()).select_from(ModuleCompletion)) == 1
    stored = db_session.get(Certificate, cert.id)
    assert stored.withdrawn_at is not None and stored.holder_name == "Deleted user"

    after = _council_numbers(app)
    assert after["completed"] == before["completed"]  # the completion still counts for the council
    assert after["modules"] == before["modules"]
    assert after["registered"] == before["registered"] - 1  # "registered" = accounts that exist
    assert after["started"] == 0  # and "started" counts registered learners only

    verify = client.page(f"/verify/{cert.code}")
    assert "withdrawn" in text(verify).lower() and learner.name not in text(verify)
    # The person cannot sign in again, nor be found by email.
    assert client.post("/sign-in", {"email": learner.email, "password": DEFAULT_PASSWORD}).status_code == 400


def test_staff_cannot_delete_their_account_here(client, make_user):
    user = make_user("trainer")
    client.sign_in(user.email)
    assert client.get("/account/delete").status_code == 403


def test_retention_command_erases_only_inactive_learners(app, make_user, db_session):
    from leadership.auth.models import User
    from leadership.db import utcnow

    old = make_user(name="Long Gone")
    recent = make_user(name="Still Here")
    staff = make_user("trainer", name="Old Staff")
    long_ago = utcnow() - timedelta(days=1200)
    db_session.execute(sa.update(User).where(User.id.in_([old.id, staff.id]))
                       .values(last_active_at=long_ago, created_at=long_ago))
    db_session.commit()
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["privacy", "apply-retention", "--dry-run"])
    assert dry.exit_code == 0 and "Would erase 1 learner" in dry.output and f"user:{old.id}" in dry.output
    db_session.expire_all()
    assert db_session.get(User, old.id).deleted_at is None
    real = runner.invoke(args=["privacy", "apply-retention"])
    assert real.exit_code == 0 and "Erased 1 learner" in real.output
    db_session.expire_all()
    assert db_session.get(User, old.id).name == "Deleted user"
    assert db_session.get(User, recent.id).deleted_at is None
    assert db_session.get(User, staff.id).deleted_at is None  # staff are managed, not expired


def test_audit_log_page_for_lga_admin_only_and_paginated(app, client, make_user, db_session):
    from leadership import audit

    admin = make_user("lga_admin")
    for i in range(55):
        audit.record(db_session, actor=None, action="test.action", target=f"thing:{i}")
    db_session.commit()
    client.sign_in(admin.email)
    first = text(client.page("/admin/audit-log"))
    assert "thing:54" in first and "thing:0 " not in first + " " and "Page 1 of 2" in first
    assert "thing:0" in text(client.page("/admin/audit-log?page=2"))
    assert client.get("/admin/audit-log?page=abc").status_code == 200


def test_audit_events_cannot_be_changed_through_the_orm(app, db_session):
    from leadership import audit
    from leadership.audit import AuditEvent

    audit.record(db_session, actor=None, action="test.action", target="x")
    db_session.commit()
    event = db_session.scalar(sa.select(AuditEvent))
    event.action = "rewritten"
    with pytest.raises(PermissionError):
        db_session.commit()
    db_session.rollback()
    db_session.delete(db_session.scalar(sa.select(AuditEvent)))
    with pytest.raises(PermissionError):
        db_session.flush()
    db_session.rollback()


def test_audit_table_refuses_update_and_delete_on_postgresql(app, db_session):
    from leadership import audit

    if db_session.bind.dialect.name != "postgresql":
        pytest.skip("the append-only trigger is PostgreSQL's (SQLite relies on the ORM guard)")
    audit.record(db_session, actor=None, action="test.action", target="x")
    db_session.commit()
    for statement in ("UPDATE audit_event SET action = 'rewritten'", "DELETE FROM audit_event",
                      "TRUNCATE audit_event"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            db_session.execute(sa.text(statement))
        db_session.rollback()
