"""Validate course content: the engine behind ``flask course validate``."""

from __future__ import annotations

from pathlib import Path

from .loading import find_course_dirs, load_course, read_course_meta
from .model import CourseMeta, Problem
from .module_file import parse_module
from .rules import module_name, read_text
from .translation import compare_translation

__all__ = ["validate_path"]


def _sorted(problems: list[Problem]) -> list[Problem]:
    seen = set()
    out = []
    for p in problems:
        if p not in seen:
            seen.add(p)
            out.append(p)
    return sorted(out, key=lambda p: (p.path, p.line))


def _course_meta_for(module_path: Path) -> CourseMeta | None:
    for cdir in (module_path.parent.parent, module_path.parent):
        if (cdir / "course.yaml").is_file():
            return read_course_meta(cdir)[0]
    return None


def validate_path(path: Path | str) -> list[Problem]:
    """Every problem under ``path``: a courses root, a course folder, course.yaml or a module.

    An empty list means the content is valid.  Problems are sorted by path and
    line; paths are shown as given (relative stays relative).
    """
    path = Path(path)
    if not path.exists():
        return [Problem(str(path), 1, "no such file or folder")]
    if path.is_file() and path.name == "course.yaml":
        return _sorted(load_course(path.parent)[1])
    if path.is_file() and path.suffix != ".md":
        return [Problem(str(path), 1, "not a course file; give a course folder, course.yaml "
                                      "or a module .md file")]
    if path.is_file():
        return _sorted(_validate_module(path))
    return _validate_folder(path)


def _validate_module(path: Path) -> list[Problem]:
    """One module file, against its course.yaml (and its English file, for a translation)."""
    text, problems = read_text(path)
    if text is None:
        return problems
    meta = _course_meta_for(path)
    module, found = parse_module(text, path, course_meta=meta)
    problems += found
    name, lang = module_name(path.name)
    if module is not None and lang is not None:
        english_path = path.with_name(f"{name}.md")
        etext, _ = read_text(english_path) if english_path.is_file() else (None, [])
        if etext is None:
            problems.append(Problem(str(path), 1, f"translation of {name}.md, which does not "
                                                  "exist"))
        else:
            english, _ = parse_module(etext, english_path, course_meta=meta)
            if english is not None:
                problems += compare_translation(english, module)
    if meta is not None and name not in meta.module_names:
        problems.append(Problem(str(path), 1, f'"{name}" is not listed in course.yaml '
                                              '"modules", so it is not shown'))
    return problems


def _validate_folder(path: Path) -> list[Problem]:
    dirs = find_course_dirs(path)
    if not dirs:
        return [Problem(str(path), 1, "no course.yaml found in this folder or below it")]
    problems: list[Problem] = []
    slugs: dict[str, str] = {}
    for cdir in dirs:
        loaded, found = load_course(cdir)
        problems += found
        if loaded:
            slug = next(iter(loaded.values())).slug
            if slug in slugs:
                problems.append(Problem(str(cdir / "course.yaml"), 1, f'course slug "{slug}" is '
                                                                      f"already used by {slugs[slug]}"))
            slugs.setdefault(slug, str(cdir))
    return _sorted(problems)
