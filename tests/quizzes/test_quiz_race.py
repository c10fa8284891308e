"""Concurrent completion on PostgreSQL: racing requests still give one completion per module
and exactly one certificate (database constraints decide, not application checks)."""
from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from quizhelp import COURSE, form_data, quiz_url, right_answers, start

from support import Client


@pytest.fixture
def postgres_only(quiz_app):
    if quiz_app.extensions["database"].engine.dialect.name != "postgresql":
        pytest.skip("race test needs real concurrent writers: run with TEST_DATABASE_URL=postgresql://...")


def _run_together(n, work):
    barrier = threading.Barrier(n)
    results, errors = [None] * n, []

    def runner(i):
        try:
            barrier.wait(timeout=10)
            results[i] = work(i)
        except Exception as exc:  # reported below, never swallowed
            errors.append(exc)

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not errors, errors
    return results


def _seen_everything(session, user_id, course):
    from leadership.learning.models import PageView

    session.add_all(PageView(user_id=user_id, course_slug=course.slug, module_slug=m.slug, page_number=p.number,
                             content_version=m.version) for m in course.modules for p in m.pages)
    session.commit()


def _counts(session, user_id):
    from leadership.certificates.models import Certificate
    from leadership.quizzes.models import ModuleCompletion, QuizAttempt

    session.expire_all()

    def count(model, *where):
        return session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))

    return (count(ModuleCompletion, ModuleCompletion.user_id == user_id),
            count(Certificate, Certificate.user_id == user_id),
            count(QuizAttempt, QuizAttempt.user_id == user_id, QuizAttempt.submitted_at.is_not(None)))


def test_concurrent_update_completion_issues_one_certificate(postgres_only, quiz_app, qsession, quiz_course,
                                                             learner):
    from sqlalchemy.orm import Session

    from leadership.quizzes import service
    from leadership.quizzes.completion import update_completion

    _seen_everything(qsession, learner.id, quiz_course)
    for slug in ("first", "second"):
        module = quiz_course.module(slug)
        attempt = service.start_attempt(qsession, learner.id, quiz_course, module)
        service.submit_attempt(qsession, attempt.token, learner.id,
                               right_answers(module.quiz, attempt.question_ids), course=quiz_course)
    assert _counts(qsession, learner.id) == (0, 0, 2)

    engine = quiz_app.extensions["database"].engine

    def complete(_i):
        with Session(engine, expire_on_commit=False) as session:
            return update_completion(session, learner.id, quiz_course)

    results = _run_together(6, complete)
    assert all(course_complete for _slugs, course_complete in results)
    assert _counts(qsession, learner.id) == (3, 1, 2)


def test_racing_final_submissions_make_one_attempt_and_one_certificate(postgres_only, quiz_app, qsession,
                                                                      quiz_course, learner):
    from leadership.quizzes import service

    _seen_everything(qsession, learner.id, quiz_course)
    first = quiz_course.module("first")
    attempt = service.start_attempt(qsession, learner.id, quiz_course, first)
    service.submit_attempt(qsession, attempt.token, learner.id, right_answers(first.quiz, attempt.question_ids),
                           course=quiz_course)

    clients = []
    for _ in range(3):
        client = Client(quiz_app.test_client())
        client.sign_in(learner.email)
        clients.append(client)
    token = start(clients[0], "second")
    attempt = service.get_attempt(qsession, token, learner.id)
    answers = right_answers(quiz_course.module("second").quiz, attempt.question_ids)
    for n, qid in enumerate(attempt.question_ids, start=1):
        clients[0].post(quiz_url("second", f"/paper/{token}/{n}"), form_data({qid: answers[qid]}, attempt))
    check = quiz_url("second", f"/paper/{token}/check")
    tokens = [c.csrf_token(check) for c in clients]

    responses = _run_together(len(clients), lambda i: clients[i].raw.post(check, data={"csrf_token": tokens[i]}))
    assert {r.status_code for r in responses} == {303}
    assert {r.headers["Location"].rsplit("/", 1)[-1] for r in responses} == {token}
    assert _counts(qsession, learner.id) == (3, 1, 2)
    page = clients[1].page(quiz_url("second", f"/results/{token}"))
    assert "You have completed" in page.get_text()
    assert COURSE in check
