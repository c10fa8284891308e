"""The web layer's read-only view of course content.

The content engine (``leadership.content``) parses and renders Markdown once;
this service keeps the resulting immutable ``Catalogue`` for the app, logs every
problem (a broken module is skipped, never fatal), and in debug reloads when a
file under ``courses/`` changes.
"""
from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from .content import Catalogue, load_catalogue

log = logging.getLogger(__name__)


def course_asset_url(course_slug: str, rel: str) -> str:
    """URL for a file referenced from a module (images, or another module's file)."""
    return f"/courses/{course_slug}/files/{rel}"


def _tree_stamp(root: Path) -> tuple:
    try:
        return tuple(sorted((str(p), p.stat().st_mtime_ns) for p in root.rglob("*") if p.is_file()))
    except FileNotFoundError:
        return ()


class CatalogueService:
    def __init__(self) -> None:
        self._catalogue: Catalogue | None = None
        self._stamp: tuple = ()
        self._lock = threading.Lock()
        self.root: Path | None = None
        self.watch = False
        self.overlays = []  # callables(Catalogue) -> Catalogue, e.g. published web edits
        # Cross-process invalidation: a cheap callable returning a value that changes whenever
        # any process publishes content (authoring sets it); checked at most every few seconds.
        self.generation = None
        self.generation_interval = 3.0
        self._generation_seen = None
        self._generation_checked = 0.0

    def init_app(self, app) -> None:
        self.root = Path(app.config["COURSES_DIR"])
        reload = app.config.get("CONTENT_RELOAD")
        self.watch = app.debug if reload is None else bool(reload)
        self.generation_interval = float(app.config.get("CONTENT_GENERATION_CHECK_SECONDS", 3.0))
        app.extensions["catalogue"] = self

    def _current_generation(self):
        try:
            return self.generation() if self.generation is not None else None
        except Exception:  # a database hiccup must not take pages down
            log.exception("could not read the content generation")
            return self._generation_seen

    def reload(self) -> Catalogue:
        with self._lock:
            self._stamp = _tree_stamp(self.root) if self.watch else ()
            self._generation_seen = self._current_generation()
            self._generation_checked = time.monotonic()
            catalogue = load_catalogue(self.root, asset_url=course_asset_url)
            for overlay in self.overlays:
                catalogue = overlay(catalogue)
            for problem in catalogue.problems:
                log.warning("course content problem (skipped): %s", problem)
            self._catalogue = catalogue
            return catalogue

    def get(self) -> Catalogue:
        catalogue = self._catalogue
        if catalogue is None or (self.watch and _tree_stamp(self.root) != self._stamp) \
                or self._generation_moved():
            catalogue = self.reload()
        return catalogue

    def _generation_moved(self) -> bool:
        if self.generation is None:
            return False
        now = time.monotonic()
        if now - self._generation_checked < self.generation_interval:
            return False
        self._generation_checked = now
        return self._current_generation() != self._generation_seen


class _CurrentCatalogue:
    """``catalogue_service``: the current app's :class:`CatalogueService`.

    One service per app, so two apps (tests build several, on different course
    folders) never share a cached catalogue or overlays.
    """

    def init_app(self, app) -> CatalogueService:
        service = CatalogueService()
        service.init_app(app)
        return service

    def __getattr__(self, name):
        from flask import current_app

        return getattr(current_app.extensions["catalogue"], name)


catalogue_service = _CurrentCatalogue()
