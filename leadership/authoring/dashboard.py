"""The authoring dashboard: one plain row per module of every course."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from .baseline import Baseline
from .drafts import course_drafts
from .order import course_order
from .published import latest_versions, text_hash


@dataclass(frozen=True)
class ModuleRow:
    name: str
    title: str
    published: bool  # has a published text (a version or its file)
    draft: bool  # has a draft that differs from the published text
    errors: int  # problems in the draft, else in the published text
    version: int | None  # newest published version number
    from_file: bool  # published only as its file in courses/


@dataclass(frozen=True)
class CourseRows:
    baseline: Baseline
    rows: list[ModuleRow]


def dashboard_rows(session: Session, baselines: dict[str, Baseline]) -> list[CourseRows]:
    """Every module of every course, in the stored order, as plain rows."""
    return [CourseRows(b, _course_rows(session, b)) for b in baselines.values()]


def _course_rows(session: Session, baseline: Baseline) -> list[ModuleRow]:
    latest = latest_versions(session, baseline.slug)
    drafts = course_drafts(session, baseline.slug)
    rows = []
    for name in course_order(session, baseline):
        draft = drafts.get(name)
        version = latest.get((baseline.slug, name))
        published = version.source if version is not None else baseline.files.get(name)
        text = draft.source if draft is not None else published
        module, problems = baseline.parse_module(name, text) if text else (None, [])
        title = module.title if module is not None else None
        if title is None and published:
            pub_module = baseline.parse_module(name, published)[0]
            title = pub_module.title if pub_module is not None else None
        rows.append(ModuleRow(
            name=name, title=title if title is not None else name, published=published is not None,
            draft=draft is not None and text_hash(draft.source) != text_hash(published),
            errors=len(problems), version=version.number if version else None,
            from_file=version is None and name in baseline.files))
    return rows
