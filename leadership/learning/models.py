from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, utcnow


def council_of_user(context) -> int | None:
    """Column default for a denormalised ``council_id``: the council of the row's ``user_id``.

    Writers in the app set ``council_id`` explicitly (in the same statement); this keeps any other
    writer (tests, scripts) consistent without a separate lookup of its own.
    """
    user_id = context.get_current_parameters().get("user_id")
    if user_id is None:
        return None
    return context.connection.execute(sa.text("SELECT council_id FROM user_account WHERE id = :id"),
                                      {"id": user_id}).scalar()


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


class CourseStart(Base):
    """That a learner has started a course: written with their first page view in it.

    Reporting counts "started" per council from this small table (one row per learner per course)
    instead of probing ``page_view`` for every learner. ``council_id`` is the learner's council,
    copied when the row is written (an account never changes council). Like page views it is the
    learner's activity: account erasure deletes it (an erased account is no longer "registered",
    so it no longer counts as started either), and deleting the account row cascades.
    """

    __tablename__ = "course_start"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "course_slug", name="uq_course_start_user_course"),
        sa.Index("ix_course_start_course_council", "course_slug", "council_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"))
    council_id: Mapped[int] = mapped_column(sa.ForeignKey("council.id"), default=council_of_user)
    course_slug: Mapped[str] = mapped_column(sa.String(80))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
