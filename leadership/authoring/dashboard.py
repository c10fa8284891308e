"""The authoring dashboard: one plain row per module, and the per-app cache that keeps it cheap.

Parsing a module costs milliseconds; the dashboard shows every module of every
course, and used to parse each one twice per request.  A row's title and problem
count are now worked out once per text and content generation and kept in
:class:`AuthoringCache`; the cheap facts (draft or not, version number) are read
fresh from the database on every request, in a constant number of queries.  The
editor keeps its last few parsed modules there too (parsing and rendering the
preview was most of its cost).
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from ..content import AssetUrl, Module, Problem
from .baseline import Baseline, BaselineCache
from .drafts import course_drafts
from .generation import generation
from .order import course_order
from .published import latest_versions, text_hash


@dataclass(frozen=True)
class ModuleRow:
    name: str
    title: str
    published: bool  # has a published text (a version or its file)
    draft: bool  # has a draft that differs from the published text
    errors: int  # problems in the draft, else in the published text
    version: int | None  # newest published version number
    from_file: bool  # published only as its file in courses/


@dataclass(frozen=True)
class CourseRows:
    baseline: Baseline
    rows: list[ModuleRow]


@dataclass(frozen=True)
class _Summary:
    title: str | None  # None when the text does not make a module
    errors: int


_Key = tuple[int, str, str, str]  # content generation, course slug, module name, text hash


class AuthoringCache:
    """Per app (``app.extensions["authoring"]``): the baselines, each module text's dashboard
    summary, and the last few modules the editor parsed (with their rendered preview).

    Entries are keyed on the content generation, the course, the module and the text's
    hash, so a new draft, a publish or ``flask course reload`` is never served stale; all
    are dropped whenever the baselines are read again (a file in a course folder changed).
    """

    MAX_SUMMARIES = 2000
    MAX_MODULES = 32  # whole parsed modules are bigger: keep the most recently opened

    def __init__(self) -> None:
        self._baselines = BaselineCache()
        self._lock = threading.Lock()
        self._summaries: dict[_Key, _Summary] = {}
        self._modules: OrderedDict[_Key, tuple[Module | None, list[Problem]]] = OrderedDict()
        self._for: dict[str, Baseline] | None = None

    def baselines(self, root: Path) -> dict[str, Baseline]:
        baselines = self._baselines.get(root)
        with self._lock:
            if self._for is not baselines:  # read again: a file in a course folder changed
                self._summaries.clear()
                self._modules.clear()
                self._for = baselines
        return baselines

    def summary(self, gen: int, baseline: Baseline, name: str, text: str) -> _Summary:
        key = (gen, baseline.slug, name, text_hash(text))
        with self._lock:
            found = self._summaries.get(key)
        if found is not None:
            return found
        module, problems = baseline.parse_module(name, text)
        found = _Summary(module.title if module is not None else None, len(problems))
        with self._lock:
            if len(self._summaries) >= self.MAX_SUMMARIES:
                self._summaries.clear()
            self._summaries[key] = found
        return found

    def parsed(self, gen: int, baseline: Baseline, name: str, text: str, *, asset_url: AssetUrl
               ) -> tuple[Module | None, list[Problem]]:
        """``baseline.parse_module(name, text, asset_url=asset_url)``, remembered for the editor.

        One app passes one ``asset_url`` (the catalogue's), so it is not part of the key.
        """
        key = (gen, baseline.slug, name, text_hash(text))
        with self._lock:
            found = self._modules.get(key)
            if found is not None:
                self._modules.move_to_end(key)
                return found[0], list(found[1])
        module, problems = baseline.parse_module(name, text, asset_url=asset_url)
        with self._lock:
            self._modules[key] = (module, list(problems))
            while len(self._modules) > self.MAX_MODULES:
                self._modules.popitem(last=False)
        return module, problems


def dashboard_rows(session: Session, root: Path, cache: AuthoringCache) -> list[CourseRows]:
    """Every module of every course under ``root``, in the stored order, as plain rows."""
    baselines = cache.baselines(root)
    gen = generation(session)
    return [CourseRows(b, _course_rows(session, b, gen, cache)) for b in baselines.values()]


def _course_rows(session: Session, baseline: Baseline, gen: int, cache: AuthoringCache) -> list[ModuleRow]:
    latest = latest_versions(session, baseline.slug)
    drafts = course_drafts(session, baseline.slug)
    rows = []
    for name in course_order(session, baseline):
        draft = drafts.get(name)
        version = latest.get((baseline.slug, name))
        published = version.source if version is not None else baseline.files.get(name)
        text = draft.source if draft is not None else published
        summary = cache.summary(gen, baseline, name, text) if text else _Summary(None, 0)
        title = summary.title
        if title is None and published:
            title = cache.summary(gen, baseline, name, published).title
        rows.append(ModuleRow(
            name=name, title=title if title is not None else name, published=published is not None,
            draft=draft is not None and text_hash(draft.source) != text_hash(published),
            errors=summary.errors, version=version.number if version else None,
            from_file=version is None and name in baseline.files))
    return rows
