"""Question types and marking."""

import random

import pytest

from leadership.content import (
    QUESTION_TYPES, Option, Question, Quiz, QuizSettings, draw_questions, mark_question,
    mark_quiz, option_order, passed,
)


def q(id, type, flags):
    opts = tuple(Option(key=chr(97 + i), text=str(i), html=str(i), correct=c, feedback_html=None)
                 for i, c in enumerate(flags))
    return Question(id=id, type=type, prompt=id, prompt_html=id, options=opts,
                    explanation_html="", line=1)


SINGLE = q("s", "single", [False, True, False])
TF = q("t", "true-false", [False, True])
MULTI = q("m", "multiple", [True, True, True, False])
F = frozenset


def test_registry():
    assert set(QUESTION_TYPES) == {"single", "multiple", "true-false"}


def test_correct_keys():
    assert SINGLE.correct_keys == F("b")
    assert MULTI.correct_keys == F("abc")


@pytest.mark.parametrize("marking", ["all-or-nothing", "partial"])
@pytest.mark.parametrize("question,selected,score", [
    (SINGLE, "b", 1.0), (SINGLE, "a", 0.0), (SINGLE, "", 0.0), (SINGLE, "ab", 0.0),
    (SINGLE, "z", 0.0), (TF, "b", 1.0), (TF, "a", 0.0), (TF, "ab", 0.0),
])
def test_single_and_true_false_are_right_or_wrong(question, selected, score, marking):
    assert mark_question(question, F(selected), marking) == score


@pytest.mark.parametrize("selected,score", [
    ("abc", 1.0), ("ab", 0.0), ("abcd", 0.0), ("", 0.0), ("d", 0.0)])
def test_multiple_all_or_nothing(selected, score):
    assert mark_question(MULTI, F(selected), "all-or-nothing") == score


@pytest.mark.parametrize("selected,score", [
    ("abc", 1.0), ("ab", 2 / 3), ("a", 1 / 3), ("abcd", 2 / 3), ("ad", 0.0), ("d", 0.0),
    ("", 0.0), ("az", 0.0)])
def test_multiple_partial(selected, score):
    assert mark_question(MULTI, F(selected), "partial") == pytest.approx(score)


def quiz(marking="all-or-nothing", pool=None, shuffle=False, pass_mark=80):
    return Quiz(settings=QuizSettings(pass_mark=pass_mark, marking=marking, pool=pool,
                                      shuffle=shuffle),
                questions=(SINGLE, TF, MULTI), line=1)


def test_mark_quiz_all_or_nothing():
    score, per = mark_quiz(quiz(), {"s": F("b"), "t": F("a"), "m": F("ab")}, ["s", "t", "m"])
    assert score == 33
    assert [(r.question_id, r.score, r.correct) for r in per] == [
        ("s", 1.0, True), ("t", 0.0, False), ("m", 0.0, False)]
    assert not passed(quiz(), score)


def test_mark_quiz_partial_and_rounding_half_up():
    # 1 + 0.5 over 2 questions = 75
    qz = Quiz(settings=QuizSettings(marking="partial"),
              questions=(SINGLE, q("m2", "multiple", [True, True, False])), line=1)
    assert mark_quiz(qz, {"s": F("b"), "m2": F("a")}, ["s", "m2"])[0] == 75
    # 2.5 of 8 = 31.25 -> 31; 5 of 8 = 62.5 -> 63 (half up, not banker's rounding)
    many = Quiz(settings=QuizSettings(marking="partial"),
                questions=tuple(q(f"q{i}", "single", [True, False]) for i in range(8)), line=1)
    ids = [f"q{i}" for i in range(8)]
    assert mark_quiz(many, {f"q{i}": F("a") for i in range(5)}, ids)[0] == 63


def test_mark_quiz_only_counts_drawn_questions_and_unanswered_is_wrong():
    score, per = mark_quiz(quiz(), {"s": F("b"), "m": F("abc")}, ["s", "t"])
    assert score == 50 and len(per) == 2


def test_mark_quiz_passes_at_pass_mark():
    qz = quiz(pass_mark=67)
    score, _ = mark_quiz(qz, {"s": F("b"), "t": F("b")}, ["s", "t", "m"])
    assert score == 67 and passed(qz, score)


def test_mark_quiz_rejects_unknown_ids():
    with pytest.raises(KeyError):
        mark_quiz(quiz(), {}, ["nope"])
    with pytest.raises(ValueError):
        mark_quiz(quiz(), {}, [])


def test_draw_and_option_order():
    rng = random.Random(4)
    assert draw_questions(quiz(), rng) == ("s", "t", "m")
    drawn = draw_questions(quiz(pool=2), rng)
    assert len(drawn) == 2 and set(drawn) <= {"s", "t", "m"}
    assert list(drawn) == sorted(drawn, key=["s", "t", "m"].index)  # authored order kept
    shuffled = {draw_questions(quiz(shuffle=True), random.Random(i)) for i in range(20)}
    assert len(shuffled) > 1
    assert option_order(quiz(shuffle=True), TF, rng) == ("a", "b")  # never shuffle true/false
    orders = {option_order(quiz(shuffle=True), MULTI, random.Random(i)) for i in range(20)}
    assert len(orders) > 1 and all(sorted(o) == list("abcd") for o in orders)


def test_fence_states_follow_commonmark_closing_rules():
    from leadership.content import fence_states

    lines = list(enumerate(["text", "````", "# inside", "```", "```python", "still inside", "````",
                            "# outside"], start=1))
    flags = {text: in_code for _n, text, in_code in fence_states(lines)}
    # A shorter fence, or one followed by text, does not close a longer one.
    assert flags == {"text": False, "````": True, "# inside": True, "```": True, "```python": True,
                     "still inside": True, "# outside": False}
