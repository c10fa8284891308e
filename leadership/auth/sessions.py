"""Server-side sessions: one ``UserSession`` row per signed-in browser (pen test F2).

Flask's session cookie is signed, not stored: before this, "Sign out" only cleared the
browser's copy, and a cookie copied earlier kept working (for learners with no server-side
bound at all). Now the cookie carries a random id, the row it names must exist and be
unexpired for the user to be signed in, and it is deleted at sign-out. Plain functions over a
``Session``; no request or Flask globals.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..db import utcnow
from .models import User, UserSession

TOUCH_SECONDS = 60  # last_seen_at is written at most once a minute per session


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def lifetime_for(user: User, *, learner_days: int, staff_hours: int) -> timedelta:
    """Absolute lifetime of a new session: staff keep their short limit, learners get days."""
    return timedelta(hours=staff_hours) if user.role_enum.is_staff else timedelta(days=learner_days)


def open_session(session: Session, user: User, lifetime: timedelta, now: datetime | None = None) -> str:
    """Store a new session for ``user``; return its raw id (only ever kept in the cookie). Commits.
    Expired rows of anyone are removed on the way (cheap: indexed)."""
    now = now or utcnow()
    raw = secrets.token_urlsafe(32)
    session.execute(sa.delete(UserSession).where(UserSession.expires_at <= now))
    session.add(UserSession(id_hash=_hash(raw), user_id=user.id, created_at=now, last_seen_at=now,
                            expires_at=now + lifetime))
    session.commit()
    user.session_token = raw
    return raw


def load(session: Session, raw: str | None) -> tuple[User, UserSession] | None:
    """The user and session row for a cookie's session id, in one query (expired or not: the
    caller decides, so it can say why someone was signed out)."""
    if not raw or len(raw) > 100:
        return None
    row = session.execute(sa.select(User, UserSession).join(UserSession, UserSession.user_id == User.id)
                          .where(UserSession.id_hash == _hash(raw))).first()
    if row is None:
        return None
    user, user_session = row
    user.session_token = raw
    return user, user_session


def touch(session: Session, row: UserSession, now: datetime | None = None) -> None:
    """Record activity on this session, at most once a minute."""
    now = now or utcnow()
    if (now - row.last_seen_at).total_seconds() >= TOUCH_SECONDS:
        session.execute(sa.update(UserSession).where(UserSession.id_hash == row.id_hash).values(last_seen_at=now))
        session.commit()
        row.last_seen_at = now


def close(session: Session, raw: str | None) -> None:
    """Sign this one session out (other devices stay signed in). Commits."""
    if raw:
        session.execute(sa.delete(UserSession).where(UserSession.id_hash == _hash(raw)))
        session.commit()


def close_all(session: Session, user_id: int) -> None:
    """Delete every session of a user, in the caller's transaction (it commits)."""
    session.execute(sa.delete(UserSession).where(UserSession.user_id == user_id))


def count(session: Session, user_id: int) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(UserSession)
                          .where(UserSession.user_id == user_id)) or 0
