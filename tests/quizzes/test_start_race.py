"""F3 (security test): racing "Start quiz" requests cannot beat the attempt limit or the cool-down.

The report: 16 simultaneous POSTs of "Start quiz" (one session, one CSRF token, a thread
barrier) drew 10 papers on a 3-attempt quiz, and all of them could be marked. Here the same
attack runs against a real HTTP server (werkzeug, threaded) on SQLite and on PostgreSQL:
never more than one open paper, never more marked attempts than the allowance, no paper
inside the cool-down; and marking checks the allowance again.
"""
from __future__ import annotations

import http.client
import re
import threading
from datetime import timedelta
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa
from quizhelp import COURSE, attempt_row, form_data, quiz_url, wrong_answers

from leadership.quizzes.models import QuizAttempt

RACERS = 16
MODULE = "second"  # attempts: 2, cooldown_minutes: 30, one question per page


@pytest.fixture
def live(quiz_app):
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, quiz_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()
    thread.join(10)


def _post(port: int, path: str, cookie: str, form: dict):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request("POST", path, body=urlencode(form),
                     headers={"Cookie": f"session={cookie}", "Content-Type": "application/x-www-form-urlencoded"})
        response = conn.getresponse()
        response.read()
        return response.status, response.getheader("Location") or ""
    finally:
        conn.close()


def _race_start(port: int, cookie: str, csrf: str) -> list[tuple[int, str]]:
    barrier = threading.Barrier(RACERS)
    results: list = [None] * RACERS
    errors: list = []

    def racer(i):
        try:
            barrier.wait(timeout=30)
            results[i] = _post(port, quiz_url(MODULE), cookie, {"csrf_token": csrf})
        except Exception as exc:  # reported below, never swallowed
            errors.append(exc)

    threads = [threading.Thread(target=racer, args=(i,)) for i in range(RACERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(180)
    assert not errors, errors
    return results


def _papers(results) -> set[str]:
    return {m.group(1) for _status, location in results if (m := re.search(r"/quiz/paper/([^/]+)", location))}


def _rows(qsession, learner):
    qsession.expire_all()
    return qsession.scalars(sa.select(QuizAttempt).where(QuizAttempt.user_id == learner.id)
                            .order_by(QuizAttempt.id)).all()


def _fail_paper(qclient, qsession, quiz, token):
    attempt = attempt_row(qsession, token)
    for n, qid in enumerate(attempt.question_ids, start=1):
        qclient.post(quiz_url(MODULE, f"/paper/{token}/{n}"), form_data(wrong_answers(quiz, [qid]), attempt))
    response = qclient.post(quiz_url(MODULE, f"/paper/{token}/check"), {})
    assert response.status_code == 303, response.data[:500]


def _wait_out_the_cool_down(qsession, learner):
    """31 minutes pass (moved in the database, no sleeping)."""
    for row in _rows(qsession, learner):
        row.started_at -= timedelta(minutes=31)
        row.submitted_at = row.submitted_at and row.submitted_at - timedelta(minutes=31)
    qsession.commit()


def test_sixteen_simultaneous_starts_never_beat_the_allowance(live, qclient, qsession, quiz_course, learner):
    quiz = quiz_course.module(MODULE).quiz
    csrf = qclient.csrf_token(quiz_url(MODULE))
    cookie = qclient.raw.get_cookie("session").value

    # Round 1: sixteen at once give one paper, and every racer is sent to it.
    results = _race_start(live, cookie, csrf)
    assert {status for status, _ in results} == {302}, results
    papers = _papers(results)
    assert len(papers) == 1, papers
    rows = _rows(qsession, learner)
    assert len(rows) == 1 and rows[0].submitted_at is None
    _fail_paper(qclient, qsession, quiz, papers.pop())

    # Inside the cool-down: sixteen at once draw nothing.
    results = _race_start(live, cookie, csrf)
    assert {status for status, _ in results} == {403}, results
    assert len(_rows(qsession, learner)) == 1

    # After the cool-down: one paper again, the second and last attempt.
    _wait_out_the_cool_down(qsession, learner)
    results = _race_start(live, cookie, csrf)
    assert {status for status, _ in results} == {302}, results
    papers = _papers(results)
    assert len(papers) == 1, papers
    _fail_paper(qclient, qsession, quiz, papers.pop())

    # The limit is reached: sixteen at once draw nothing, even after the cool-down.
    _wait_out_the_cool_down(qsession, learner)
    results = _race_start(live, cookie, csrf)
    assert {status for status, _ in results} == {403}, results
    rows = _rows(qsession, learner)
    assert len(rows) == 2 == quiz.settings.attempts
    assert all(r.submitted_at is not None for r in rows)


def test_the_database_refuses_a_second_open_paper(quiz_app, qsession, learner, quiz_course):
    from leadership.db import utcnow

    module = quiz_course.module(MODULE)

    def paper(token):
        return QuizAttempt(user_id=learner.id, course_slug=COURSE, module_slug=MODULE,
                           content_version=module.version, paper=[], draft={}, token=token, started_at=utcnow())

    qsession.add(paper("one"))
    qsession.commit()
    qsession.add(paper("two"))
    with pytest.raises(sa.exc.IntegrityError):
        qsession.commit()
    qsession.rollback()


def _raced_paper(qsession, learner, module, *, marked: list[tuple[int, bool]], started_minutes_ago: int):
    """Marked attempts (minutes ago, passed) and one open paper, written directly as a race
    before the unique index could have left them."""
    from leadership.db import utcnow
    from leadership.quizzes import service

    now = utcnow()
    for n, (minutes_ago, passed) in enumerate(marked):
        qsession.add(QuizAttempt(user_id=learner.id, course_slug=COURSE, module_slug=MODULE,
                                 content_version=module.version, paper=[], token=f"marked-{n}",
                                 started_at=now - timedelta(minutes=minutes_ago + 1),
                                 submitted_at=now - timedelta(minutes=minutes_ago), score=0, passed=passed))
    open_paper = QuizAttempt(user_id=learner.id, course_slug=COURSE, module_slug=MODULE,
                             content_version=module.version, paper=service.draw_paper(module.quiz), draft={},
                             token="raced", started_at=now - timedelta(minutes=started_minutes_ago))
    qsession.add(open_paper)
    qsession.commit()
    return open_paper


@pytest.mark.parametrize("marked,started,reason", [
    ([(300, False), (200, False)], 100, "limit"),  # drawn after the last attempt was used
    ([(10, False)], 5, "cool-down"),  # drawn five minutes after a failed attempt (30-minute cool-down)
    ([(10, False)], 20, "overlap"),  # drawn before another paper was marked: both were open at once
])
def test_marking_checks_the_allowance_again(qclient, qsession, quiz_course, learner, marked, started, reason):
    module = quiz_course.module(MODULE)
    _raced_paper(qsession, learner, module, marked=marked, started_minutes_ago=started)
    _fail_paper_refused = attempt_row(qsession, "raced")
    for n, qid in enumerate(_fail_paper_refused.question_ids, start=1):
        qclient.post(quiz_url(MODULE, f"/paper/raced/{n}"),
                     form_data(wrong_answers(module.quiz, [qid]), _fail_paper_refused))
    response = qclient.post(quiz_url(MODULE, "/paper/raced/check"), {})
    assert response.status_code == 403, reason
    assert "could not be marked" in response.get_data(as_text=True)
    rows = _rows(qsession, learner)
    assert all(r.token != "raced" for r in rows), "the raced paper is discarded, never marked"
    assert sum(r.submitted_at is not None for r in rows) == len(marked)
