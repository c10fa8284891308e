"""Immutable data model for course content.

Everything here is plain data: frozen dataclasses holding tuples, so a loaded
catalogue can be shared safely between requests and threads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a content file, reported as ``path:line: message``."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass(frozen=True, slots=True)
class Option:
    key: str  # "a", "b", "c"... in authored order (stable across shuffles)
    text: str  # the authored Markdown
    html: str  # sanitised inline HTML
    correct: bool
    feedback_html: str | None = None
    line: int = 0


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    type: str  # "single" | "multiple" | "true-false"
    prompt: str  # the authored heading text (Markdown, without the {#id})
    prompt_html: str  # sanitised inline HTML of the heading
    options: tuple[Option, ...]
    explanation_html: str
    line: int
    detail_html: str = ""  # optional paragraphs between the heading and the options

    @property
    def correct_keys(self) -> frozenset[str]:
        return frozenset(o.key for o in self.options if o.correct)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(o.key for o in self.options)

    def option(self, key: str) -> Option | None:
        for o in self.options:
            if o.key == key:
                return o
        return None


@dataclass(frozen=True, slots=True)
class QuizSettings:
    pass_mark: int = 80
    display: str = "all"  # "all" | "one-per-page"
    marking: str = "all-or-nothing"  # "all-or-nothing" | "partial"
    attempts: int = 0  # 0 = unlimited
    cooldown_minutes: int = 0
    shuffle: bool = False
    pool: int | None = None  # questions drawn per attempt; None = all


@dataclass(frozen=True, slots=True)
class Quiz:
    settings: QuizSettings
    questions: tuple[Question, ...]
    line: int

    def question(self, id: str) -> Question | None:
        for q in self.questions:
            if q.id == id:
                return q
        return None

    @property
    def question_ids(self) -> tuple[str, ...]:
        return tuple(q.id for q in self.questions)

    @property
    def pool_size(self) -> int:
        """How many questions one attempt contains."""
        return self.settings.pool or len(self.questions)


@dataclass(frozen=True, slots=True)
class Page:
    number: int  # 1-based
    slug: str
    title: str
    html: str
    line: int
    word_count: int


@dataclass(frozen=True, slots=True)
class Module:
    slug: str
    title: str
    summary: str
    minutes: int
    objectives: tuple[str, ...]
    outcomes: tuple[str, ...]
    required: bool
    pages: tuple[Page, ...]
    quiz: Quiz | None
    language: str
    translation_status: str | None
    version: str  # 12 hex chars: sha256 of the English source (shared by its Welsh variant)
    source_path: str
    source: str
    name: str  # file stem without language suffix, e.g. "03-cyber-security"
    word_count: int
    translation_version: str | None = None  # hash of a Welsh file's own text
    fallback: bool = False  # True when a Welsh view shows the English module

    def page(self, number: int) -> Page | None:
        if 1 <= number <= len(self.pages):
            return self.pages[number - 1]
        return None

    @property
    def has_quiz(self) -> bool:
        return self.quiz is not None and bool(self.quiz.questions)


@dataclass(frozen=True, slots=True)
class CertificateSettings:
    title: str
    wording: str
    valid_for_months: int | None = None


@dataclass(frozen=True, slots=True)
class CourseMeta:
    """The parsed ``course.yaml`` (before modules are attached)."""

    slug: str
    title: str
    summary: str
    edition: str
    language: str
    pass_mark: int
    certificate: CertificateSettings
    outcomes: tuple[tuple[str, str], ...]
    module_names: tuple[str, ...]
    translations: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    path: str = ""  # the course folder, as given
    module_lines: tuple[int, ...] = ()  # line of each modules: entry in course.yaml

    @property
    def outcome_ids(self) -> frozenset[str]:
        return frozenset(k for k, _ in self.outcomes)


@dataclass(frozen=True, slots=True)
class Course:
    slug: str
    title: str
    summary: str
    edition: str  # course.yaml "version"
    language: str
    pass_mark: int
    certificate: CertificateSettings
    outcomes: tuple[tuple[str, str], ...]
    modules: tuple[Module, ...]
    path: str
    content_version: str  # 12 hex chars over the modules' versions, in order

    def module(self, slug: str) -> Module | None:
        for m in self.modules:
            if m.slug == slug:
                return m
        return None

    def module_index(self, slug: str) -> int | None:
        for i, m in enumerate(self.modules):
            if m.slug == slug:
                return i
        return None

    @property
    def required_modules(self) -> tuple[Module, ...]:
        return tuple(m for m in self.modules if m.required)

    def outcome_name(self, id: str) -> str | None:
        for k, v in self.outcomes:
            if k == id:
                return v
        return None

    @property
    def minutes(self) -> int:
        return sum(m.minutes for m in self.modules)


@dataclass(frozen=True, slots=True)
class Catalogue:
    """English courses plus their Welsh views, and the problems found while loading."""

    courses: tuple[Course, ...] = ()
    problems: tuple[Problem, ...] = ()
    views: Mapping[tuple[str, str], Course] = field(default_factory=dict)

    def course(self, slug: str, language: str = "en") -> Course | None:
        found = self.views.get((slug, language))
        if found is not None:
            return found
        for c in self.courses:
            if c.slug == slug and c.language == language:
                return c
        return None

    def courses_for(self, language: str = "en") -> tuple[Course, ...]:
        out = []
        for c in self.courses:
            view = self.course(c.slug, language)
            out.append(view if view is not None else c)
        return tuple(out)

    @property
    def languages(self) -> tuple[str, ...]:
        langs = {c.language for c in self.courses} | {lang for _, lang in self.views}
        return tuple(sorted(langs))
