"""An append-only audit log of staff actions (who, what, when).

Rows are only ever inserted: there is no update or delete path in the app, and
on PostgreSQL a trigger (see the migration) refuses UPDATE and DELETE outright.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from .db import Base, utcnow


class AuditEvent(Base):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    actor_label: Mapped[str] = mapped_column(sa.String(254))  # kept readable if the actor is later erased
    action: Mapped[str] = mapped_column(sa.String(60), index=True)  # e.g. "certificate.revoke"
    target: Mapped[str] = mapped_column(sa.String(200))  # e.g. "certificate:ABCD-EFGH"
    detail: Mapped[dict] = mapped_column(sa.JSON, default=dict)


def record(session: Session, *, actor, action: str, target: str, detail: dict | None = None,
           actor_label: str | None = None) -> AuditEvent:
    """Add an audit event to the current transaction (committed with the change it describes).
    ``actor_label`` replaces the actor's email as the readable label (for an account holder's
    own events, whose address must not outlive the account's erasure)."""
    event = AuditEvent(
        actor_id=getattr(actor, "id", None),
        actor_label=actor_label or (getattr(actor, "email", None) or getattr(actor, "name", None) or "system"),
        action=action, target=target, detail=detail or {},
    )
    session.add(event)
    return event


@sa.event.listens_for(Session, "before_flush")
def _append_only(session: Session, _context, _instances) -> None:
    """Refuse, on every database, an ORM update or delete of an audit event."""
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEvent) and (obj in session.deleted or session.is_modified(obj)):
            raise PermissionError("audit events are append-only")
