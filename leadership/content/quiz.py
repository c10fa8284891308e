"""Quiz syntax, question types and marking.

A question type is a class registered in :data:`QUESTION_TYPES`.  It checks a
parsed draft (``check``) and marks an answer (``mark``).  Adding a type means
writing one class and calling :func:`register`.
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

from .model import Option, Problem, Question, Quiz, QuizSettings
from .render import render_inline, render_markdown, slugify, UrlRewriter

__all__ = [
    "QUESTION_TYPES", "QuestionType", "SingleChoice", "MultipleChoice", "TrueFalse",
    "register", "parse_quiz", "parse_quiz_settings", "mark_quiz", "QuestionResult",
    "draw_questions", "option_order", "DISPLAYS", "MARKINGS", "QUIZ_KEYS",
]

DISPLAYS = ("all", "one-per-page")
MARKINGS = ("all-or-nothing", "partial")
QUIZ_KEYS = ("pass_mark", "display", "marking", "attempts", "cooldown_minutes", "shuffle", "pool")

QUIZ_HEADINGS = ("quiz", "cwis")
TRUE_WORDS = ("true", "gwir")
FALSE_WORDS = ("false", "gau")

ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
HEADING_RE = re.compile(r"^ {0,3}##(?:[ \t]+(.*?))?[ \t]*#*[ \t]*$")
HEADING_ID_RE = re.compile(r"^(.*?)\s*\{#([^}]*)\}\s*$")
OPTION_RE = re.compile(r"^ {0,3}[-*+][ \t]+\[([ xX])\](?:[ \t]+(.*?))?[ \t]*$")
BULLET_RE = re.compile(r"^ {0,3}[-*+][ \t]+\S")
TYPE_RE = re.compile(r"^(?:Type|Math):[ \t]*(.*?)[ \t]*$", re.I)
EXPLANATION_RE = re.compile(r"^(?:Explanation|Esboniad):[ \t]*(.*)$", re.I)
FEEDBACK_RE = re.compile(r"^[ \t]+(?:Feedback|Adborth):[ \t]*(.*?)[ \t]*$", re.I)
FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


# --------------------------------------------------------------------------- drafts


@dataclass
class OptionDraft:
    text: str
    correct: bool
    line: int
    feedback: list[str] | None = None


@dataclass
class QuestionDraft:
    prompt: str
    id: str
    line: int
    type: str | None = None
    type_line: int = 0
    detail: list[str] = field(default_factory=list)
    options: list[OptionDraft] = field(default_factory=list)
    explanation: list[str] | None = None

    @property
    def correct_count(self) -> int:
        return sum(1 for o in self.options if o.correct)

    def looks_true_false(self) -> bool:
        if len(self.options) != 2:
            return False
        words = [o.text.strip().strip(".!").lower() for o in self.options]
        return words[0] in TRUE_WORDS + FALSE_WORDS and words[1] in TRUE_WORDS + FALSE_WORDS \
            and (words[0] in TRUE_WORDS) != (words[1] in TRUE_WORDS)


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
    if q.looks_true_false():
        return "true-false"
    if q.correct_count > 1:
        return "multiple"
    return "single"


# --------------------------------------------------------------------------- settings


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def parse_quiz_settings(raw, key_lines: Mapping[str, int], default_pass_mark: int,
                        path: str, line: int) -> tuple[QuizSettings, list[Problem], int | None]:
    """Validate the front-matter ``quiz:`` mapping.  Returns settings, problems, raw pool."""
    problems: list[Problem] = []

    def bad(key: str, msg: str) -> None:
        problems.append(Problem(path, key_lines.get(key, line), msg))

    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        problems.append(Problem(path, line, '"quiz" must be a mapping of settings '
                                            f'({", ".join(QUIZ_KEYS)})'))
        return QuizSettings(pass_mark=default_pass_mark), problems, None
    for key in raw:
        if key not in QUIZ_KEYS:
            bad(key, f'unknown quiz setting "{key}"; allowed: {", ".join(QUIZ_KEYS)}')

    pass_mark = raw.get("pass_mark", default_pass_mark)
    if not _is_int(pass_mark) or not 1 <= pass_mark <= 100:
        bad("pass_mark", f"quiz pass_mark must be a whole number from 1 to 100, not {pass_mark!r}")
        pass_mark = default_pass_mark
    display = raw.get("display", "all")
    if display not in DISPLAYS:
        bad("display", f'unknown quiz display "{display}"; use {" or ".join(DISPLAYS)}')
        display = "all"
    marking = raw.get("marking", "all-or-nothing")
    if marking not in MARKINGS:
        bad("marking", f'unknown quiz marking "{marking}"; use {" or ".join(MARKINGS)}')
        marking = "all-or-nothing"
    attempts = raw.get("attempts", 0)
    if not _is_int(attempts) or attempts < 0:
        bad("attempts", f"quiz attempts must be a whole number, 0 for unlimited, not {attempts!r}")
        attempts = 0
    cooldown = raw.get("cooldown_minutes", 0)
    if not _is_int(cooldown) or cooldown < 0:
        bad("cooldown_minutes", f"quiz cooldown_minutes must be a whole number of minutes, "
                                f"not {cooldown!r}")
        cooldown = 0
    shuffle = raw.get("shuffle", False)
    if not isinstance(shuffle, bool):
        bad("shuffle", f"quiz shuffle must be true or false, not {shuffle!r}")
        shuffle = False
    pool = raw.get("pool")
    if pool is not None and not _is_int(pool):
        bad("pool", f"quiz pool must be a whole number of questions, not {pool!r}")
        pool = None
    settings = QuizSettings(pass_mark=pass_mark, display=display, marking=marking,
                            attempts=attempts, cooldown_minutes=cooldown, shuffle=shuffle,
                            pool=pool)
    return settings, problems, pool


# --------------------------------------------------------------------------- parsing


def is_quiz_heading(title: str) -> bool:
    return title.strip().rstrip(":").strip().lower() in QUIZ_HEADINGS


def fence_states(lines: Sequence[tuple[int, str]]):
    """Yield (line_number, text, in_code) for each line; in_code is true for fenced code blocks,
    their opening and closing fences included (CommonMark: a closing fence is at least as long as
    the opening one, of the same character, with nothing after it)."""
    fence: str | None = None
    for n, text in lines:
        fm = FENCE_RE.match(text)
        if fence is not None:
            if fm and fm.group(1)[0] == fence[0] and len(fm.group(1)) >= len(fence) \
                    and not text.strip()[len(fm.group(1)):].strip():
                fence = None
            yield n, text, True
        elif fm:
            fence = fm.group(1)
            yield n, text, True
        else:
            yield n, text, False


def _split_questions(lines: Sequence[tuple[int, str]], path: str):
    """Yield (heading_line, heading_text, body_lines); report stray text first."""
    problems: list[Problem] = []
    blocks: list[tuple[int, str, list[tuple[int, str]]]] = []
    for n, text, in_code in fence_states(lines):
        if not in_code:
            hm = HEADING_RE.match(text)
            if hm:
                blocks.append((n, (hm.group(1) or "").strip(), []))
                continue
        if blocks:
            blocks[-1][2].append((n, text))
        elif text.strip() and not problems:  # report stray text once
            problems.append(Problem(path, n, 'text in the quiz before the first question; '
                                             'each question starts with a "## " heading'))
    return blocks, problems


def _parse_block(line: int, heading: str, body, path: str) -> tuple[QuestionDraft, list[Problem]]:
    problems: list[Problem] = []
    m = HEADING_ID_RE.match(heading)
    if m:
        prompt, qid = m.group(1).strip(), m.group(2).strip()
        if not ID_RE.match(qid):
            problems.append(Problem(path, line, f'question id "{qid}" must use only lowercase '
                                                "letters, digits and hyphens"))
    else:
        prompt, qid = heading, slugify(heading)
    if not prompt:
        problems.append(Problem(path, line, "question heading has no text"))
    q = QuestionDraft(prompt=prompt, id=qid or f"question-{line}", line=line)
    if not qid and prompt:
        problems.append(Problem(path, line, 'cannot make an id from this question; add {#an-id}'))

    current: OptionDraft | None = None
    bullets_reported = False
    for n, text in body:
        if q.explanation is not None:
            q.explanation.append(text)
            continue
        if not text.strip():
            continue
        em = EXPLANATION_RE.match(text)
        if em:
            q.explanation = [em.group(1)]
            current = None
            continue
        tm = TYPE_RE.match(text)
        if tm:
            if q.options:
                problems.append(Problem(path, n, f'question "{q.id}": "Type:" must come before '
                                                 "the options"))
            elif tm.group(1) not in QUESTION_TYPES:
                problems.append(Problem(path, n, f'unknown question type "{tm.group(1)}"; use '
                                                 + ", ".join(QUESTION_TYPES)))
            else:
                q.type, q.type_line = tm.group(1), n
            continue
        om = OPTION_RE.match(text)
        if om:
            current = OptionDraft(text=(om.group(2) or "").strip(), correct=om.group(1) != " ",
                                  line=n)
            q.options.append(current)
            if not current.text:
                problems.append(Problem(path, n, f'question "{q.id}" has an empty option'))
            continue
        if current is not None and text[:1] in (" ", "\t"):
            fm = FEEDBACK_RE.match(text)
            if fm:
                if current.feedback is not None:
                    problems.append(Problem(path, n, f'question "{q.id}": option has two '
                                                     '"Feedback:" lines'))
                current.feedback = [fm.group(1)]
            elif current.feedback is not None:
                current.feedback.append(text.strip())
            else:
                current.text += " " + text.strip()
            continue
        if not q.options:
            if BULLET_RE.match(text):
                if bullets_reported:
                    continue
                bullets_reported = True
                problems.append(Problem(path, n, f'question "{q.id}": write options as task '
                                                 'items, "- [x] right answer" or '
                                                 '"- [ ] wrong answer"'))
            else:
                q.detail.append(text)
            continue
        problems.append(Problem(path, n, f'question "{q.id}": unexpected text after the options '
                                         '(indent "Feedback:" lines under their option, and '
                                         'start the explanation with "Explanation:")'))
    return q, problems


def parse_quiz(lines: Sequence[tuple[int, str]], *, path: str, line: int,
               settings: QuizSettings, pool: int | None, pool_line: int = 0,
               rewrite: UrlRewriter | None = None) -> tuple[Quiz, list[Problem]]:
    """Parse the lines after ``# Quiz`` (each a (file_line, text) pair)."""
    blocks, problems = _split_questions(lines, path)
    drafts: list[QuestionDraft] = []
    seen: dict[str, int] = {}
    for n, heading, body in blocks:
        q, found = _parse_block(n, heading, body, path)
        problems += found
        if q.id in seen:
            problems.append(Problem(path, n, f'duplicate question id "{q.id}" (first used on '
                                             f"line {seen[q.id]}); add a different {{#id}}"))
        else:
            seen[q.id] = n
        texts: dict[str, int] = {}
        for o in q.options:
            key = " ".join(o.text.lower().split())
            if key in texts:
                problems.append(Problem(path, o.line, f'question "{q.id}" has the option '
                                                      f'"{o.text}" twice'))
            texts.setdefault(key, o.line)
        if q.explanation is None or not "\n".join(q.explanation).strip():
            problems.append(Problem(path, n, f'question "{q.id}" has no "Explanation:" paragraph'))
        qtype = q.type or infer_type(q)
        problems += [Problem(path, ln, msg) for ln, msg in QUESTION_TYPES[qtype].check(q)]
        q.type = qtype
        drafts.append(q)

    if not drafts:
        problems.append(Problem(path, line, 'the quiz has no questions; each question starts '
                                            'with a "## " heading'))
    if pool is not None and pool < 1:
        problems.append(Problem(path, pool_line or line, f"quiz pool must be at least 1, not {pool}"))
    elif pool is not None and drafts and pool > len(drafts):
        problems.append(Problem(path, pool_line or line,
                                f"quiz pool is {pool} but the quiz has only {len(drafts)} "
                                f"question{'' if len(drafts) == 1 else 's'}"))
    if pool is not None and drafts and not 1 <= pool <= len(drafts):
        settings = QuizSettings(**{**_asdict(settings), "pool": None})

    questions = []
    for q in drafts:
        options = tuple(
            Option(
                key=_key(i),
                text=o.text,
                html=render_inline(o.text, rewrite=rewrite),
                correct=o.correct,
                feedback_html=(render_inline(" ".join(o.feedback), rewrite=rewrite)
                               if o.feedback and " ".join(o.feedback).strip() else None),
                line=o.line,
            )
            for i, o in enumerate(q.options)
        )
        questions.append(Question(
            id=q.id, type=q.type, prompt=q.prompt,
            prompt_html=render_inline(q.prompt, rewrite=rewrite),
            options=options,
            explanation_html=render_markdown("\n".join(q.explanation or []), rewrite=rewrite),
            line=q.line,
            detail_html=render_markdown("\n".join(q.detail), rewrite=rewrite)
            if "".join(q.detail).strip() else "",
        ))
    return Quiz(settings=settings, questions=tuple(questions), line=line), problems


def _asdict(s: QuizSettings) -> dict:
    return {k: getattr(s, k) for k in QuizSettings.__slots__}


def _key(i: int) -> str:
    letters = "abcdefghijklmnopqrstuvwxyz"
    return letters[i] if i < 26 else letters[i // 26 - 1] + letters[i % 26]


# --------------------------------------------------------------------------- marking


@dataclass(frozen=True, slots=True)
class QuestionResult:
    question_id: str
    selected: frozenset[str]
    score: float  # 0..1
    correct: bool  # score == 1


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
        score = q.mark(selected, quiz.settings.marking)
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
