"""The content generation: one counter row every process compares to know when to reload content."""
from __future__ import annotations

from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..db import utcnow
from .models import ContentGeneration


def generation(session: Session) -> int:
    return session.scalar(sa.select(ContentGeneration.value).where(ContentGeneration.id == 1)) or 0


def bump_generation(session: Session) -> None:
    """Tell every process to reload content (part of the caller's transaction)."""
    updated = cast("CursorResult[Any]", session.execute(  # an UPDATE's result has a rowcount
        sa.update(ContentGeneration).where(ContentGeneration.id == 1)
        .values(value=ContentGeneration.value + 1, updated_at=utcnow())))
    if updated.rowcount == 0:
        try:
            with session.begin_nested():
                session.add(ContentGeneration(id=1, value=1))
        except IntegrityError:  # another process created it first
            session.execute(sa.update(ContentGeneration).where(ContentGeneration.id == 1)
                            .values(value=ContentGeneration.value + 1, updated_at=utcnow()))
