"""Marking rules and paper drawing, against the content engine's objects (no database)."""
from __future__ import annotations

import random

import pytest

from leadership.content import mark_question, mark_quiz, passed
from leadership.quizzes import service
from leadership.quizzes.models import QuizAttempt


@pytest.fixture(scope="module")
def first(quiz_course):
    return quiz_course.module("first").quiz


@pytest.fixture(scope="module")
def second(quiz_course):
    return quiz_course.module("second").quiz


def test_fixture_covers_every_question_type(first, second):
    types = {q.type for quiz in (first, second) for q in quiz.questions}
    assert types == {"single", "multiple", "true-false"}
    assert first.settings.marking == "all-or-nothing" and second.settings.marking == "partial"


def test_single_choice_is_right_or_wrong(first):
    q = first.question("phishing-sign")
    assert q.type == "single"
    assert mark_question(q, {"b"}) == 1.0
    assert mark_question(q, {"a"}) == 0.0
    assert mark_question(q, set()) == 0.0


def test_true_false(first):
    q = first.question("controller")
    assert q.type == "true-false"
    assert mark_question(q, {"a"}) == 1.0 and mark_question(q, {"b"}) == 0.0


@pytest.mark.parametrize("selected, expected", [
    ({"a", "b"}, 1.0), ({"a"}, 0.0), ({"a", "b", "c"}, 0.0), (set(), 0.0), ({"c"}, 0.0),
])
def test_multiple_all_or_nothing(first, selected, expected):
    q = first.question("useful-backups")
    assert q.type == "multiple"
    assert mark_question(q, selected, "all-or-nothing") == expected


@pytest.mark.parametrize("selected, expected", [
    ({"a", "b", "c"}, 1.0),            # every correct option
    ({"a", "b"}, 2 / 3),               # two of three
    ({"a", "b", "d"}, 1 / 3),          # two right, one wrong
    ({"d"}, 0.0),                      # never below zero
    ({"a", "d"}, 0.0),
    ({"a", "b", "c", "d"}, 2 / 3),     # ticking everything is not full marks
])
def test_multiple_partial(second, selected, expected):
    q = second.question("threats")
    assert mark_question(q, selected, "partial") == pytest.approx(expected)


def test_quiz_percentage_rounds_half_up_and_unanswered_scores_zero(first, second):
    ids = first.question_ids
    score, results = mark_quiz(first, {"phishing-sign": {"b"}, "useful-backups": {"a", "b"}}, ids)
    assert score == 67 and [r.correct for r in results] == [True, True, False]
    assert passed(first, score)  # pass mark 60
    score, _ = mark_quiz(second, {"threats": {"a", "b"}, "risk-owner": {"a"}}, ["threats", "risk-owner"])
    assert score == 33 and not passed(second, score)  # (2/3 + 0) / 2


def _attempt(paper):
    return QuizAttempt(paper=paper, token="t", user_id=1, course_slug="c", module_slug="m", content_version="v")


def test_answers_outside_the_paper_are_refused(second):
    attempt = _attempt([{"question": "threats", "options": ["a", "b", "c", "d"]},
                        {"question": "passwords", "options": ["a", "b"]}])
    assert service.check_answers(attempt, second, {"threats": {"a"}, "passwords": {"b"}})
    with pytest.raises(service.ForeignAnswer, match="not on this paper"):
        service.check_answers(attempt, second, {"risk-owner": {"b"}})  # in the quiz, not on the paper
    with pytest.raises(service.ForeignAnswer, match="not on this paper"):
        service.check_answers(attempt, second, {"made-up": {"a"}})
    with pytest.raises(service.ForeignAnswer, match="did not offer"):
        service.check_answers(attempt, second, {"passwords": {"c"}})
    with pytest.raises(service.ForeignAnswer, match="one answer"):
        service.check_answers(attempt, second, {"passwords": {"a", "b"}})


def test_paper_draws_the_pool_and_shuffles_options(second):
    rng = random.Random(7)
    papers = [service.draw_paper(second, rng) for _ in range(40)]
    assert all(len(p) == second.settings.pool == 2 for p in papers)
    drawn = {tuple(item["question"] for item in p) for p in papers}
    assert len(drawn) > 1, "a retake should not always be the same paper"
    for p in papers:
        ids = [item["question"] for item in p]
        assert len(set(ids)) == 2 and set(ids) <= set(second.question_ids)
        for item in p:
            question = second.question(item["question"])
            assert sorted(item["options"]) == sorted(question.keys)
            if question.type == "true-false":
                assert item["options"] == ["a", "b"]  # True/False keep their authored order
    orders = {tuple(item["options"]) for p in papers for item in p if item["question"] == "threats"}
    assert len(orders) > 1
    # The stored paper holds keys and each option's random form value: nothing about which option is right.
    assert set(papers[0][0]) == {"question", "options", "values"}


def test_papers_use_the_system_random_source():
    assert service.rng_factory().__class__.__name__ == "SystemRandom"
