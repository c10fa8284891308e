"""Certificate emails: "you have earned your certificate" and refresher reminders.

Rules (who gets what, and when) are plain functions over a Session; composing the text
needs an app context (templates and translations).

* **Earned**: once per certificate, to the holder, while the certificate is valid and the
  newest for its course, and the account is active with an email address. Sent when the
  certificate is issued (a job enqueued at issue) and by a catch-up sweep for certificates
  issued in the last ``window_days`` (so a lost job still sends it, and turning the feature
  on does not email everyone who ever earned one).
* **Refresher reminders**: ``days`` before the expiry date (default 60 and 14; dates in
  London), one email per step; when a step's moment has passed unsent (a late start, a short validity) only the
  nearest step is sent. Never to an erased or deactivated account, for a revoked, withdrawn
  or expired certificate, after a newer certificate for the same course exists, or to
  someone who unsubscribed from them.
"""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session, aliased

from ..auth.models import User
from ..certificates.models import Certificate
from .messages import Links, compose, language_of, london_date, long_date
from .optout import opted_out
from .sendlog import SendKey, already_sent, queue_once

EARNED = "certificate-earned"
REFRESHER = "refresher-reminder"


def _is_newest():
    newer = aliased(Certificate)
    return ~sa.exists().where(newer.user_id == Certificate.user_id, newer.course_slug == Certificate.course_slug,
                              newer.cycle > Certificate.cycle)


def _current(now: datetime):
    """Valid at ``now``: not revoked, not withdrawn, not expired."""
    return sa.and_(Certificate.revoked_at.is_(None), Certificate.withdrawn_at.is_(None),
                   sa.or_(Certificate.expires_at.is_(None), Certificate.expires_at > now))


def _reachable():
    return sa.and_(User.deleted_at.is_(None), User.email.is_not(None))


def course_title(cert: Certificate, language: str) -> str:
    """The certificate's title in ``language`` (the Welsh course file's, when there is one)."""
    if language == "cy":
        from ..catalogue import catalogue_service

        course = catalogue_service.get().course(cert.course_slug, "cy")
        if course is not None and getattr(course, "language", "cy") == "cy":
            return (course.certificate.title if course.certificate and course.certificate.title
                    else course.title) or cert.course_title
    return cert.course_title


def send_earned(session: Session, certificate_id: int, *, links: Links, now: datetime) -> bool:
    """Queue the "you have earned your certificate" email for one certificate, once. True if queued."""
    row = session.execute(
        sa.select(Certificate, User).join(User, User.id == Certificate.user_id)
        .where(Certificate.id == certificate_id, _current(now), _is_newest(), _reachable())).first()
    if row is None:
        return False
    cert, user = row
    key = SendKey.for_user(user.id, EARNED, f"certificate:{cert.id}")
    if already_sent(session, key):
        return False
    language = language_of(user)
    title = course_title(cert, language)
    message = compose(
        to=user.email, language=language, template="emails/certificate_earned.txt",
        subject=_l("You have earned your certificate: %(course)s", course=title),
        user=user, cert=cert, course_title=title,
        valid_until=long_date(cert.expires_at, language) if cert.expires_at else None,
        pdf_url=links.certificate_pdf(cert.code), verify_url=links.verify(cert.code),
        certificates_url=links.certificates())
    return queue_once(session, key, message, now=now, user_id=user.id, council_id=user.council_id,
                      language=language)


def awaiting_earned_email(session: Session, *, now: datetime, window_days: int) -> list[int]:
    """Certificates issued in the last ``window_days`` with no "earned" email recorded yet."""
    from .models import SendLog

    subject = sa.literal("certificate:") + sa.cast(Certificate.id, sa.String)
    return list(session.scalars(
        sa.select(Certificate.id).join(User, User.id == Certificate.user_id)
        .where(Certificate.issued_at >= now - timedelta(days=window_days), Certificate.issued_at <= now,
               _current(now), _is_newest(), _reachable(),
               ~sa.exists().where(SendLog.kind == EARNED, SendLog.subject_key == subject))
        .order_by(Certificate.id)))


def send_missing_earned(session: Session, *, links: Links, now: datetime, window_days: int) -> int:
    """The catch-up sweep: queue every "earned" email a lost or failed job did not. Returns how many."""
    return sum(send_earned(session, cid, links=links, now=now)
               for cid in awaiting_earned_email(session, now=now, window_days=window_days))


def refresher_steps_due(session: Session, *, now: datetime, days: tuple[int, ...]
                        ) -> list[tuple[Certificate, User, int]]:
    """(certificate, holder, step in days) for every reminder whose moment has come."""
    if not days:
        return []
    rows = session.execute(
        sa.select(Certificate, User).join(User, User.id == Certificate.user_id)
        .where(Certificate.expires_at.is_not(None), Certificate.expires_at <= now + timedelta(days=max(days) + 1),
               _current(now), _is_newest(), _reachable())
        .order_by(Certificate.expires_at, Certificate.id)).all()
    due = []
    for cert, user in rows:
        left = days_left(cert.expires_at, now)
        passed = [d for d in days if left <= d]
        if passed:
            due.append((cert, user, min(passed)))
    return due


def days_left(expires_at: datetime, now: datetime) -> int:
    """Whole days from today to the expiry date, both as dates in London (a reminder "60 days
    before" goes out on that calendar day, whatever the hour of the run)."""
    return (london_date(expires_at) - london_date(now)).days


def send_refresher_reminders(session: Session, *, links: Links, now: datetime, days: tuple[int, ...]) -> int:
    """Queue every refresher reminder that is due and not yet sent. Returns how many were queued."""
    due = refresher_steps_due(session, now=now, days=days)
    stopped = opted_out(session, REFRESHER, [f"user:{user.id}" for _c, user, _d in due])
    queued = 0
    for cert, user, step in due:
        recipient = f"user:{user.id}"
        key = SendKey(recipient, REFRESHER, f"certificate:{cert.id}", f"{step}d")
        if recipient in stopped or already_sent(session, key):
            continue
        language = language_of(user)
        title = course_title(cert, language)
        message = compose(
            to=user.email, language=language, template="emails/refresher_reminder.txt",
            subject=_l("Your %(course)s certificate expires on %(date)s", course=title,
                       date=long_date(cert.expires_at, language)),
            unsubscribe_url=links.unsubscribe(recipient, REFRESHER),
            user=user, cert=cert, course_title=title, days_left=max(days_left(cert.expires_at, now), 0),
            expires_on=long_date(cert.expires_at, language), course_url=links.course(cert.course_slug),
            verify_url=links.verify(cert.code))
        queued += queue_once(session, key, message, now=now, user_id=user.id, council_id=user.council_id,
                             language=language)
    return queued
