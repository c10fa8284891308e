"""Quiz papers, server-side marking and attempt rules. Plain functions: Session + values.

A *paper* is the questions (and option order) drawn for one attempt. It lives on
the server in ``QuizAttempt.paper``; the browser only ever sees its token and the
option keys, never which options are correct. A paper is marked once: the first
submission wins (an ``UPDATE ... WHERE submitted_at IS NULL`` decides), so a
resubmitted or replayed form returns the attempt already marked.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable, Mapping

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..content import Course, Module, Quiz, draw_questions, mark_quiz, option_order, passed
from ..db import utcnow
from .models import ModuleCompletion, QuizAnswer, QuizAttempt

# Where papers get their randomness (tests may swap in a seeded random.Random).
rng_factory = secrets.SystemRandom

LIMIT_REACHED, COOLING_DOWN = "limit-reached", "cooling-down"


class QuizError(Exception):
    """A submission that cannot be accepted; ``status`` is the HTTP status a view should use."""

    status = 400


class ForeignAnswer(QuizError):
    """An answer to a question that is not on this paper, or an option it did not offer."""


class AttemptNotFound(QuizError):
    status = 404


class PaperOutdated(QuizError):
    """The module changed since the paper was drawn, and that version's quiz is gone."""

    status = 409


class AttemptRefused(QuizError):
    """A new attempt is not allowed yet (limit or cool-down)."""

    status = 403

    def __init__(self, allowance: "Allowance"):
        super().__init__(allowance.reason)
        self.allowance = allowance


# --------------------------------------------------------------------------- reading

def passed_module_slugs(session: Session, user_id: int, course_slug: str) -> set[str]:
    """Modules of a course whose quiz this learner has passed (or that are recorded complete)."""
    passed_q = sa.select(QuizAttempt.module_slug).where(
        QuizAttempt.user_id == user_id, QuizAttempt.course_slug == course_slug,
        QuizAttempt.passed.is_(True))
    completed_q = sa.select(ModuleCompletion.module_slug).where(
        ModuleCompletion.user_id == user_id, ModuleCompletion.course_slug == course_slug)
    return set(session.scalars(sa.union(passed_q, completed_q)))


def get_attempt(session: Session, token: str, user_id: int) -> QuizAttempt:
    """The learner's own attempt with this token (someone else's is 'not found')."""
    attempt = session.scalar(sa.select(QuizAttempt).where(QuizAttempt.token == token,
                                                          QuizAttempt.user_id == user_id))
    if attempt is None:
        raise AttemptNotFound("no such quiz attempt")
    return attempt


def submitted_attempts(session: Session, user_id: int, course_slug: str, module_slug: str) -> list[QuizAttempt]:
    """Marked attempts, newest first."""
    return list(session.scalars(
        sa.select(QuizAttempt)
        .where(QuizAttempt.user_id == user_id, QuizAttempt.course_slug == course_slug,
               QuizAttempt.module_slug == module_slug, QuizAttempt.submitted_at.is_not(None))
        .order_by(QuizAttempt.submitted_at.desc(), QuizAttempt.id.desc())))


def open_attempt(session: Session, user_id: int, course_slug: str, module_slug: str) -> QuizAttempt | None:
    return session.scalar(
        sa.select(QuizAttempt)
        .where(QuizAttempt.user_id == user_id, QuizAttempt.course_slug == course_slug,
               QuizAttempt.module_slug == module_slug, QuizAttempt.submitted_at.is_(None))
        .order_by(QuizAttempt.started_at.desc(), QuizAttempt.id.desc()).limit(1))


def quiz_for_version(course: Course, module_slug: str, version: str) -> Quiz | None:
    """The quiz of ``module_slug`` as it was at ``version``, if this content still has it.

    Language views share the English module's version (a Welsh quiz has the same
    ids, options and answers), so the learner's current view is used when it matches.
    """
    module = course.module(module_slug)
    if module is None or not module.has_quiz or module.version != version:
        return None
    return module.quiz


# --------------------------------------------------------------------------- rules

@dataclass(frozen=True)
class Allowance:
    allowed: bool
    reason: str | None  # LIMIT_REACHED | COOLING_DOWN | None
    retry_at: datetime | None  # when a cooling-down learner may try again (naive UTC)
    attempts_used: int
    attempts_left: int | None  # None = unlimited
    passed: bool  # the learner has passed this quiz already


def attempt_allowed(session: Session, user_id: int, course_slug: str, module: Module,
                    now: datetime | None = None) -> Allowance:
    """May the learner draw a new paper now? Only marked attempts count.

    - ``attempts`` (0 = unlimited): marked attempts allowed in all, passed or not.
    - ``cooldown_minutes``: wait after a *failed* attempt, from its submission time.
    """
    if not module.has_quiz:
        raise ValueError(f"module {module.slug!r} has no quiz")
    settings = module.quiz.settings
    now = now or utcnow()
    row = session.execute(
        sa.select(sa.func.count(QuizAttempt.id),
                  sa.func.max(sa.case((QuizAttempt.passed.is_(True), 1), else_=0)))
        .where(QuizAttempt.user_id == user_id, QuizAttempt.course_slug == course_slug,
               QuizAttempt.module_slug == module.slug, QuizAttempt.submitted_at.is_not(None))
    ).one()
    used, ever_passed = int(row[0] or 0), bool(row[1])
    left = max(settings.attempts - used, 0) if settings.attempts else None
    if left == 0:
        return Allowance(False, LIMIT_REACHED, None, used, 0, ever_passed)
    if settings.cooldown_minutes and used:
        last = session.execute(
            sa.select(QuizAttempt.submitted_at, QuizAttempt.passed)
            .where(QuizAttempt.user_id == user_id, QuizAttempt.course_slug == course_slug,
                   QuizAttempt.module_slug == module.slug, QuizAttempt.submitted_at.is_not(None))
            .order_by(QuizAttempt.submitted_at.desc(), QuizAttempt.id.desc()).limit(1)).one()
        if not last.passed:
            retry_at = last.submitted_at + timedelta(minutes=settings.cooldown_minutes)
            if now < retry_at:
                return Allowance(False, COOLING_DOWN, retry_at, used, left, ever_passed)
    return Allowance(True, None, None, used, left, ever_passed)


# --------------------------------------------------------------------------- papers

def _opaque_values(n: int) -> list[str]:
    """``n`` distinct random option values for one question of one paper."""
    values: list[str] = []
    while len(values) < n:
        value = secrets.token_urlsafe(9)  # 12 characters, 72 random bits
        if value not in values:
            values.append(value)
    return values


def draw_paper(quiz: Quiz, rng=None) -> list[dict]:
    """Questions (pool, shuffled if set), each one's option order, and the opaque value each
    option carries in the form, as stored on the attempt.

    The form never carries an option's authored key (a, b, c...): it would tell the learner
    where the author wrote each option, and authors put the right answer first more often than
    not (pen test F4). Values are random per paper and mapped back here when answers arrive.
    """
    rng = rng or rng_factory()
    paper = []
    for qid in draw_questions(quiz, rng):
        question = quiz.question(qid)
        keys = list(option_order(quiz, question, rng))
        paper.append({"question": qid, "options": keys, "values": _opaque_values(len(keys))})
    return paper


def option_values(attempt: QuizAttempt) -> dict[str, dict[str, str]]:
    """{question id: {authored key: the value this paper's form uses for it}}."""
    return {item["question"]: dict(zip(item["options"], item["values"])) for item in attempt.paper}


def has_option_values(attempt: QuizAttempt) -> bool:
    """False for a paper drawn before option values existed (it is discarded and drawn again)."""
    return all("values" in item for item in attempt.paper)


def answers_from_form(attempt: QuizAttempt, posted: Mapping[str, Iterable[str]]) -> dict[str, set[str]]:
    """Posted option values turned back into authored keys; a value this paper never used (an
    authored key such as "a" included) is refused with :class:`ForeignAnswer`."""
    lookup = {qid: {value: key for key, value in mapping.items()}
              for qid, mapping in option_values(attempt).items()}
    answers: dict[str, set[str]] = {}
    for qid, values in posted.items():
        if qid not in lookup:
            raise ForeignAnswer(f"question {qid!r} is not on this paper")
        stray = [v for v in values if v not in lookup[qid]]
        if stray:
            raise ForeignAnswer(f"question {qid!r} did not offer option(s) {', '.join(sorted(stray))[:200]}")
        answers[qid] = {lookup[qid][v] for v in values}
    return answers


def start_attempt(session: Session, user_id: int, course: Course, module: Module,
                  language: str = "en", now: datetime | None = None) -> QuizAttempt:
    """The learner's open paper for this module, or a newly drawn one if allowed.

    Resuming an open paper (rather than drawing another) means reloading or
    replaying "Start quiz" cannot be used to fish for an easier paper. An open
    paper from a version of the module that no longer exists is discarded.

    Racing requests cannot draw two papers: a partial unique index allows one open paper per
    learner and module, so the loser's insert fails and it returns the winner's paper. Because
    papers are therefore drawn one after another, the allowance read before the insert counts
    every earlier paper (and :func:`submit_attempt` checks it again when marking).
    """
    if not module.has_quiz:
        raise ValueError(f"module {module.slug!r} has no quiz")
    for _try in range(5):
        current = open_attempt(session, user_id, course.slug, module.slug)
        if current is not None:
            if current.content_version == module.version:
                return current
            session.delete(current)
            session.flush()
        allowance = attempt_allowed(session, user_id, course.slug, module, now)
        if not allowance.allowed:
            session.rollback()
            raise AttemptRefused(allowance)
        attempt = QuizAttempt(user_id=user_id, course_slug=course.slug, module_slug=module.slug,
                              content_version=module.version, language=language[:5],
                              paper=draw_paper(module.quiz), draft={}, token=secrets.token_urlsafe(24),
                              started_at=now or utcnow())
        session.add(attempt)
        try:
            session.commit()
            return attempt
        except (sa.exc.IntegrityError, sa.exc.OperationalError):
            # Another request drew this learner's paper first (unique index), or on SQLite a
            # writer got in between: read again, and resume the paper that won.
            session.rollback()
    raise RuntimeError("could not start a quiz attempt")  # pragma: no cover - five lost races in a row


def _allowed_at_marking(session: Session, attempt: QuizAttempt, quiz: Quiz) -> Allowance | None:
    """Why this paper may not be marked, or None. The allowance is checked again here, so a
    paper drawn past the attempt limit or inside a cool-down (by a race, or before the unique
    index existed) never becomes a marked attempt."""
    settings = quiz.settings
    others = session.execute(
        sa.select(QuizAttempt.submitted_at, QuizAttempt.passed)
        .where(QuizAttempt.user_id == attempt.user_id, QuizAttempt.course_slug == attempt.course_slug,
               QuizAttempt.module_slug == attempt.module_slug, QuizAttempt.submitted_at.is_not(None),
               QuizAttempt.id != attempt.id)
        .order_by(QuizAttempt.submitted_at.desc(), QuizAttempt.id.desc())).all()
    used, ever_passed = len(others), any(o.passed for o in others)
    if settings.attempts and used >= settings.attempts:
        return Allowance(False, LIMIT_REACHED, None, used, 0, ever_passed)
    left = max(settings.attempts - used, 0) if settings.attempts else None
    if any(o.submitted_at >= attempt.started_at for o in others):
        # Another paper was marked after this one was drawn: both were open at once.
        return Allowance(False, LIMIT_REACHED if left == 0 else COOLING_DOWN, None, used, left, ever_passed)
    if settings.cooldown_minutes and others and not others[0].passed:
        retry_at = others[0].submitted_at + timedelta(minutes=settings.cooldown_minutes)
        if attempt.started_at < retry_at:
            return Allowance(False, COOLING_DOWN, retry_at, used, left, ever_passed)
    return None


def check_answers(attempt: QuizAttempt, quiz: Quiz, answers: Mapping[str, Iterable[str]]) -> dict[str, frozenset[str]]:
    """Answers as sets of keys, after refusing anything the paper did not ask or offer."""
    offered = {item["question"]: set(item["options"]) for item in attempt.paper}
    clean: dict[str, frozenset[str]] = {}
    for qid, keys in answers.items():
        if qid not in offered:
            raise ForeignAnswer(f"question {qid!r} is not on this paper")
        keys = frozenset(keys or ())
        stray = keys - offered[qid]
        if stray:
            raise ForeignAnswer(f"question {qid!r} did not offer option(s) {', '.join(sorted(stray))}")
        question = quiz.question(qid)
        if question is None:  # cannot happen for a paper drawn from this quiz version
            raise PaperOutdated(f"question {qid!r} is not in this quiz")
        if question.type != "multiple" and len(keys) > 1:
            raise ForeignAnswer(f"question {qid!r} takes one answer")
        clean[qid] = keys
    return clean


def save_draft(session: Session, attempt: QuizAttempt, quiz: Quiz, answers: Mapping[str, Iterable[str]]) -> None:
    """Keep answers given page by page (one-per-page display). Nothing is marked here."""
    if attempt.submitted:
        return
    clean = check_answers(attempt, quiz, answers)
    draft = dict(attempt.draft or {})
    draft.update({qid: sorted(keys) for qid, keys in clean.items()})
    attempt.draft = draft  # reassign so the JSON change is saved
    session.commit()


def submit_attempt(session: Session, attempt_token: str, user_id: int,
                   answers: Mapping[str, Iterable[str]], *, course: Course,
                   now: datetime | None = None) -> QuizAttempt:
    """Mark a paper once, on the server, against the module version it was drawn from.

    Returns the marked attempt. A replayed token returns the attempt as already
    marked and never creates or re-marks anything. Raises :class:`ForeignAnswer`
    (nothing stored) for answers the paper did not ask for,
    :class:`PaperOutdated` when the module changed and its old quiz is gone, and
    :class:`AttemptRefused` when the allowance (attempt limit, cool-down) no longer
    lets this paper count (the view discards it).
    """
    attempt = get_attempt(session, attempt_token, user_id)
    if attempt.submitted:
        return attempt
    quiz = quiz_for_version(course, attempt.module_slug, attempt.content_version)
    if quiz is None:
        raise PaperOutdated("this quiz has changed since the paper was drawn")
    clean = check_answers(attempt, quiz, answers)
    refused = _allowed_at_marking(session, attempt, quiz)
    if refused is not None:
        raise AttemptRefused(refused)
    score, results = mark_quiz(quiz, clean, attempt.question_ids)
    is_pass = passed(quiz, score)
    now = now or utcnow()
    try:
        claimed = session.execute(
            sa.update(QuizAttempt)
            .where(QuizAttempt.id == attempt.id, QuizAttempt.submitted_at.is_(None))
            .values(submitted_at=now, score=score, passed=is_pass, draft=None)
            .execution_options(synchronize_session=False)
        ).rowcount
    except sa.exc.OperationalError:  # SQLite: another writer committed after our read began
        session.rollback()
        session.refresh(attempt)
        if attempt.submitted:
            return attempt
        raise
    if claimed != 1:  # someone else (a replay, a double click) marked it first
        session.rollback()
        session.refresh(attempt)
        return attempt
    session.add_all(QuizAnswer(attempt_id=attempt.id, question_id=r.question_id,
                               selected=",".join(sorted(r.selected)), score=r.score, correct=r.correct)
                    for r in results)
    session.commit()
    session.refresh(attempt)
    return attempt


def discard_attempt(session: Session, attempt: QuizAttempt) -> None:
    """Throw away an unmarked paper (for example one whose module version has gone)."""
    if not attempt.submitted:
        session.delete(attempt)
        session.commit()


# --------------------------------------------------------------------------- transcript

@dataclass(frozen=True)
class TranscriptRow:
    module: Module
    completed_at: datetime | None
    content_version: str | None
    best_score: int | None
    attempts: int
    last_attempt_at: datetime | None


def transcript(session: Session, user_id: int, courses: Iterable[Course]) -> list[tuple[Course, list[TranscriptRow]]]:
    """Per course, every module with its completion date, best score and attempt count (2 queries)."""
    completions = {(c.course_slug, c.module_slug): c for c in session.scalars(
        sa.select(ModuleCompletion).where(ModuleCompletion.user_id == user_id))}
    stats = {(r.course_slug, r.module_slug): r for r in session.execute(
        sa.select(QuizAttempt.course_slug, QuizAttempt.module_slug,
                  sa.func.count(QuizAttempt.id).label("attempts"),
                  sa.func.max(QuizAttempt.score).label("best"),
                  sa.func.max(QuizAttempt.submitted_at).label("last"))
        .where(QuizAttempt.user_id == user_id, QuizAttempt.submitted_at.is_not(None))
        .group_by(QuizAttempt.course_slug, QuizAttempt.module_slug))}
    out = []
    for course in courses:
        rows = []
        for module in course.modules:
            done = completions.get((course.slug, module.slug))
            stat = stats.get((course.slug, module.slug))
            rows.append(TranscriptRow(
                module=module, completed_at=done.completed_at if done else None,
                content_version=done.content_version if done else None,
                best_score=stat.best if stat else (done.score if done else None),
                attempts=stat.attempts if stat else 0, last_attempt_at=stat.last if stat else None))
        if any(r.completed_at or r.attempts for r in rows):
            out.append((course, rows))
    return out
