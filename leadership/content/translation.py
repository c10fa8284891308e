"""Translations: when a module's translation may be shown, and the translated views of a course.

The rule, in one place for the file loader and for published browser edits alike:
a translated view shows a module's translation only when its file parses without
problems and has the same quiz structure as the English module it translates
(:func:`compare_translation`); otherwise it shows the English module marked
``fallback=True``.  A shown translation carries the English module's ``version``,
so progress, quiz papers and completions are shared between the languages, and its
own ``translation_version``.
"""

from __future__ import annotations

import dataclasses
import posixpath
from typing import Mapping, Sequence

from .course_file import build_course
from .model import Course, CourseMeta, Module, Problem
from .rules import TRANSLATION_LANGUAGES

__all__ = ["accept_translation", "compare_translation", "course_views"]


def compare_translation(english: Module, translated: Module) -> list[Problem]:
    """Check a translation's quiz has the English quiz's structure."""
    path = translated.source_path
    problems: list[Problem] = []
    if translated.slug != english.slug:
        problems.append(Problem(path, 2, f'slug "{translated.slug}" differs from the English '
                                         f'slug "{english.slug}"'))
    en_name = posixpath.basename(english.source_path.replace("\\", "/"))
    en_quiz, cy_quiz = english.quiz, translated.quiz
    if en_quiz is None or cy_quiz is None:
        if cy_quiz is not None:
            return problems + [Problem(path, cy_quiz.line, f"this translation has a quiz but "
                                                           f"{en_name} has none")]
        if en_quiz is not None:
            return problems + [Problem(path, 1, f"{en_name} has a quiz but this translation "
                                                "has none")]
        return problems
    en_ids = [q.id for q in en_quiz.questions]
    cy_ids = [q.id for q in cy_quiz.questions]
    for q in cy_quiz.questions:
        if q.id not in en_ids:
            problems.append(Problem(path, q.line, f'question "{q.id}" is not in {en_name}; a '
                                                  "translation keeps the English {#id}"))
    for qid in en_ids:
        if qid not in cy_ids:
            problems.append(Problem(path, cy_quiz.line, f'question "{qid}" from {en_name} is '
                                                        "missing"))
    if set(en_ids) == set(cy_ids) and en_ids != cy_ids:
        problems.append(Problem(path, cy_quiz.line, f"questions are in a different order from "
                                                    f"{en_name}"))
    for q in cy_quiz.questions:
        e = en_quiz.question(q.id)
        if e is None:
            continue
        if len(q.options) != len(e.options):
            problems.append(Problem(path, q.line, f'question "{q.id}" has {len(q.options)} '
                                                  f"options but {en_name} has {len(e.options)}"))
            continue
        for i, (a, b) in enumerate(zip(e.options, q.options), start=1):
            if a.correct != b.correct:
                problems.append(Problem(path, b.line or q.line,
                                        f'question "{q.id}" option {i} is '
                                        f'{"correct" if a.correct else "wrong"} in {en_name} but '
                                        f'{"correct" if b.correct else "wrong"} here'))
        if q.type != e.type:
            problems.append(Problem(path, q.line, f'question "{q.id}" is {q.type} but {e.type} '
                                                  f"in {en_name}"))
    return problems


def accept_translation(english: Module, translated: Module | None, problems: Sequence[Problem]
                       ) -> tuple[Module | None, list[Problem]]:
    """The translation as a translated view shows it, or None when it must fall back.

    ``translated`` and ``problems`` are what :func:`~.module_file.parse_module` gave for
    the translation file.  Returns every problem, including the structural ones.
    """
    problems = list(problems)
    if translated is not None:
        problems += compare_translation(english, translated)
    if translated is None or problems:
        return None, problems
    return dataclasses.replace(translated, version=english.version,
                               translation_version=translated.translation_version), problems


def course_views(meta: CourseMeta, english: Sequence[Module],
                 translations: Mapping[str, Mapping[str, Module]]) -> dict[str, Course]:
    """``{course language: Course, "cy": Course, ...}``: the course, then one view per
    translation language.

    ``translations[lang][module name]`` holds each accepted translation
    (:func:`accept_translation`); every other module falls back to English.
    """
    courses = {meta.language: build_course(meta, english)}
    for lang in TRANSLATION_LANGUAGES:
        if lang == meta.language:
            continue
        have = translations.get(lang, {})
        modules = [have.get(m.name) or dataclasses.replace(m, fallback=True) for m in english]
        courses[lang] = build_course(meta, modules, language=lang)
    return courses
