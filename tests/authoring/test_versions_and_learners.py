"""Version rules: attempts and certificates keep their version; a major change asks for review."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from authoring_helpers import COURSE, edit_fields

EDIT = f"/author/{COURSE}/01-basics"


def _publish(author, kind, replace):
    data = edit_fields(author.page(EDIT))
    for old, new in replace:
        assert old in data["source"]
        data["source"] = data["source"].replace(old, new)
    assert author.post(EDIT + "/save", data, token_from=EDIT).status_code == 302
    lock = author.page(EDIT + "/publish").find("input", {"name": "lock_version"})["value"]
    r = author.post(EDIT + "/publish", {"kind": kind, "note": f"A {kind} change", "lock_version": lock})
    assert r.status_code == 302, r.data[:2000]


def _completed_learner(author_app, learner, db_session):
    """The learner saw both pages, passed the quiz and holds a certificate, on the file version."""
    from leadership.certificates.models import Certificate
    from leadership.db import utcnow
    from leadership.learning.models import PageView
    from leadership.quizzes.models import ModuleCompletion, QuizAttempt

    with author_app.app_context():
        course = author_app.extensions["catalogue"].get().course(COURSE)
    module = course.module("basics")
    earlier = utcnow() - timedelta(days=2)
    for n in (1, 2):
        db_session.add(PageView(user_id=learner.id, course_slug=COURSE, module_slug="basics", page_number=n,
                                content_version=module.version, first_seen_at=earlier, last_seen_at=earlier))
    db_session.add(QuizAttempt(user_id=learner.id, course_slug=COURSE, module_slug="basics",
                               content_version=module.version, paper=[], token="t" * 40, started_at=earlier,
                               submitted_at=earlier, score=100, passed=True))
    db_session.add(ModuleCompletion(user_id=learner.id, course_slug=COURSE, module_slug="basics",
                                    content_version=module.version, score=100, completed_at=earlier))
    db_session.add(Certificate(code="ABCDEFGHJKLMNPQ", user_id=learner.id, course_slug=COURSE,
                               course_title=course.title, content_version=course.content_version,
                               holder_name="Cllr Ada Lovelace", issued_at=earlier))
    db_session.commit()
    return module.version, course.content_version


def test_publish_does_not_change_earned_versions_and_major_asks_for_review(
        author, author_app, learner, client_for, db_session):
    from leadership.certificates.models import Certificate
    from leadership.quizzes.models import ModuleCompletion, QuizAttempt

    module_version, course_version = _completed_learner(author_app, learner, db_session)
    reader = client_for(author_app, learner)
    assert "has been updated" not in reader.page(f"/courses/{COURSE}/basics").get_text()

    # A minor change: nothing to review.
    _publish(author, "minor", [("Some text.", "Some more text.")])
    assert "has been updated" not in reader.page(f"/courses/{COURSE}/basics").get_text()

    # A major change to page 1 and the quiz.
    _publish(author, "major", [("Councils run", "Every council runs"),
                               ("- [ ] Ransomware\n", "- [ ] Ransomware\n- [ ] Insider theft\n")])
    db_session.expire_all()
    assert db_session.scalar(sa.select(QuizAttempt.content_version)) == module_version
    assert db_session.scalar(sa.select(ModuleCompletion.content_version)) == module_version
    cert = db_session.scalar(sa.select(Certificate))
    assert cert.content_version == course_version and cert.revoked_at is None

    soup = reader.page(f"/courses/{COURSE}/basics")
    notice = soup.select_one(".govuk-notification-banner").get_text(" ")
    assert "This module has been updated" in notice
    assert "Why the basics matter" in notice and "Your role" not in notice
    assert "Retake the quiz" in notice
    assert "“The basics” has been updated" in reader.page(f"/courses/{COURSE}").get_text()

    # Progress is neither reset nor advanced.
    page = reader.page(f"/courses/{COURSE}/basics").get_text(" ")
    assert "2 of 2 pages seen" in page

    # Reviewing the changed page marks it reviewed; the quiz is still asked for.
    reader.page(f"/courses/{COURSE}/basics/1")
    notice = reader.page(f"/courses/{COURSE}/basics").select_one(".govuk-notification-banner").get_text(" ")
    assert "(reviewed)" in notice and "Retake the quiz" in notice

    # Passing the quiz again after the change clears the notice.
    from leadership.db import utcnow

    db_session.add(QuizAttempt(user_id=learner.id, course_slug=COURSE, module_slug="basics",
                               content_version="new", paper=[], token="u" * 40, submitted_at=utcnow(),
                               score=100, passed=True))
    db_session.commit()
    assert "has been updated" not in reader.page(f"/courses/{COURSE}/basics").get_text()


def test_learners_who_had_not_completed_see_no_notice(author, author_app, learner, client_for):
    _publish(author, "major", [("Councils run", "Every council runs")])
    reader = client_for(author_app, learner)
    assert "has been updated" not in reader.page(f"/courses/{COURSE}/basics").get_text()


def test_versions_record_changed_pages_by_slug_and_quiz_changes(author, db_session):
    from leadership.authoring.models import ModuleVersion

    _publish(author, "major", [("- Listen to answers.", "- Listen carefully to answers.")])
    v = db_session.scalars(sa.select(ModuleVersion).order_by(ModuleVersion.number.desc())).first()
    assert [p["title"] for p in v.pages_changed] == ["Your role"] and v.quiz_changed is False
    assert v.change_kind == "major" and v.content_hash != db_session.scalars(
        sa.select(ModuleVersion.content_hash).where(ModuleVersion.number == 1)).one()
