"""Personal data: export, erasure and retention, as plain functions over a Session.

Erasure keeps the *facts* that council statistics are built from, and nothing
that identifies the person:

* the ``user_account`` row stays with its role, council and created date, but the
  name becomes "Deleted user" and email, password, language and second factor are
  cleared (``deleted_at`` set), so "registered" counts drop and cohorts stay right;
* ``module_completion`` rows and certificates stay (counted by council); each
  certificate is marked withdrawn and its holder name replaced, so /verify says
  "withdrawn" and never shows the person;
* ``module_completion`` rows carry the council they count for (copied when written), and the
  account row keeps its council too, so per-council module counts do not change;
* page views, course starts (an erased account is no longer registered, so no longer "started"),
  quiz attempts and answers, emailed tokens, recovery codes, signed-in sessions, registrations
  waiting for their address to be confirmed, queued mail, stored certificate PDFs and
  name-correction requests are deleted.

All of it happens in one transaction: either the whole account is erased or
nothing is (see tests/privacy/test_erasure_atomic.py).
"""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..audit import AuditEvent
from ..auth.models import AuthToken, PendingRegistration, RecoveryCode, Role, User, UserSession
from ..certificates.models import Certificate, NameCorrection
from ..certificates.stored_pdf import delete_for_user as delete_stored_pdfs
from ..db import utcnow
from ..learning.models import CourseStart, PageView
from ..mail import OutboxMessage
from ..notify.models import EmailOptOut, SendLog
from ..quizzes.models import ModuleCompletion, QuizAnswer, QuizAttempt

ERASED_NAME = "Deleted user"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") + "Z" if value else None


def export_data(session: Session, user: User, *, verify_url=lambda code: f"/verify/{code}") -> dict:
    """Everything the service holds about ``user``, as JSON-ready data (UK GDPR Art. 15 and 20)."""
    attempts = session.scalars(sa.select(QuizAttempt).where(QuizAttempt.user_id == user.id)
                               .order_by(QuizAttempt.started_at, QuizAttempt.id)).all()
    certificates = session.scalars(sa.select(Certificate).where(Certificate.user_id == user.id)
                                   .order_by(Certificate.issued_at)).all()
    return {
        "format": "leadership-essentials-personal-data/1",
        "exported_at": _iso(utcnow()),
        "profile": {
            "id": user.id, "name": user.name, "email": user.email, "role": user.role,
            "council": {"code": user.council.code, "name": user.council.name},
            "language": user.locale, "created_at": _iso(user.created_at),
            "email_confirmed_at": _iso(user.email_verified_at),
            "last_active_at": _iso(user.last_active_at),
            "two_step_verification": user.has_mfa, "two_step_verification_since": _iso(user.mfa_enabled_at),
        },
        "page_views": [
            {"course": v.course_slug, "module": v.module_slug, "page": v.page_number,
             "content_version": v.content_version, "first_seen_at": _iso(v.first_seen_at),
             "last_seen_at": _iso(v.last_seen_at)}
            for v in session.scalars(sa.select(PageView).where(PageView.user_id == user.id)
                                     .order_by(PageView.course_slug, PageView.module_slug, PageView.page_number))
        ],
        "quiz_attempts": [
            {"course": a.course_slug, "module": a.module_slug, "content_version": a.content_version,
             "language": a.language, "started_at": _iso(a.started_at), "submitted_at": _iso(a.submitted_at),
             "score_percent": a.score, "passed": a.passed,
             "answers": [{"question": ans.question_id, "selected": sorted(ans.selected_keys),
                          "correct": ans.correct, "score": ans.score} for ans in a.answers]}
            for a in attempts
        ],
        "module_completions": [
            {"course": c.course_slug, "module": c.module_slug, "content_version": c.content_version,
             "score_percent": c.score, "completed_at": _iso(c.completed_at)}
            for c in session.scalars(sa.select(ModuleCompletion).where(ModuleCompletion.user_id == user.id)
                                     .order_by(ModuleCompletion.completed_at))
        ],
        "certificates": [
            {"code": c.display_code, "course": c.course_slug, "course_title": c.course_title,
             "cycle": c.cycle, "holder_name": c.holder_name, "council": c.council_name,
             "content_version": c.content_version, "issued_at": _iso(c.issued_at),
             "expires_at": _iso(c.expires_at), "status": c.status(), "verify_url": verify_url(c.code),
             "name_corrections": [{"requested_name": n.requested_name, "reason": n.reason, "status": n.status,
                                   "requested_at": _iso(n.requested_at), "decided_at": _iso(n.decided_at)}
                                  for n in c.name_corrections]}
            for c in certificates
        ],
        "emails": [  # notifications sent once (the send log); not their text, which is not kept
            {"kind": e.kind, "about": e.subject_key, "step": e.step, "language": e.language,
             "queued_at": _iso(e.created_at), "sent_at": _iso(e.sent_at), "bounced_at": _iso(e.bounced_at)}
            for e in session.scalars(sa.select(SendLog).where(SendLog.user_id == user.id).order_by(SendLog.id))
        ],
        "emails_stopped": sorted(session.scalars(sa.select(EmailOptOut.kind)
                                                 .where(EmailOptOut.recipient == f"user:{user.id}"))),
        "staff_actions": [
            {"at": _iso(e.created_at), "action": e.action, "target": e.target}
            for e in session.scalars(sa.select(AuditEvent).where(AuditEvent.actor_id == user.id)
                                     .order_by(AuditEvent.created_at))
        ],
    }


def erase_account(session: Session, user: User, *, reason: str = "request", now: datetime | None = None) -> None:
    """Erase ``user``'s personal data, keeping anonymous completions. Commits once, at the end."""
    now = now or utcnow()
    uid, email = user.id, user.email
    attempt_ids = sa.select(QuizAttempt.id).where(QuizAttempt.user_id == uid).scalar_subquery()
    session.execute(sa.delete(QuizAnswer).where(QuizAnswer.attempt_id.in_(attempt_ids)))
    session.execute(sa.delete(QuizAttempt).where(QuizAttempt.user_id == uid))
    session.execute(sa.delete(PageView).where(PageView.user_id == uid))
    session.execute(sa.delete(CourseStart).where(CourseStart.user_id == uid))
    session.execute(sa.delete(AuthToken).where(AuthToken.user_id == uid))
    session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == uid))
    session.execute(sa.delete(UserSession).where(UserSession.user_id == uid))
    if email:
        session.execute(sa.delete(OutboxMessage).where(OutboxMessage.to_address == email))
        session.execute(sa.delete(PendingRegistration).where(PendingRegistration.email == email))
    delete_stored_pdfs(session, uid)  # they print the person's name
    cert_ids = sa.select(Certificate.id).where(Certificate.user_id == uid).scalar_subquery()
    session.execute(sa.delete(NameCorrection).where(NameCorrection.certificate_id.in_(cert_ids)))
    session.execute(sa.update(Certificate).where(Certificate.user_id == uid)
                    .values(holder_name=ERASED_NAME,
                            withdrawn_at=sa.func.coalesce(Certificate.withdrawn_at, now),
                            revision=Certificate.revision + 1))
    session.execute(sa.update(User).where(User.id == uid).values(
        name=ERASED_NAME, email=None, password_hash=None, locale=None, totp_secret=None,
        totp_last_step=None, mfa_enabled_at=None, last_active_at=None, deleted_at=now,
        session_version=User.session_version + 1))
    # Who/what/when, without the person: an id that now points at an anonymous row.
    session.add(AuditEvent(actor_id=uid if reason == "request" else None,
                           actor_label="account holder" if reason == "request" else "retention policy",
                           action="account.erase", target=f"user:{uid}", detail={"reason": reason},
                           created_at=now))
    session.commit()
    session.expire(user)


def inactive_learners(session: Session, days: int, *, now: datetime | None = None) -> list[User]:
    """Learners with no activity (or, never active, no sign-up) for ``days`` days."""
    cutoff = (now or utcnow()) - timedelta(days=days)
    last = sa.func.coalesce(User.last_active_at, User.created_at)
    return list(session.scalars(sa.select(User).where(User.role == Role.LEARNER.value, User.deleted_at.is_(None),
                                                      last < cutoff).order_by(User.id)))


def apply_retention(session: Session, days: int, *, dry_run: bool = False, now: datetime | None = None
                    ) -> list[int]:
    """Erase every inactive learner (unless ``dry_run``); returns their ids."""
    users = inactive_learners(session, days, now=now)
    ids = [u.id for u in users]
    if not dry_run:
        for user in users:
            erase_account(session, user, reason="retention", now=now)
    return ids
