"""`flask demo seed`: deterministic, consistent with the course, every council, resettable."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa


def _seed(app, **kw):
    from leadership.demo.seed import seed
    from leadership.extensions import db

    with app.app_context():
        result = seed(db.session, today=date(2026, 11, 25), **kw)
        db.session.remove()
    return result


def _reset(app):
    from leadership.demo.seed import reset
    from leadership.extensions import db

    with app.app_context():
        removed = reset(db.session)
        db.session.remove()
    return removed


def test_same_seed_same_data_and_consistent(app):
    from leadership.auth.models import User
    from leadership.certificates.models import Certificate
    from leadership.councils.models import Council
    from leadership.extensions import db
    from leadership.learning.models import CourseStart, PageView
    from leadership.quizzes.models import ModuleCompletion, QuizAttempt

    first = _seed(app, learners=400, seed=3)
    assert first.counts["user_account"] == 400 and first.counts["page_view"] > 400 * 10
    assert first.counts["quiz_attempt"] > 0 and first.counts["certificate"] > 0
    with app.app_context():
        s = db.session
        councils = s.scalar(sa.select(sa.func.count()).select_from(Council).where(Council.current.is_(True)))
        used = s.scalar(sa.select(sa.func.count(sa.distinct(User.council_id))))
        assert used == councils  # every current council has learners
        emails = s.scalar(sa.select(sa.func.count(sa.distinct(User.email))))
        assert emails == 400 and s.scalar(sa.select(sa.func.count()).where(~User.email.like("%@example.org"))) == 0
        # Every certificate holder completed every required module; passed attempts back every quiz module.
        holders = set(s.scalars(sa.select(Certificate.user_id)))
        for uid in list(holders)[:20]:
            done = set(s.scalars(sa.select(ModuleCompletion.module_slug).where(ModuleCompletion.user_id == uid)))
            assert {"digitalisation", "cyber-security", "open-data-and-transparency"} <= done
        # The rows reporting counts from: one course start per learner with a page view, and every
        # completion in its learner's council.
        viewers = s.scalar(sa.select(sa.func.count(sa.distinct(PageView.user_id))))
        assert first.counts["course_start"] == viewers == s.scalar(sa.select(sa.func.count()).select_from(
            CourseStart).join(User, User.id == CourseStart.user_id).where(CourseStart.council_id == User.council_id))
        assert s.scalar(sa.select(sa.func.count()).select_from(ModuleCompletion).join(
            User, User.id == ModuleCompletion.user_id).where(ModuleCompletion.council_id != User.council_id)) == 0
        passed = s.scalar(sa.select(sa.func.count()).where(QuizAttempt.passed.is_(True)))
        assert passed <= first.counts["module_completion"]
        db.session.remove()
    removed = _reset(app)
    assert removed["user_account"] == 400 and removed["course_start"] == first.counts["course_start"]
    again = _seed(app, learners=400, seed=3)
    assert again.counts == first.counts
    assert again.first_learner[1:] == first.first_learner[1:] or again.first_learner[2:] == first.first_learner[2:]
    _reset(app)
    other = _seed(app, learners=400, seed=4)
    assert other.counts != first.counts


def test_seed_command(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "seed", "--learners", "50", "--seed", "1", "--no-answers"])
    assert result.exit_code == 0, result.output
    assert "Seeded 50 learners" in result.output and "quiz_answer" in result.output
    result = runner.invoke(args=["demo", "seed", "--learners", "50", "--seed", "1", "--reset"])
    assert result.exit_code == 0 and "removed 50 demo learners" in result.output
