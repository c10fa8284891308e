"""What is published: a module's newest :class:`ModuleVersion`, else its file in ``courses/``."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..content import content_hash, normalise
from .baseline import Baseline
from .models import ModuleVersion


def latest_versions(session: Session, course_slug: str | None = None
                    ) -> dict[tuple[str, str], ModuleVersion]:
    """The newest version of every module (one query)."""
    newest = (sa.select(ModuleVersion.course_slug, ModuleVersion.module_name,
                        sa.func.max(ModuleVersion.number).label("n"))
              .group_by(ModuleVersion.course_slug, ModuleVersion.module_name))
    if course_slug is not None:
        newest = newest.where(ModuleVersion.course_slug == course_slug)
    latest = newest.subquery()
    rows = session.scalars(sa.select(ModuleVersion).join(latest, sa.and_(
        ModuleVersion.course_slug == latest.c.course_slug,
        ModuleVersion.module_name == latest.c.module_name,
        ModuleVersion.number == latest.c.n))).all()
    return {(v.course_slug, v.module_name): v for v in rows}


def published_text(session: Session, baseline: Baseline, name: str) -> str | None:
    v = latest_versions(session, baseline.slug).get((baseline.slug, name))
    if v is not None:
        return v.source
    return baseline.files.get(name)


def text_hash(text: str | None) -> str:
    """The version a text would have (``Module.version``); "" for no text."""
    return content_hash(normalise(text)) if text else ""


def module_versions(session: Session, course_slug: str, name: str) -> list[ModuleVersion]:
    """Every published version of a module, newest first."""
    return list(session.scalars(sa.select(ModuleVersion).where(
        ModuleVersion.course_slug == course_slug, ModuleVersion.module_name == name)
        .order_by(ModuleVersion.number.desc())))


def get_version(session: Session, course_slug: str, name: str, number: int) -> ModuleVersion | None:
    return session.scalar(sa.select(ModuleVersion).where(
        ModuleVersion.course_slug == course_slug, ModuleVersion.module_name == name,
        ModuleVersion.number == number))
