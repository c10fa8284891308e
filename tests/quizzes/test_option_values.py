"""F4 (security test): a quiz form's option values reveal nothing about the authored options.

The report: options were shuffled on screen but each radio/checkbox value was its authored
letter, and the right answer is ``a`` in 48 of the course's 84 questions, so ticking every
``a`` passed "Leading digital change" 57% of the time. Now each paper gives its options random
values, mapped back on the server; authored letters are refused.
"""
from __future__ import annotations

import re

import sqlalchemy as sa
from bs4 import BeautifulSoup

from support import Client

COURSE = "/courses/digital-leadership"
MODULE = "leading-change"


def _start(client) -> tuple[str, BeautifulSoup]:
    response = client.post(f"{COURSE}/{MODULE}/quiz")
    assert response.status_code == 302, response.data[:500]
    paper_url = response.headers["Location"]
    return paper_url, client.page(paper_url)


def _inputs(soup) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for field in soup.select("input[type=radio], input[type=checkbox]"):
        if field["name"].startswith("q-"):
            out.setdefault(field["name"][2:], []).append(field["value"])
    return out


def _attempt(app, paper_url):
    from leadership.extensions import db
    from leadership.quizzes.models import QuizAttempt

    token = re.search(r"/quiz/paper/([^/]+)", paper_url).group(1)
    with app.app_context():
        attempt = db.session.scalar(sa.select(QuizAttempt).where(QuizAttempt.token == token))
        db.session.expunge(attempt)
        db.session.remove()
    return attempt


def _mark_as_done(app, attempt):
    from leadership.db import utcnow
    from leadership.extensions import db
    from leadership.quizzes.models import QuizAttempt

    with app.app_context():
        db.session.execute(sa.update(QuizAttempt).where(QuizAttempt.id == attempt.id)
                           .values(submitted_at=utcnow(), score=0, passed=False))
        db.session.commit()
        db.session.remove()


def test_option_values_are_not_authored_letters_and_change_every_paper(app, signed_in):
    from leadership.catalogue import catalogue_service

    with app.app_context():
        quiz = catalogue_service.get().course("digital-leadership").module(MODULE).quiz
    seen: dict[str, list[str]] = {}
    for _ in range(3):
        paper_url, soup = _start(signed_in)
        attempt = _attempt(app, paper_url)
        shown = _inputs(soup)
        assert set(shown) == set(attempt.question_ids)
        for qid, values in shown.items():
            keys = set(quiz.question(qid).keys)
            assert not keys & set(values), f"{qid}: an authored key is on the form"
            assert all(re.fullmatch(r"[A-Za-z0-9_-]{12}", v) for v in values), values
            assert len(set(values)) == len(values)
            # the value says nothing about the option: the same option gets another value next paper
            by_key = dict(zip(next(i["options"] for i in attempt.paper if i["question"] == qid), values))
            for key, value in by_key.items():
                seen.setdefault(f"{qid}:{key}", []).append(value)
        _mark_as_done(app, attempt)
    assert any(len(values) > 1 for values in seen.values())
    assert all(len(set(values)) == len(values) for values in seen.values()), "values repeat across papers"


def test_always_ticking_the_first_authored_option_no_longer_maps_to_anything(app, signed_in, db_session):
    from leadership.quizzes.models import QuizAnswer, QuizAttempt

    paper_url, soup = _start(signed_in)
    shown = _inputs(soup)
    assert "a" not in {v for values in shown.values() for v in values}
    always_a = {f"q-{qid}": "a" for qid in shown}
    response = signed_in.post(paper_url, always_a)
    assert response.status_code == 400
    assert "could not be accepted" in response.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.scalar(sa.select(sa.func.count()).select_from(QuizAnswer)) == 0
    assert db_session.scalar(sa.select(QuizAttempt.submitted_at)) is None


def test_the_values_on_the_page_are_what_the_server_marks(app, signed_in, db_session):
    """Ticking the value the page shows next to the right option scores it right (the mapping
    back to authored keys is done on the server)."""
    from leadership.catalogue import catalogue_service
    from leadership.quizzes.models import QuizAttempt

    with app.app_context():
        quiz = catalogue_service.get().course("digital-leadership").module(MODULE).quiz
    paper_url, _soup = _start(signed_in)
    attempt = _attempt(app, paper_url)
    form = {}
    for item in attempt.paper:
        right = quiz.question(item["question"]).correct_keys
        form[f"q-{item['question']}"] = [v for k, v in zip(item["options"], item["values"]) if k in right]
    response = signed_in.post(paper_url, form)
    assert response.status_code == 303
    db_session.expire_all()
    assert db_session.scalar(sa.select(QuizAttempt.score)) == 100


def test_another_papers_values_are_refused(app, make_user):
    first, second = Client(app.test_client()), Client(app.test_client())
    first.sign_in(make_user().email)
    second.sign_in(make_user().email)
    url_one, soup_one = _start(first)
    url_two, _ = _start(second)
    borrowed = {f"q-{qid}": values[0] for qid, values in _inputs(soup_one).items()}
    response = second.post(url_two, borrowed)
    assert response.status_code == 400
