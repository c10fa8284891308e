"""Who does not get our email: addresses whose last delivery bounced.

For pages that show "email bounced" (the learner's own page, a council's dashboard) and
for ``flask jobs status``. A bounce counts until a later message to the same address is
accepted, so fixing the address (or the mailbox) clears it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from ..auth.models import User
from ..db import utcnow
from ..mail import OutboxMessage


@dataclass(frozen=True)
class Bounce:
    user_id: int
    email: str
    bounced_at: datetime
    reason: str


def bounced_users(session: Session, *, council_id: int | None = None,
                  user_ids: list[int] | None = None) -> dict[int, Bounce]:
    """Active users whose current address bounced and has accepted nothing since; by user id.
    ``council_id`` scopes to one council (a council_admin's view); ``user_ids`` to a few people."""
    O = OutboxMessage
    latest = (sa.select(O.to_address.label("address"), sa.func.max(O.bounced_at).label("at"))
              .where(O.bounced_at.is_not(None)).group_by(O.to_address).subquery())
    bounce, later = aliased(O), aliased(O)
    reason = (sa.select(bounce.last_error)
              .where(bounce.to_address == latest.c.address, bounce.bounced_at == latest.c.at)
              .limit(1).scalar_subquery())
    accepted_since = sa.exists().where(later.to_address == latest.c.address, later.sent_at > latest.c.at)
    query = (sa.select(User.id, User.email, latest.c.at, reason)
             .join(latest, latest.c.address == User.email)
             .where(User.deleted_at.is_(None), ~accepted_since))
    if council_id is not None:
        query = query.where(User.council_id == council_id)
    if user_ids is not None:
        query = query.where(User.id.in_(user_ids))
    return {uid: Bounce(uid, email, at, reason or "") for uid, email, at, reason in session.execute(query)}


def mail_figures(session: Session, *, now: datetime | None = None, days: int = 7) -> dict[str, float | int | None]:
    """Queue and delivery figures for monitoring: waiting, oldest waiting (minutes), held by a
    server outage, and over the last ``days``: sent, bounced, dropped, bounce rate."""
    now = now or utcnow()
    O = OutboxMessage
    pending = sa.and_(O.sent_at.is_(None), O.gave_up_at.is_(None), O.bounced_at.is_(None))
    waiting, oldest, held = session.execute(sa.select(
        sa.func.count(O.id), sa.func.min(O.created_at),
        sa.func.count(O.id).filter(O.transport_failed.is_(True))).where(pending)).one()
    since = now - timedelta(days=days)
    sent = session.scalar(sa.select(sa.func.count(O.id)).where(O.sent_at >= since)) or 0
    bounced = session.scalar(sa.select(sa.func.count(O.id)).where(O.bounced_at >= since)) or 0
    dropped = session.scalar(sa.select(sa.func.count(O.id)).where(O.gave_up_at >= since)) or 0
    return {
        "waiting": waiting, "held_by_outage": held,
        "oldest_waiting_minutes": round((now - oldest).total_seconds() / 60, 1) if oldest else None,
        "sent": sent, "bounced": bounced, "dropped": dropped,
        "bounce_rate": round(bounced / (sent + bounced), 4) if (sent + bounced) else 0.0,
    }
