from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, utcnow


class PageView(Base):
    """That a learner has seen a page of a module (once per page; times updated on revisit)."""

    __tablename__ = "page_view"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "course_slug", "module_slug", "page_number",
                            name="uq_page_view_user_page"),
        sa.Index("ix_page_view_user_last_seen", "user_id", "last_seen_at"),
        sa.Index("ix_page_view_course_module", "course_slug", "module_slug"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"))
    course_slug: Mapped[str] = mapped_column(sa.String(80))
    module_slug: Mapped[str] = mapped_column(sa.String(80))
    page_number: Mapped[int] = mapped_column()
    content_version: Mapped[str] = mapped_column(sa.String(40))
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
