"""Optional emails and the one-click way to stop them.

An unsubscribe link carries a signed (not encrypted) token naming the recipient and the
kind of email, so it works without signing in and cannot be forged for someone else.
Only the kinds listed in :data:`OPTIONAL_KINDS` can be stopped; transactional emails
(sign-in links, "you have earned your certificate") cannot.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.orm import Session

from ..db import utcnow
from .models import EmailOptOut

# kind -> what the person stops receiving (shown on the unsubscribe page). Features add theirs.
OPTIONAL_KINDS = {
    "refresher-reminder": _l("reminders before your certificate expires"),
}

_SALT = "leadership-essentials.unsubscribe"


def make_token(secret: str, recipient: str, kind: str) -> str:
    return URLSafeSerializer(secret, salt=_SALT).dumps([recipient, kind])


def read_token(secret: str, token: str) -> tuple[str, str] | None:
    try:
        recipient, kind = URLSafeSerializer(secret, salt=_SALT).loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(recipient, str) or kind not in OPTIONAL_KINDS:
        return None
    return recipient, kind


def is_opted_out(session: Session, recipient: str, kind: str) -> bool:
    return session.scalar(sa.select(EmailOptOut.id).where(
        EmailOptOut.recipient == recipient, EmailOptOut.kind == kind)) is not None


def opted_out(session: Session, kind: str, recipients: list[str]) -> set[str]:
    if not recipients:
        return set()
    return set(session.scalars(sa.select(EmailOptOut.recipient).where(
        EmailOptOut.kind == kind, EmailOptOut.recipient.in_(recipients))))


def opt_out(session: Session, recipient: str, kind: str, *, now: datetime | None = None) -> None:
    """Stop ``kind`` for ``recipient`` (idempotent). Commits."""
    if not is_opted_out(session, recipient, kind):
        session.add(EmailOptOut(recipient=recipient, kind=kind, created_at=now or utcnow()))
        try:
            session.commit()
        except sa.exc.IntegrityError:  # a double click raced us: the preference is stored
            session.rollback()


def opt_in(session: Session, recipient: str, kind: str) -> None:
    """Receive ``kind`` again (idempotent). Commits."""
    session.execute(sa.delete(EmailOptOut).where(EmailOptOut.recipient == recipient, EmailOptOut.kind == kind))
    session.commit()
