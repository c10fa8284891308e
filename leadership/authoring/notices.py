"""What a learner who completed a module should review after a major change.

A major version published after the learner's completion (and on a different
content version from the one they completed) lists its changed pages and whether
the quiz changed.  A page counts as reviewed once the learner opens it after the
change; the quiz once they pass it after the change.  Nothing is reset: the
completion and any certificate stand.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..content import Course, Module
from .models import ModuleVersion


@dataclass(frozen=True)
class ReviewPage:
    number: int
    title: str
    reviewed: bool


@dataclass(frozen=True)
class ModuleUpdate:
    module: Module
    pages: tuple[ReviewPage, ...]
    quiz_changed: bool
    quiz_retaken: bool
    notes: tuple[str, ...]

    @property
    def outstanding(self) -> bool:
        return any(not p.reviewed for p in self.pages) or (self.quiz_changed and not self.quiz_retaken)


def module_updates(session: Session, user_id: int, course: Course, module_slug: str | None = None
                   ) -> list[ModuleUpdate]:
    """Outstanding reviews for this learner in ``course`` (a handful of queries, none per module)."""
    from ..learning.models import PageView
    from ..quizzes.models import ModuleCompletion, QuizAttempt

    q = sa.select(ModuleCompletion).where(ModuleCompletion.user_id == user_id,
                                         ModuleCompletion.course_slug == course.slug)
    if module_slug is not None:
        q = q.where(ModuleCompletion.module_slug == module_slug)
    completions = {c.module_slug: c for c in session.scalars(q)}
    if not completions:
        return []
    majors = session.scalars(
        sa.select(ModuleVersion).where(ModuleVersion.course_slug == course.slug,
                                       ModuleVersion.module_slug.in_(completions),
                                       ModuleVersion.change_kind == "major")
        .order_by(ModuleVersion.number)).all()
    relevant: dict[str, list[ModuleVersion]] = {}
    for v in majors:
        c = completions[v.module_slug]
        if v.published_at > c.completed_at and v.content_hash != c.content_version:
            relevant.setdefault(v.module_slug, []).append(v)
    if not relevant:
        return []
    views = session.execute(
        sa.select(PageView.module_slug, PageView.page_number, PageView.last_seen_at)
        .where(PageView.user_id == user_id, PageView.course_slug == course.slug,
               PageView.module_slug.in_(relevant))).all()
    seen = {(m, n): t for m, n, t in views}
    passes = session.execute(
        sa.select(QuizAttempt.module_slug, sa.func.max(QuizAttempt.submitted_at))
        .where(QuizAttempt.user_id == user_id, QuizAttempt.course_slug == course.slug,
               QuizAttempt.module_slug.in_(relevant), QuizAttempt.passed.is_(True))
        .group_by(QuizAttempt.module_slug)).all()
    last_pass = dict(passes)
    out = []
    for module in course.modules:
        versions = relevant.get(module.slug)
        if not versions:
            continue
        changed_at: dict[str, datetime] = {}
        for v in versions:
            for p in v.pages_changed or []:
                changed_at[p["slug"]] = v.published_at
        pages = []
        for page in module.pages:  # current numbering and titles; pages removed since are not listed
            when = changed_at.get(page.slug)
            if when is not None:
                last = seen.get((module.slug, page.number))
                pages.append(ReviewPage(page.number, page.title, last is not None and last >= when))
        quiz_times = [v.published_at for v in versions if v.quiz_changed]
        quiz_changed = bool(quiz_times) and module.quiz is not None
        passed_at = last_pass.get(module.slug)
        retaken = quiz_changed and passed_at is not None and passed_at >= max(quiz_times)
        update = ModuleUpdate(module, tuple(pages), quiz_changed, bool(retaken),
                              tuple(v.change_note for v in versions))
        if update.outstanding:
            out.append(update)
    return out
