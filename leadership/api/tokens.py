"""Issuing, checking and revoking API bearer tokens (domain logic, no Flask request state)."""
from __future__ import annotations

import hashlib
import secrets

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .. import audit
from ..db import utcnow
from .models import ApiToken

TOKEN_PREFIX = "le_"


def hash_token(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


def issue_token(session: Session, *, name: str, council_id: int | None, actor) -> tuple[ApiToken, str]:
    """Create a token; returns the row and the plaintext, which is never stored and shown once."""
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(name=name.strip(), token_hash=hash_token(plaintext), prefix=plaintext[:10],
                     council_id=council_id, created_by_id=getattr(actor, "id", None))
    session.add(token)
    session.flush()
    audit.record(session, actor=actor, action="api_token.issue", target=f"api_token:{token.id}",
                 detail={"name": token.name, "council_id": council_id, "prefix": token.prefix})
    session.commit()
    return token, plaintext


def revoke_token(session: Session, token: ApiToken, *, actor) -> bool:
    if token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    audit.record(session, actor=actor, action="api_token.revoke", target=f"api_token:{token.id}",
                 detail={"name": token.name, "prefix": token.prefix})
    session.commit()
    return True


def list_tokens(session: Session) -> list[ApiToken]:
    return list(session.scalars(sa.select(ApiToken).order_by(ApiToken.revoked_at.is_not(None),
                                                             ApiToken.created_at.desc(), ApiToken.id.desc())))


def authenticate(session: Session, plaintext: str) -> ApiToken | None:
    """The active token matching ``plaintext``, or None. Records when it was last used (at most once a minute)."""
    if not plaintext or not plaintext.startswith(TOKEN_PREFIX) or len(plaintext) > 200:
        return None
    token = session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == hash_token(plaintext)))
    if token is None or token.revoked_at is not None:
        return None
    now = utcnow()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() >= 60:
        session.execute(sa.update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now))
        session.commit()
        token.last_used_at = now
    return token
