"""The published overlay: published browser versions laid over the course files for learners.

A module's newest version replaces its file (a version that no longer loads falls
back to the file, and says so in the log); the stored order replaces course.yaml's.
"""
from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from types import MappingProxyType

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..content import (
    TRANSLATION_LANGUAGES, AssetUrl, Catalogue, Course, Module, Problem, build_course, compare_translation,
    parse_module,
)
from .baseline import Baseline, find_baselines
from .models import CourseOrder, ModuleVersion
from .order import course_order
from .published import latest_versions

log = logging.getLogger(__name__)


def published_course(session: Session, baseline: Baseline, *, asset_url: AssetUrl | None = None,
                     existing: dict[str, Course] | None = None) -> tuple[dict[str, Course], list[Problem]]:
    """The course as learners should see it: DB versions over files, in the stored order."""
    latest = latest_versions(session, baseline.slug)
    names = course_order(session, baseline)
    meta = dataclasses.replace(baseline.meta, module_names=tuple(names), module_lines=tuple(1 for _ in names))
    english: list[Module] = []
    from_db: set[str] = set()
    problems: list[Problem] = []
    slugs: set[str] = set()
    for name in names:
        candidates = []
        v = latest.get((baseline.slug, name))
        if v is not None:
            candidates.append(("db", v.source))
        if name in baseline.files:
            candidates.append(("file", baseline.files[name]))
        for origin, text in candidates:
            module, found = baseline.parse_module(name, text, course_meta=meta, asset_url=asset_url)
            if module is not None and not found and module.slug not in slugs:
                english.append(module)
                slugs.add(module.slug)
                if origin == "db":
                    from_db.add(name)
                break
            if origin == "db":
                log.error("published version %s of %s/%s does not load; showing the file instead: %s",
                          v.number, baseline.slug, name, "; ".join(map(str, found)) or "duplicate slug")
            problems += found
    courses = {meta.language: build_course(meta, english)}
    for lang in TRANSLATION_LANGUAGES:
        if lang == meta.language:
            continue
        view = (existing or {}).get(lang)
        translated = []
        for module in english:
            tmod = None
            if module.name not in from_db and view is not None:
                tmod = next((m for m in view.modules if m.name == module.name and not m.fallback), None)
            elif module.name in from_db:
                tpath = baseline.path / "modules" / f"{module.name}.{lang}.md"
                if tpath.is_file():
                    t, tp = parse_module(tpath.read_text(encoding="utf-8"), tpath, course_meta=meta,
                                         asset_url=asset_url)
                    if t is not None and not tp and not compare_translation(module, t):
                        tmod = dataclasses.replace(t, version=module.version)
            translated.append(tmod or dataclasses.replace(module, fallback=True))
        courses[lang] = build_course(meta, translated, language=lang)
    return courses, problems


def has_overrides(session: Session) -> set[str]:
    """Course slugs with any published version or stored order."""
    slugs = set(session.scalars(sa.select(ModuleVersion.course_slug).distinct()))
    return slugs | set(session.scalars(sa.select(CourseOrder.course_slug)))


def overlay(session: Session, catalogue: Catalogue, root: Path, *, asset_url: AssetUrl | None = None
            ) -> Catalogue:
    """``catalogue`` with every course that has published versions or a stored order rebuilt."""
    slugs = has_overrides(session)
    if not slugs:
        return catalogue
    baselines = find_baselines(root)
    courses = list(catalogue.courses)
    views = dict(catalogue.views)
    problems = list(catalogue.problems)
    for i, course in enumerate(courses):
        if course.slug not in slugs or course.slug not in baselines:
            continue
        existing = {lang: c for (s, lang), c in views.items() if s == course.slug}
        built, found = published_course(session, baselines[course.slug], asset_url=asset_url,
                                        existing=existing)
        problems += found
        courses[i] = next(iter(built.values()))
        for lang, c in built.items():
            views[(course.slug, lang)] = c
    return Catalogue(courses=tuple(courses), problems=tuple(problems), views=MappingProxyType(views))
