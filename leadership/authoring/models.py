"""Browser authoring: shared drafts, immutable published versions, course order, uploads.

Files in ``courses/`` are the baseline; a published :class:`ModuleVersion` overrides
its module's file (see :mod:`leadership.authoring.overlay`).
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, utcnow


class ModuleDraft(Base):
    """The one shared work-in-progress text of a module (optimistic locking by ``lock_version``)."""

    __tablename__ = "module_draft"
    __table_args__ = (sa.UniqueConstraint("course_slug", "module_name", name="uq_module_draft_module"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_slug: Mapped[str] = mapped_column(sa.String(80))
    module_name: Mapped[str] = mapped_column(sa.String(120))  # file stem, e.g. "03-cyber-security"
    base_version: Mapped[str] = mapped_column(sa.String(40))  # content hash of the published text it started from
    source: Mapped[str] = mapped_column(sa.Text)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    updated_by_label: Mapped[str] = mapped_column(sa.String(254), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    lock_version: Mapped[int] = mapped_column(default=1)  # compared and bumped in one UPDATE


class ModuleVersion(Base):
    """One published version of a module: immutable, never updated or deleted."""

    __tablename__ = "module_version"
    __table_args__ = (
        sa.UniqueConstraint("course_slug", "module_name", "number", name="uq_module_version_number"),
        sa.Index("ix_module_version_course_module", "course_slug", "module_slug"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_slug: Mapped[str] = mapped_column(sa.String(80))
    module_name: Mapped[str] = mapped_column(sa.String(120))
    module_slug: Mapped[str] = mapped_column(sa.String(80))
    number: Mapped[int] = mapped_column()  # 1, 2, 3... per module
    content_hash: Mapped[str] = mapped_column(sa.String(40))  # == Module.version of this text
    source: Mapped[str] = mapped_column(sa.Text)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    author_label: Mapped[str] = mapped_column(sa.String(254))
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    change_note: Mapped[str] = mapped_column(sa.Text)
    change_kind: Mapped[str] = mapped_column(sa.String(10))  # "minor" | "major"
    pages_changed: Mapped[list] = mapped_column(sa.JSON, default=list)  # [{"number", "slug", "title"}]
    quiz_changed: Mapped[bool] = mapped_column(default=False)
    rolled_back_from: Mapped[int | None] = mapped_column()  # version number restored, for rollbacks


class CourseOrder(Base):
    """Module order set in the browser; overrides course.yaml ``modules`` when present."""

    __tablename__ = "course_order"

    course_slug: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    module_names: Mapped[list] = mapped_column(sa.JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ContentGeneration(Base):
    """A single counter row, bumped on every publish so every worker process reloads content."""

    __tablename__ = "content_generation"

    id: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ImageUpload(Base):
    """An image a trainer uploaded; the file lives in ``instance/uploads/<name>``."""

    __tablename__ = "image_upload"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80), unique=True)  # "<sha256[:24]>.<ext>"
    content_type: Mapped[str] = mapped_column(sa.String(40))
    size: Mapped[int] = mapped_column()
    alt: Mapped[str] = mapped_column(sa.String(300))
    original_filename: Mapped[str] = mapped_column(sa.String(255), default="")
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
