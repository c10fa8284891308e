"""Question types and marking: what a type checks in a draft, how it scores an answer.

A question type is a class registered in :data:`QUESTION_TYPES`.  It checks a
parsed draft (``check``) and marks an answer (``mark``).  Adding a type means
writing one class and calling :func:`register`.  Marking lives here, beside the
types, so the model (:mod:`.model`) stays plain data and imports nothing back.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from .model import Question, Quiz
from .quiz_drafts import QuestionDraft

__all__ = [
    "MARKINGS", "MultipleChoice", "QUESTION_TYPES", "QuestionResult", "QuestionType",
    "SingleChoice", "TrueFalse", "draw_questions", "infer_type", "mark_question", "mark_quiz",
    "option_order", "passed", "register",
]

MARKINGS = ("all-or-nothing", "partial")


# --------------------------------------------------------------------------- types


class QuestionType:
    """Base class: subclasses set ``name``/``label`` and override ``check``/``mark``."""

    name = ""
    label = ""

    def check(self, q: QuestionDraft) -> list[tuple[int, str]]:
        out = []
        if len(q.options) < 2:
            n = len(q.options)
            out.append((q.line, f'question "{q.id}" has {n} option{"" if n == 1 else "s"}; '
                                "it needs at least 2"))
        if q.options and q.correct_count == 0:
            out.append((q.line, f'question "{q.id}" has no correct answer; mark it with "- [x]"'))
        return out

    def mark(self, question: Question, selected: frozenset[str], marking: str) -> float:
        return 1.0 if selected == question.correct_keys else 0.0


class SingleChoice(QuestionType):
    name = "single"
    label = "Choose one answer"

    def check(self, q: QuestionDraft) -> list[tuple[int, str]]:
        out = super().check(q)
        if q.correct_count > 1:
            out.append((q.line, f'question "{q.id}" is {self.name} choice but has '
                                f'{q.correct_count} correct answers; mark only one "- [x]" '
                                'or add "Type: multiple"'))
        return out


class TrueFalse(SingleChoice):
    name = "true-false"
    label = "True or false"

    def check(self, q: QuestionDraft) -> list[tuple[int, str]]:
        out = super().check(q)
        if q.options and not q.looks_true_false():
            out.append((q.line, f'question "{q.id}" is true-false but its options are not '
                                '"True" and "False"'))
        return out


class MultipleChoice(QuestionType):
    name = "multiple"
    label = "Select all that apply"

    def mark(self, question: Question, selected: frozenset[str], marking: str) -> float:
        correct = question.correct_keys
        if marking == "partial":
            if not correct:
                return 0.0
            right = len(selected & correct)
            wrong = len(selected - correct)
            return max(0.0, (right - wrong) / len(correct))
        return 1.0 if selected == correct else 0.0


QUESTION_TYPES: dict[str, QuestionType] = {}


def register(cls: type[QuestionType]) -> type[QuestionType]:
    QUESTION_TYPES[cls.name] = cls()
    return cls


for _cls in (SingleChoice, MultipleChoice, TrueFalse):
    register(_cls)


def infer_type(q: QuestionDraft) -> str:
    """The type of a question written without ``Type:``."""
    if q.looks_true_false():
        return "true-false"
    if q.correct_count > 1:
        return "multiple"
    return "single"


# --------------------------------------------------------------------------- marking


@dataclass(frozen=True, slots=True)
class QuestionResult:
    question_id: str
    selected: frozenset[str]
    score: float  # 0..1
    correct: bool  # score == 1


def mark_question(question: Question, selected_keys: Iterable[str],
                  marking: str = "all-or-nothing") -> float:
    """Score 0..1 for one answer, by the question's type."""
    return QUESTION_TYPES[question.type].mark(question, frozenset(selected_keys), marking)


def mark_quiz(quiz: Quiz, answers: Mapping[str, Iterable[str]],
              question_ids: Sequence[str]) -> tuple[int, list[QuestionResult]]:
    """Mark one attempt.

    ``question_ids`` are the questions the learner was shown (the pool drawn
    for this attempt); unanswered questions score 0; answer keys that are not
    options of the question count as wrong selections.  Returns the percentage
    (rounded half up) and one :class:`QuestionResult` per question, in order.
    Passed means ``score >= quiz.settings.pass_mark``.
    """
    if not question_ids:
        raise ValueError("mark_quiz needs at least one question id")
    results = []
    total = 0.0
    for qid in question_ids:
        q = quiz.question(qid)
        if q is None:
            raise KeyError(f"no question {qid!r} in this quiz")
        selected = frozenset(answers.get(qid, ()) or ())
        score = mark_question(q, selected, quiz.settings.marking)
        total += score
        results.append(QuestionResult(qid, selected, score, score >= 1.0))
    percent = math.floor(100 * total / len(question_ids) + 0.5 + 1e-9)
    return percent, results


def passed(quiz: Quiz, score_percent: int) -> bool:
    return score_percent >= quiz.settings.pass_mark


def draw_questions(quiz: Quiz, rng: random.Random | None = None) -> tuple[str, ...]:
    """The question ids for one attempt: the pool (if any), shuffled if configured."""
    rng = rng or random.Random()
    ids = list(quiz.question_ids)
    n = quiz.pool_size
    if n < len(ids):
        ids = rng.sample(ids, n)
        if not quiz.settings.shuffle:
            order = {qid: i for i, qid in enumerate(quiz.question_ids)}
            ids.sort(key=order.__getitem__)
    elif quiz.settings.shuffle:
        rng.shuffle(ids)
    return tuple(ids)


def option_order(quiz: Quiz, question: Question, rng: random.Random | None = None
                 ) -> tuple[str, ...]:
    """Option keys in display order (true/false questions are never shuffled)."""
    keys = list(question.keys)
    if quiz.settings.shuffle and question.type != "true-false":
        (rng or random.Random()).shuffle(keys)
    return tuple(keys)
