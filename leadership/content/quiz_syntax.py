"""Quiz syntax: the ``quiz:`` front-matter settings and the ``# Quiz`` section of a module.

The section is split into ``## `` question blocks, each block is read line by line
into a :class:`~.quiz_drafts.QuestionDraft`, its type checks it
(:data:`~.marking.QUESTION_TYPES`), and the drafts are built into the model with
their Markdown rendered.  Every mistake is a :class:`Problem` with its file line.
"""

from __future__ import annotations

import re
from typing import Any, Mapping, Sequence

from .fences import fence_states
from .marking import MARKINGS, QUESTION_TYPES, infer_type
from .model import Option, Problem, Question, Quiz, QuizSettings
from .quiz_drafts import OptionDraft, QuestionDraft
from .render import UrlRewriter, render_inline, render_markdown, slugify
from .rules import is_slug, is_whole_number

__all__ = ["DISPLAYS", "QUIZ_KEYS", "is_quiz_heading", "parse_quiz", "parse_quiz_settings"]

DISPLAYS = ("all", "one-per-page")
QUIZ_KEYS = ("pass_mark", "display", "marking", "attempts", "cooldown_minutes", "shuffle", "pool")
QUIZ_HEADINGS = ("quiz", "cwis")

HEADING_RE = re.compile(r"^ {0,3}##(?:[ \t]+(.*?))?[ \t]*#*[ \t]*$")
HEADING_ID_RE = re.compile(r"^(.*?)\s*\{#([^}]*)\}\s*$")
OPTION_RE = re.compile(r"^ {0,3}[-*+][ \t]+\[([ xX])\](?:[ \t]+(.*?))?[ \t]*$")
BULLET_RE = re.compile(r"^ {0,3}[-*+][ \t]+\S")
TYPE_RE = re.compile(r"^(?:Type|Math):[ \t]*(.*?)[ \t]*$", re.I)
EXPLANATION_RE = re.compile(r"^(?:Explanation|Esboniad):[ \t]*(.*)$", re.I)
FEEDBACK_RE = re.compile(r"^[ \t]+(?:Feedback|Adborth):[ \t]*(.*?)[ \t]*$", re.I)

Lines = Sequence[tuple[int, str]]


# --------------------------------------------------------------------------- settings


def parse_quiz_settings(raw: object, key_lines: Mapping[str, int], default_pass_mark: int,
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
    if not is_whole_number(pass_mark) or not 1 <= pass_mark <= 100:
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
    if not is_whole_number(attempts) or attempts < 0:
        bad("attempts", f"quiz attempts must be a whole number, 0 for unlimited, not {attempts!r}")
        attempts = 0
    cooldown = raw.get("cooldown_minutes", 0)
    if not is_whole_number(cooldown) or cooldown < 0:
        bad("cooldown_minutes", f"quiz cooldown_minutes must be a whole number of minutes, "
                                f"not {cooldown!r}")
        cooldown = 0
    shuffle = raw.get("shuffle", False)
    if not isinstance(shuffle, bool):
        bad("shuffle", f"quiz shuffle must be true or false, not {shuffle!r}")
        shuffle = False
    pool = raw.get("pool")
    if pool is not None and not is_whole_number(pool):
        bad("pool", f"quiz pool must be a whole number of questions, not {pool!r}")
        pool = None
    settings = QuizSettings(pass_mark=pass_mark, display=display, marking=marking,
                            attempts=attempts, cooldown_minutes=cooldown, shuffle=shuffle,
                            pool=pool)
    return settings, problems, pool


# --------------------------------------------------------------------------- question blocks


def is_quiz_heading(title: str) -> bool:
    return title.strip().rstrip(":").strip().lower() in QUIZ_HEADINGS


def _split_questions(lines: Lines, path: str
                     ) -> tuple[list[tuple[int, str, list[tuple[int, str]]]], list[Problem]]:
    """(heading_line, heading_text, body_lines) per ``## `` block; stray text is reported once."""
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


def _new_draft(line: int, heading: str, path: str, problems: list[Problem]) -> QuestionDraft:
    """The draft for a ``## prompt {#id}`` heading (the id made from the prompt if not given)."""
    m = HEADING_ID_RE.match(heading)
    if m:
        prompt, qid = m.group(1).strip(), m.group(2).strip()
        if not is_slug(qid):
            problems.append(Problem(path, line, f'question id "{qid}" must use only lowercase '
                                                "letters, digits and hyphens"))
    else:
        prompt, qid = heading, slugify(heading)
    if not prompt:
        problems.append(Problem(path, line, "question heading has no text"))
    if not qid and prompt:
        problems.append(Problem(path, line, 'cannot make an id from this question; add {#an-id}'))
    return QuestionDraft(prompt=prompt, id=qid or f"question-{line}", line=line)


def _set_type(q: QuestionDraft, name: str, n: int, path: str, problems: list[Problem]) -> None:
    if q.options:
        problems.append(Problem(path, n, f'question "{q.id}": "Type:" must come before the '
                                         "options"))
    elif name not in QUESTION_TYPES:
        problems.append(Problem(path, n, f'unknown question type "{name}"; use '
                                         + ", ".join(QUESTION_TYPES)))
    else:
        q.type, q.type_line = name, n


def _continue_option(q: QuestionDraft, current: OptionDraft, text: str, n: int, path: str,
                     problems: list[Problem]) -> None:
    """An indented line under an option: its ``Feedback:``, more feedback, or more option text."""
    fm = FEEDBACK_RE.match(text)
    if fm:
        if current.feedback is not None:
            problems.append(Problem(path, n, f'question "{q.id}": option has two "Feedback:" '
                                             "lines"))
        current.feedback = [fm.group(1)]
    elif current.feedback is not None:
        current.feedback.append(text.strip())
    else:
        current.text += " " + text.strip()


def _parse_block(line: int, heading: str, body: Lines, path: str
                 ) -> tuple[QuestionDraft, list[Problem]]:
    """Read one question block line by line (a small state machine: before the options,
    in an option, in the explanation)."""
    problems: list[Problem] = []
    q = _new_draft(line, heading, path, problems)
    current: OptionDraft | None = None
    bullets_reported = False
    for n, text in body:
        if q.explanation is not None:
            q.explanation.append(text)
            continue
        if not text.strip():
            continue
        if em := EXPLANATION_RE.match(text):
            q.explanation = [em.group(1)]
            current = None
        elif tm := TYPE_RE.match(text):
            _set_type(q, tm.group(1), n, path, problems)
        elif om := OPTION_RE.match(text):
            current = OptionDraft(text=(om.group(2) or "").strip(), correct=om.group(1) != " ",
                                  line=n)
            q.options.append(current)
            if not current.text:
                problems.append(Problem(path, n, f'question "{q.id}" has an empty option'))
        elif current is not None and text[:1] in (" ", "\t"):
            _continue_option(q, current, text, n, path, problems)
        elif q.options:
            problems.append(Problem(path, n, f'question "{q.id}": unexpected text after the '
                                             'options (indent "Feedback:" lines under their '
                                             'option, and start the explanation with '
                                             '"Explanation:")'))
        elif not BULLET_RE.match(text):
            q.detail.append(text)
        elif not bullets_reported:
            bullets_reported = True
            problems.append(Problem(path, n, f'question "{q.id}": write options as task items, '
                                             '"- [x] right answer" or "- [ ] wrong answer"'))
    return q, problems


# --------------------------------------------------------------------------- the quiz


def _check_draft(q: QuestionDraft, n: int, path: str, seen: dict[str, int]) -> list[Problem]:
    """Problems with one draft as a whole: a reused id, a repeated option, no explanation,
    and what its type checks.  Settles the draft's type."""
    problems: list[Problem] = []
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
    q.type = q.type or infer_type(q)
    problems += [Problem(path, ln, msg) for ln, msg in QUESTION_TYPES[q.type].check(q)]
    return problems


def _pool_problems(pool: int | None, count: int, path: str, line: int) -> list[Problem]:
    if pool is not None and pool < 1:
        return [Problem(path, line, f"quiz pool must be at least 1, not {pool}")]
    if pool is not None and count and pool > count:
        return [Problem(path, line, f"quiz pool is {pool} but the quiz has only {count} "
                                    f"question{'' if count == 1 else 's'}")]
    return []


def _build_question(q: QuestionDraft, rewrite: UrlRewriter | None) -> Question:
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
    return Question(
        id=q.id, type=q.type or infer_type(q), prompt=q.prompt,
        prompt_html=render_inline(q.prompt, rewrite=rewrite),
        options=options,
        explanation_html=render_markdown("\n".join(q.explanation or []), rewrite=rewrite),
        line=q.line,
        detail_html=render_markdown("\n".join(q.detail), rewrite=rewrite)
        if "".join(q.detail).strip() else "",
    )


def parse_quiz(lines: Lines, *, path: str, line: int, settings: QuizSettings, pool: int | None,
               pool_line: int = 0, rewrite: UrlRewriter | None = None
               ) -> tuple[Quiz, list[Problem]]:
    """Parse the lines after ``# Quiz`` (each a (file_line, text) pair)."""
    blocks, problems = _split_questions(lines, path)
    drafts: list[QuestionDraft] = []
    seen: dict[str, int] = {}
    for n, heading, body in blocks:
        q, found = _parse_block(n, heading, body, path)
        problems += found + _check_draft(q, n, path, seen)
        drafts.append(q)
    if not drafts:
        problems.append(Problem(path, line, 'the quiz has no questions; each question starts '
                                            'with a "## " heading'))
    problems += _pool_problems(pool, len(drafts), path, pool_line or line)
    if pool is not None and drafts and not 1 <= pool <= len(drafts):
        settings = QuizSettings(**{**_asdict(settings), "pool": None})
    questions = tuple(_build_question(q, rewrite) for q in drafts)
    return Quiz(settings=settings, questions=questions, line=line), problems


def _asdict(s: QuizSettings) -> dict[str, Any]:
    return {k: getattr(s, k) for k in QuizSettings.__slots__}


def _key(i: int) -> str:
    letters = "abcdefghijklmnopqrstuvwxyz"
    return letters[i] if i < 26 else letters[i // 26 - 1] + letters[i % 26]
