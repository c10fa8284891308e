"""Progress: which pages a learner has seen, and what that adds up to.

All counting is done by the database (one grouped query per course view), never
by looping over rows in Python.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..content import Course, Module
from ..db import utcnow
from ..auth.models import User
from .models import CourseStart, PageView

NOT_STARTED, IN_PROGRESS, COMPLETED = "not-started", "in-progress", "completed"


@dataclass(frozen=True)
class ModuleProgress:
    module: Module
    pages_seen: int
    quiz_passed: bool
    last_page: int | None
    last_seen_at: datetime | None

    @property
    def pages_total(self) -> int:
        return len(self.module.pages)

    @property
    def pages_complete(self) -> bool:
        return self.pages_seen >= self.pages_total

    @property
    def complete(self) -> bool:
        return self.pages_complete and (self.module.quiz is None or self.quiz_passed)

    @property
    def status(self) -> str:
        if self.complete:
            return COMPLETED
        return IN_PROGRESS if self.pages_seen or self.quiz_passed else NOT_STARTED

    @property
    def percent(self) -> int:
        steps = self.pages_total + (1 if self.module.quiz else 0)
        done = min(self.pages_seen, self.pages_total) + (1 if self.module.quiz and self.quiz_passed else 0)
        return round(100 * done / steps) if steps else 100

    @property
    def next_page(self) -> int:
        """Where 'continue' should take the learner in this module."""
        if self.last_page is None:
            return 1
        return min(self.last_page + 1, self.pages_total) if self.last_page < self.pages_total else self.pages_total


@dataclass(frozen=True)
class CourseProgress:
    course: Course
    modules: tuple[ModuleProgress, ...]

    @property
    def required(self) -> tuple[ModuleProgress, ...]:
        return tuple(m for m in self.modules if m.module.required)

    @property
    def completed_count(self) -> int:
        return sum(1 for m in self.required if m.complete)

    @property
    def complete(self) -> bool:
        return bool(self.required) and all(m.complete for m in self.required)

    @property
    def started(self) -> bool:
        return any(m.status != NOT_STARTED for m in self.modules)

    @property
    def percent(self) -> int:
        req = self.required
        return round(sum(m.percent for m in req) / len(req)) if req else 0

    def module(self, slug: str) -> ModuleProgress | None:
        return next((m for m in self.modules if m.module.slug == slug), None)

    @property
    def resume(self) -> ModuleProgress | None:
        """The module the learner was last in, unless finished; else the first unfinished one."""
        seen = [m for m in self.modules if m.last_seen_at is not None]
        if seen:
            latest = max(seen, key=lambda m: m.last_seen_at)
            if not latest.complete:
                return latest
        return next((m for m in self.modules if not m.complete and m.module.required), None)


def _insert(session: Session):
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def record_page_view(session: Session, *, user_id: int, course: Course, module: Module, page_number: int) -> None:
    """Upsert one row per (learner, page); revisits only move ``last_seen_at``.

    The first view of a page (the upsert inserted: its ``first_seen_at`` is this call's ``now``)
    also makes sure the learner's ``CourseStart`` exists, so revisits, most page views, cost
    nothing extra.
    """
    now = utcnow()
    values = dict(user_id=user_id, course_slug=course.slug, module_slug=module.slug, page_number=page_number,
                  content_version=module.version, first_seen_at=now, last_seen_at=now)
    insert = _insert(session)
    stmt = insert(PageView).values(**values)
    stmt = stmt.on_conflict_do_update(
        index_elements=["user_id", "course_slug", "module_slug", "page_number"],
        set_={"last_seen_at": now, "content_version": module.version},
    ).returning(PageView.first_seen_at)
    if session.execute(stmt).scalar() == now:
        record_course_start(session, user_id=user_id, course_slug=course.slug, when=now)
    session.commit()


def record_course_start(session: Session, *, user_id: int, course_slug: str, when=None) -> None:
    """That ``user_id`` has started ``course_slug`` (idempotent; the caller commits)."""
    council = sa.select(User.council_id).where(User.id == user_id).scalar_subquery()
    session.execute(
        _insert(session)(CourseStart)
        .values(user_id=user_id, council_id=council, course_slug=course_slug, started_at=when or utcnow())
        .on_conflict_do_nothing(index_elements=["user_id", "course_slug"]))


def passed_quiz_modules(session: Session, user_id: int, course: Course) -> set[str]:
    """Slugs of modules whose quiz this learner has passed (provided by the quiz feature)."""
    from ..quizzes.service import passed_module_slugs

    return passed_module_slugs(session, user_id, course.slug)


def course_progress(session: Session, user_id: int, course: Course) -> CourseProgress:
    rows = session.execute(
        sa.select(
            PageView.module_slug,
            sa.func.count(sa.distinct(PageView.page_number)),
            sa.func.max(PageView.last_seen_at),
        )
        .where(PageView.user_id == user_id, PageView.course_slug == course.slug)
        .group_by(PageView.module_slug)
    ).all()
    by_module = {slug: (count, last) for slug, count, last in rows}
    # The page last seen in each module, in one query (for "continue where you left off").
    last_pages: dict[str, int] = {}
    for slug, page_number in session.execute(
        sa.select(PageView.module_slug, PageView.page_number)
        .where(PageView.user_id == user_id, PageView.course_slug == course.slug)
        .order_by(PageView.module_slug, PageView.last_seen_at.desc(), PageView.page_number.desc())
    ):
        last_pages.setdefault(slug, page_number)  # rows come newest first within each module
    passed = passed_quiz_modules(session, user_id, course)
    modules = []
    for module in course.modules:
        count, last = by_module.get(module.slug, (0, None))
        modules.append(ModuleProgress(module=module, pages_seen=min(count, len(module.pages)),
                                      quiz_passed=module.slug in passed,
                                      last_page=last_pages.get(module.slug), last_seen_at=last))
    return CourseProgress(course=course, modules=tuple(modules))
