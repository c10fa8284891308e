"""The published overlay: published browser versions laid over the course files for learners.

A module's newest version replaces its file (a version that no longer loads falls
back to the file, and says so in the log); the stored order replaces course.yaml's.
The translated views follow the engine's one rule (:func:`leadership.content.course_views`):
a module's translation is shown only while it matches the English that is published.
"""
from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from types import MappingProxyType

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..content import (
    TRANSLATION_LANGUAGES, AssetUrl, Catalogue, Course, CourseMeta, Module, Problem, course_views,
    load_translation,
)
from .baseline import Baseline, find_baselines
from .models import CourseOrder, ModuleVersion
from .order import course_order
from .published import latest_versions

log = logging.getLogger(__name__)


def _english_modules(session: Session, baseline: Baseline, meta: CourseMeta, asset_url: AssetUrl | None
                     ) -> tuple[list[Module], list[Problem]]:
    """Each module in the stored order: its newest version if it loads, else its file."""
    latest = latest_versions(session, baseline.slug)
    english: list[Module] = []
    problems: list[Problem] = []
    slugs: set[str] = set()
    for name in meta.module_names:
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
                break
            if v is not None and origin == "db":
                log.error("published version %s of %s/%s does not load; showing the file instead: %s",
                          v.number, baseline.slug, name, "; ".join(map(str, found)) or "duplicate slug")
            problems += found
    return english, problems


def _translations(english: list[Module], meta: CourseMeta, existing: dict[str, Course],
                  asset_url: AssetUrl | None) -> tuple[dict[str, dict[str, Module]], list[Problem]]:
    """The accepted translation of each module, per language.

    A module whose English is the one the file catalogue loaded keeps that catalogue's
    answer (it was checked against this very text, and its problems are already
    reported); any other module's translation file is loaded and checked again, against
    the English now published.
    """
    translations: dict[str, dict[str, Module]] = {}
    problems: list[Problem] = []
    for lang in TRANSLATION_LANGUAGES:
        view = existing.get(lang)
        loaded = {m.name: m for m in view.modules} if view is not None else {}
        have: dict[str, Module] = {}
        for module in english:
            known = loaded.get(module.name)
            if known is not None and known.version == module.version:
                if not known.fallback:
                    have[module.name] = known
                continue
            translated, found = load_translation(module, lang, meta, asset_url=asset_url)
            problems += found
            if translated is not None:
                have[module.name] = translated
        translations[lang] = have
    return translations, problems


def published_course(session: Session, baseline: Baseline, *, asset_url: AssetUrl | None = None,
                     existing: dict[str, Course] | None = None) -> tuple[dict[str, Course], list[Problem]]:
    """The course as learners should see it: DB versions over files, in the stored order.

    ``existing`` is the file catalogue's views of this course (by language), reused for
    modules whose English did not change.
    """
    names = course_order(session, baseline)
    meta = dataclasses.replace(baseline.meta, module_names=tuple(names), module_lines=tuple(1 for _ in names))
    english, problems = _english_modules(session, baseline, meta, asset_url)
    translations, found = _translations(english, meta, existing or {}, asset_url)
    return course_views(meta, english, translations), problems + found


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
