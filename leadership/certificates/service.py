"""Certificate domain logic: issue, look up, revoke, correct names, withdraw.

Plain functions taking a ``Session`` and plain values (no Flask request state).
Functions that change data commit, and the audit event is part of the same
transaction as the change it describes.
"""
from __future__ import annotations

import calendar
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import audit
from ..auth.models import User
from ..db import utcnow
from .codes import new_code, normalise_code
from .models import EXPIRED, Certificate, NameCorrection

LANGUAGES = ("en", "cy", "bilingual")


class CertificateError(Exception):
    """A request the certificate rules refuse; ``message`` is safe to show."""

    def __init__(self, message: str, status: int = 409):
        super().__init__(message)
        self.message = message
        self.status = status


def add_months(when: datetime, months: int) -> datetime:
    """Calendar months later, clamping the day (31 Jan + 1 month = 28/29 Feb)."""
    month_index = when.month - 1 + months
    year, month = when.year + month_index // 12, month_index % 12 + 1
    day = min(when.day, calendar.monthrange(year, month)[1])
    return when.replace(year=year, month=month, day=day)


def latest_certificate(session: Session, user_id: int, course_slug: str) -> Certificate | None:
    return session.scalar(
        sa.select(Certificate)
        .where(Certificate.user_id == user_id, Certificate.course_slug == course_slug)
        .order_by(Certificate.cycle.desc())
        .limit(1)
    )


def issue_certificate(session: Session, user_id: int, course, *, language: str = "en",
                      now: datetime | None = None) -> Certificate:
    """Issue the certificate for a completed course, or return the one already held.

    Idempotent and race-safe: the unique constraint on (user_id, course_slug,
    cycle) means two simultaneous completions insert one row; the loser rolls
    back and returns the winner's row. A new cycle (refresher) is opened only
    when the latest certificate has expired; a revoked or withdrawn one is
    returned as it is (reissuing after revocation is a deliberate staff act).

    Commits. Call it after committing your own work (a rollback on a lost race
    discards anything pending in the session).
    """
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}")
    for _attempt in range(5):
        latest = latest_certificate(session, user_id, course.slug)
        if latest is not None and latest.status(now) != EXPIRED:
            return latest
        cycle = latest.cycle + 1 if latest is not None else 1
        user = session.get(User, user_id)
        if user is None:
            raise CertificateError("No such learner.", 404)
        issued = now or utcnow()
        months = course.certificate.valid_for_months if course.certificate else None
        cert = Certificate(
            code=new_code(), user_id=user_id, course_slug=course.slug, cycle=cycle,
            course_title=(course.certificate.title if course.certificate and course.certificate.title
                          else course.title),
            course_edition=str(course.edition or ""), content_version=course.content_version,
            holder_name=user.name, council_id=user.council_id,
            council_name=user.council.name if user.council is not None else "",
            language=language, issued_at=issued,
            expires_at=add_months(issued, months) if months else None,
        )
        session.add(cert)
        try:
            session.commit()
            return cert
        except IntegrityError:
            session.rollback()
            existing = session.scalar(sa.select(Certificate).where(
                Certificate.user_id == user_id, Certificate.course_slug == course.slug,
                Certificate.cycle == cycle))
            if existing is not None:
                return existing
            # Otherwise the (astronomically unlikely) code collision: try a fresh code.
    raise RuntimeError("could not issue a certificate")  # pragma: no cover


def find_by_code(session: Session, text: str) -> Certificate | None:
    code = normalise_code(text)
    if code is None:
        return None
    return session.scalar(sa.select(Certificate).where(Certificate.code == code))
