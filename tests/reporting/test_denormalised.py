"""The rows reporting counts from are written by the learner's journey itself.

``course_start`` (one per learner per course, with the first page view) and
``module_completion.council_id`` (the learner's council, copied when the module completes).
"""
from __future__ import annotations

import sqlalchemy as sa

COURSE = "/courses/digital-leadership"


def test_first_page_view_starts_the_course_once(signed_in, learner, db_session):
    from leadership.learning.models import CourseStart, PageView

    signed_in.page(f"{COURSE}/cyber-security/2")  # a learner may start anywhere
    signed_in.page(f"{COURSE}/cyber-security/2")
    signed_in.page(f"{COURSE}/introduction/1")
    assert db_session.scalar(sa.select(sa.func.count()).select_from(PageView)) == 2
    [start] = db_session.scalars(sa.select(CourseStart)).all()
    assert (start.user_id, start.council_id, start.course_slug) == (learner.id, learner.council_id,
                                                                    "digital-leadership")


def test_completion_carries_the_learners_council(signed_in, learner, db_session):
    from leadership.quizzes.models import ModuleCompletion

    signed_in.page(f"{COURSE}/introduction/1")
    signed_in.page(f"{COURSE}/introduction/2")  # the last page of a module without a quiz
    [done] = db_session.scalars(sa.select(ModuleCompletion)).all()
    assert (done.module_slug, done.user_id, done.council_id) == ("introduction", learner.id, learner.council_id)


def test_rows_written_without_a_council_get_the_learners(app, learner, db_session):
    """Any other writer (scripts, fixtures) gets the same council through the column default."""
    from leadership.learning.models import CourseStart
    from leadership.quizzes.models import ModuleCompletion

    db_session.add(ModuleCompletion(user_id=learner.id, course_slug="digital-leadership", module_slug="summary",
                                    content_version="v1"))
    db_session.add(CourseStart(user_id=learner.id, course_slug="digital-leadership"))
    db_session.commit()
    assert db_session.scalar(sa.select(ModuleCompletion.council_id)) == learner.council_id
    assert db_session.scalar(sa.select(CourseStart.council_id)) == learner.council_id
