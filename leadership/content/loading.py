"""Loading course folders: course.yaml, then each listed module and its translations.

A course folder holds ``course.yaml`` and ``modules/<name>.md`` (plus
``modules/<name>.<lang>.md`` translations).  Loading skips a module that has any
problem, and a course whose course.yaml is broken, so one mistake never takes the
site down; every problem is returned.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from types import MappingProxyType

from .course_file import parse_course_meta
from .model import Catalogue, Course, CourseMeta, Module, Problem
from .module_file import AssetUrl, parse_module, read_front_matter
from .rules import TRANSLATION_LANGUAGES, module_name, read_text
from .translation import accept_translation, course_views

__all__ = [
    "find_course_dirs", "load_catalogue", "load_course", "load_module_file", "load_translation",
    "read_course_meta",
]


def find_course_dirs(root: Path) -> list[Path]:
    """``root`` itself when it holds course.yaml, else every folder below it that does."""
    root = Path(root)
    if (root / "course.yaml").is_file():
        return [root]
    return sorted({p.parent for p in root.rglob("course.yaml")},
                  key=lambda p: p.as_posix())


def read_course_meta(course_dir: Path) -> tuple[CourseMeta | None, list[Problem]]:
    """The folder's course.yaml, parsed, with ``path`` set to the folder as given."""
    yaml_path = Path(course_dir) / "course.yaml"
    text, problems = read_text(yaml_path)
    if text is None:
        return None, problems
    meta, found = parse_course_meta(text, yaml_path)
    problems += found
    if meta is None:
        return None, problems
    return dataclasses.replace(meta, path=str(course_dir)), problems


def load_module_file(path: Path, meta: CourseMeta | None, *, asset_url: AssetUrl | None = None
                     ) -> tuple[Module | None, list[Problem]]:
    """Read and parse one module file (English or a translation)."""
    text, problems = read_text(path)
    if text is None:
        return None, problems
    module, found = parse_module(text, path, course_meta=meta, asset_url=asset_url)
    return module, problems + found


def load_translation(english: Module, lang: str, meta: CourseMeta, *,
                     asset_url: AssetUrl | None = None) -> tuple[Module | None, list[Problem]]:
    """The ``<name>.<lang>.md`` beside ``english``'s file, if it may be shown (see
    :func:`~.translation.accept_translation`); ``(None, [])`` when there is no such file."""
    path = Path(english.source_path).with_name(f"{english.name}.{lang}.md")
    if not path.is_file():
        return None, []
    translated, problems = load_module_file(path, meta, asset_url=asset_url)
    return accept_translation(english, translated, problems)


def load_course(course_dir: Path, *, asset_url: AssetUrl | None = None
                ) -> tuple[dict[str, Course], list[Problem]]:
    """Load one course folder.

    Returns ``{"en": Course, "cy": Course, ...}`` (the course language first, then
    one view per translation language; a translated view uses each module's
    translation when it is valid, else the course-language module with
    ``fallback=True``) and every problem found.  Broken modules are skipped.
    """
    meta, problems = read_course_meta(Path(course_dir))
    if meta is None:
        return {}, problems
    english, translations, found = _load_modules(meta, asset_url)
    problems += found + _unlisted_files(meta)
    return course_views(meta, english, translations), problems


def _load_modules(meta: CourseMeta, asset_url: AssetUrl | None
                  ) -> tuple[list[Module], dict[str, dict[str, Module]], list[Problem]]:
    """Each listed module that loads without problems, and its accepted translations."""
    modules_dir = Path(meta.path) / "modules"
    yaml_path = str(Path(meta.path) / "course.yaml")
    english: list[Module] = []
    translations: dict[str, dict[str, Module]] = {}
    problems: list[Problem] = []
    slugs: dict[str, str] = {}
    for name, line in zip(meta.module_names, meta.module_lines):
        path = modules_dir / f"{name}.md"
        if not path.is_file():
            problems.append(Problem(yaml_path, line, f'module "{name}" is listed but '
                                                     f"modules/{name}.md does not exist"))
            continue
        module, found = load_module_file(path, meta, asset_url=asset_url)
        if module is not None and module.slug in slugs:
            found.append(Problem(str(path), _slug_line(module.source),
                                 f'module slug "{module.slug}" is already used by '
                                 f"{slugs[module.slug]}"))
        problems += found
        if module is None:
            continue
        slugs.setdefault(module.slug, f"modules/{name}.md")
        if found:
            continue
        english.append(module)
        for lang in TRANSLATION_LANGUAGES:
            translated, found = load_translation(module, lang, meta, asset_url=asset_url)
            problems += found
            if translated is not None:
                translations.setdefault(lang, {})[name] = translated
    return english, translations, problems


def _unlisted_files(meta: CourseMeta) -> list[Problem]:
    """Module files course.yaml does not list, and translations into unsupported languages."""
    modules_dir = Path(meta.path) / "modules"
    if not modules_dir.is_dir():
        return []
    listed = set(meta.module_names)
    problems = []
    for f in sorted(modules_dir.glob("*.md")):
        stem, lang = module_name(f.name)
        if stem not in listed:
            problems.append(Problem(str(f), 1, f'"{stem}" is not listed in course.yaml '
                                               '"modules", so it is not shown'))
        elif lang is not None and lang not in TRANSLATION_LANGUAGES:
            problems.append(Problem(str(f), 1, f'translations into "{lang}" are not supported; '
                                               f"only {', '.join(TRANSLATION_LANGUAGES)}"))
    return problems


def _slug_line(text: str) -> int:
    doc, _, _ = read_front_matter(text, "")
    return doc.key_lines().get("slug", 1) if doc is not None else 1


def load_catalogue(root: Path, *, asset_url: AssetUrl | None = None) -> Catalogue:
    """Load every course folder under ``root`` (any folder holding course.yaml)."""
    root = Path(root)
    courses: list[Course] = []
    views: dict[tuple[str, str], Course] = {}
    problems: list[Problem] = []
    if not root.is_dir():
        return Catalogue(problems=(Problem(str(root), 1, "no such folder"),))
    seen: dict[str, str] = {}
    for cdir in find_course_dirs(root):
        loaded, found = load_course(cdir, asset_url=asset_url)
        problems += found
        if not loaded:
            continue
        main = next(iter(loaded.values()))
        if main.slug in seen:
            problems.append(Problem(str(cdir / "course.yaml"), 1,
                                    f'course slug "{main.slug}" is already used by {seen[main.slug]}'))
            continue
        seen[main.slug] = str(cdir)
        courses.append(main)
        for lang, course in loaded.items():
            views[(course.slug, lang)] = course
    return Catalogue(courses=tuple(courses), problems=tuple(problems),
                     views=MappingProxyType(views))
