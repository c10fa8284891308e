"""The completion rule, in one place.

A module is complete when the learner has seen every page and (if it has a quiz)
passed the quiz. Completion is recorded once, as a ``ModuleCompletion`` row, and
stays: editing a module later does not take a completion away. A course is
complete when every required module is; then its certificate is issued (the
certificates feature makes that exactly-once with a unique constraint).
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..auth.models import User
from ..content import Course, Module
from ..db import utcnow
from ..learning.models import PageView
from .models import ModuleCompletion, QuizAttempt


def _insert(session: Session):
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def completed_module_slugs(session: Session, user_id: int, course_slug: str) -> set[str]:
    return set(session.scalars(sa.select(ModuleCompletion.module_slug).where(
        ModuleCompletion.user_id == user_id, ModuleCompletion.course_slug == course_slug)))


def course_is_complete(course: Course, completed: set[str]) -> bool:
    required = course.required_modules
    return bool(required) and all(m.slug in completed for m in required)


def update_completion(session: Session, user_id: int, course: Course) -> tuple[set[str], bool]:
    """Record every newly complete module; issue the certificate when the course is complete.

    Safe to call any number of times, from concurrent requests: completions are
    inserted with ON CONFLICT DO NOTHING and the certificate is issued at most once.
    Returns (slugs of completed modules, whether the course is complete). Commits.
    """
    from ..learning.progress import course_progress

    progress = course_progress(session, user_id, course)
    completed = completed_module_slugs(session, user_id, course.slug)
    newly = [mp for mp in progress.modules if mp.complete and mp.module.slug not in completed]
    if newly:
        best = _best_passes(session, user_id, course.slug, [mp.module.slug for mp in newly])
        now = utcnow()
        insert = _insert(session)
        # The learner's council, copied onto each completion so reports count without a join.
        council = sa.select(User.council_id).where(User.id == user_id).scalar_subquery()
        for mp in newly:
            score, version = best.get(mp.module.slug, (None, mp.module.version))
            session.execute(
                insert(ModuleCompletion)
                .values(user_id=user_id, council_id=council, course_slug=course.slug, module_slug=mp.module.slug,
                        content_version=version, score=score, completed_at=now)
                .on_conflict_do_nothing(index_elements=["user_id", "course_slug", "module_slug"]))
            completed.add(mp.module.slug)
        session.commit()
    complete = course_is_complete(course, completed)
    if complete:
        from ..certificates.service import issue_certificate

        language = course.language if course.language in ("en", "cy") else "en"
        issue_certificate(session, user_id, course, language=language)
    return completed, complete


def _best_passes(session: Session, user_id: int, course_slug: str, module_slugs: list[str]) -> dict[str, tuple[int, str]]:
    """Best passing score per module, with the content version it was earned on."""
    rows = session.execute(
        sa.select(QuizAttempt.module_slug, QuizAttempt.score, QuizAttempt.content_version)
        .where(QuizAttempt.user_id == user_id, QuizAttempt.course_slug == course_slug,
               QuizAttempt.module_slug.in_(module_slugs), QuizAttempt.passed.is_(True))
        .order_by(QuizAttempt.score.asc(), QuizAttempt.submitted_at.asc())).all()
    return {slug: (score, version) for slug, score, version in rows}  # highest score wins


def after_page_view(session: Session, user_id: int, course: Course, module: Module) -> None:
    """Cheap check after a page view: record completion once the last unseen page is read."""
    done = session.scalar(sa.select(ModuleCompletion.id).where(
        ModuleCompletion.user_id == user_id, ModuleCompletion.course_slug == course.slug,
        ModuleCompletion.module_slug == module.slug))
    if done is not None:
        return
    if module.has_quiz and not session.scalar(sa.select(QuizAttempt.id).where(
            QuizAttempt.user_id == user_id, QuizAttempt.course_slug == course.slug,
            QuizAttempt.module_slug == module.slug, QuizAttempt.passed.is_(True)).limit(1)):
        return
    seen = session.scalar(sa.select(sa.func.count(sa.distinct(PageView.page_number))).where(
        PageView.user_id == user_id, PageView.course_slug == course.slug,
        PageView.module_slug == module.slug, PageView.page_number <= len(module.pages)))
    if seen >= len(module.pages):
        update_completion(session, user_id, course)
