"""Exactly-once email: the send log.

Every notification goes through :func:`queue_once`. It inserts the send-log row for a
:class:`SendKey` and, only if that insert happened, queues the message in the mail queue
(``outbox_message``), then commits both together. A second call with the same key (a
retried task, a second worker running the same sweep, a re-run of ``jobs run-due``)
inserts nothing and queues nothing: the unique key in the database decides, not the job
queue. On PostgreSQL a concurrent insert of the same key waits for the first transaction
and then does nothing; on SQLite writers take turns.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .. import mail
from ..db import utcnow
from .models import SendLog


@dataclass(frozen=True)
class SendKey:
    """Who, what kind, about what, which step: the identity of one email that must go out once."""

    recipient: str  # "user:<id>" or "member:<id>"
    kind: str  # e.g. "certificate-earned", "refresher-reminder"
    subject_key: str  # e.g. "certificate:<id>", "due:2027-05-01"
    step: str = "1"  # e.g. "60d", "14d"

    @classmethod
    def for_user(cls, user_id: int, kind: str, subject_key: str, step: str = "1") -> "SendKey":
        return cls(f"user:{user_id}", kind, subject_key, step)


def _insert(session: Session):
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def already_sent(session: Session, key: SendKey) -> bool:
    return session.scalar(sa.select(SendLog.id).where(
        SendLog.recipient == key.recipient, SendLog.kind == key.kind,
        SendLog.subject_key == key.subject_key, SendLog.step == key.step)) is not None


def queue_once(session: Session, key: SendKey, message: mail.Mail, *, now: datetime | None = None,
               user_id: int | None = None, council_id: int | None = None, language: str = "en") -> bool:
    """Record ``key`` and queue ``message``, in one transaction, unless ``key`` is already
    recorded. Returns True when this call queued the message. Commits (so call it with
    nothing else of yours pending, after the query that decided to send)."""
    now = now or utcnow()
    insert = _insert(session)
    inserted = session.execute(
        insert(SendLog)
        .values(recipient=key.recipient, kind=key.kind, subject_key=key.subject_key, step=key.step,
                user_id=user_id, council_id=council_id, language=language, created_at=now, failure="")
        .on_conflict_do_nothing(index_elements=["recipient", "kind", "subject_key", "step"])
        .returning(SendLog.id)).scalar()
    if inserted is None:
        session.commit()  # ends the (empty) transaction: somebody else sent it
        return False
    outbox = mail.queue(session, message, now=now)
    session.execute(sa.update(SendLog).where(SendLog.id == inserted).values(outbox_message_id=outbox.id))
    session.commit()
    return True


def sync_outcomes(session: Session) -> int:
    """Copy what happened to queued messages (sent, bounced, dropped) onto their send-log
    rows, which outlive the mail queue's records. Commits; returns the rows updated."""
    O = mail.OutboxMessage
    # News about a message: sent, dropped, or bounced (Notify reports a bounce after "sent").
    outcome = sa.and_(O.id == SendLog.outbox_message_id,
                      sa.or_(O.bounced_at.is_not(None),
                             sa.and_(O.sent_at.is_not(None), SendLog.sent_at.is_(None)),
                             sa.and_(O.gave_up_at.is_not(None), SendLog.failure == "")))

    def column(expr):
        return sa.select(expr).where(O.id == SendLog.outbox_message_id).scalar_subquery()

    failure = sa.case((O.bounced_at.is_not(None), O.last_error),
                      (O.gave_up_at.is_not(None), sa.literal("not delivered: ") + O.last_error),
                      else_=sa.literal(""))
    result = session.execute(
        sa.update(SendLog)
        .where(SendLog.bounced_at.is_(None), sa.exists().where(outcome))
        .values(sent_at=column(O.sent_at), bounced_at=column(O.bounced_at),
                failure=sa.func.coalesce(column(sa.func.substr(failure, 1, 500)), ""))
        .execution_options(synchronize_session=False))
    session.commit()
    return result.rowcount or 0
