"""API bearer tokens. Only a SHA-256 hash of each token is stored; the prefix is for display."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..councils.models import Council
from ..db import Base, utcnow


class ApiToken(Base):
    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    prefix: Mapped[str] = mapped_column(sa.String(16))  # first characters, shown in the token list
    # The council the token may read; NULL = every council (an LGA token).
    council_id: Mapped[int | None] = mapped_column(sa.ForeignKey("council.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()

    council: Mapped[Council | None] = relationship(lazy="joined")

    @property
    def active(self) -> bool:
        return self.revoked_at is None
