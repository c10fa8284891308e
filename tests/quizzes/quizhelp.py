"""Helpers for the quiz tests (imported as ``quizhelp``)."""
from __future__ import annotations

import re

import sqlalchemy as sa

COURSE = "quiz-course"


def quiz_url(module: str, rest: str = "") -> str:
    return f"/courses/{COURSE}/{module}/quiz{rest}"


def start(client: Client, module: str) -> str:
    """Press "Start quiz"; return the paper token."""
    response = client.post(quiz_url(module))
    assert response.status_code == 302, response.data[:1000]
    match = re.search(r"/quiz/paper/([^/]+)", response.headers["Location"])
    assert match, response.headers["Location"]
    return match.group(1)


def attempt_row(session, token):
    from leadership.quizzes.models import QuizAttempt

    session.expire_all()
    return session.scalar(sa.select(QuizAttempt).where(QuizAttempt.token == token))


def right_answers(quiz, question_ids) -> dict[str, set[str]]:
    return {qid: set(quiz.question(qid).correct_keys) for qid in question_ids}


def wrong_answers(quiz, question_ids) -> dict[str, set[str]]:
    out = {}
    for qid in question_ids:
        q = quiz.question(qid)
        wrong = [o.key for o in q.options if not o.correct]
        out[qid] = {wrong[0]}
    return out


def form_data(answers: dict[str, set[str]], attempt) -> dict:
    """What a browser posts for these answers (authored keys) on this paper: each option's
    opaque per-paper value, as the form shows it (the form never carries authored keys)."""
    values = {item["question"]: dict(zip(item["options"], item["values"])) for item in attempt.paper}
    return {f"q-{qid}": sorted(values[qid][k] for k in keys) for qid, keys in answers.items()}


def keys_of(attempt, qid: str, values) -> list[str]:
    """Authored keys for option values shown on this paper (to read a page back)."""
    item = next(i for i in attempt.paper if i["question"] == qid)
    lookup = dict(zip(item["values"], item["options"]))
    return [lookup[v] for v in values]


def read_pages(client: Client, module) -> None:
    for page in module.pages:
        client.page(f"/courses/{COURSE}/{module.slug}/{page.number}")
