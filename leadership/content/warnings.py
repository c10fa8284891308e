"""Advice for authors that does not make content invalid.

``flask course validate`` prints each one as ``path:line: warning: message`` after the
problems, and they never change its exit code (a course with only warnings is valid).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from .loading import find_course_dirs, load_course, load_module_file, read_course_meta
from .model import CourseMeta, Module, Problem, Quiz
from .rules import module_name

__all__ = ["CLUSTER_MIN_QUESTIONS", "answer_position_warning", "warnings_for_path"]

#: Single-choice questions a quiz needs before the position of its right answers is judged.
CLUSTER_MIN_QUESTIONS = 6


def _ordinal(n: int) -> str:
    return {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth"}.get(n, f"number {n}")


def answer_position_warning(quiz: Quiz, path: str) -> Problem | None:
    """A warning when the right answers cluster on one authored position.

    Rule: among the quiz's single-choice questions (true/false is excluded: its order is
    fixed), if there are at least :data:`CLUSTER_MIN_QUESTIONS` and *more than half* have their
    right answer written in the same position, learners who notice can guess by position
    whenever the options are not shuffled (and in any export that keeps the authored order).
    """
    positions = [next(i for i, o in enumerate(q.options) if o.correct) + 1
                 for q in quiz.questions if q.type == "single" and any(o.correct for o in q.options)]
    if len(positions) < CLUSTER_MIN_QUESTIONS:
        return None
    position, count = Counter(positions).most_common(1)[0]
    if count * 2 <= len(positions):
        return None
    return Problem(path, quiz.line,
                   f"warning: the right answer is the {_ordinal(position)} option written in {count} of "
                   f"{len(positions)} single-choice questions; vary where you write it, so nobody can "
                   "pass by always choosing the same position")


def _module_warnings(module: Module) -> list[Problem]:
    if module.quiz is None or not module.quiz.questions:
        return []
    found = answer_position_warning(module.quiz, module.source_path)
    return [found] if found else []


def _course_meta_for(module_path: Path) -> CourseMeta | None:
    for cdir in (module_path.parent.parent, module_path.parent):
        if (cdir / "course.yaml").is_file():
            return read_course_meta(cdir)[0]
    return None


def warnings_for_path(path: Path | str) -> list[Problem]:
    """Warnings for every valid module under ``path`` (the same forms of path as
    ``validate_path``). Translations are not checked apart: they must have the English
    file's options and answers."""
    path = Path(path)
    if not path.exists():
        return []
    if path.is_file():
        if path.name == "course.yaml":
            return warnings_for_path(path.parent)
        if path.suffix != ".md" or module_name(path)[1] is not None:
            return []
        module, problems = load_module_file(path, _course_meta_for(path))
        return _module_warnings(module) if module is not None and not problems else []
    out: list[Problem] = []
    for cdir in find_course_dirs(path):
        courses, _problems = load_course(cdir)
        if courses:
            for module in next(iter(courses.values())).modules:
                out += _module_warnings(module)
    return sorted(out, key=lambda p: (p.path, p.line))
