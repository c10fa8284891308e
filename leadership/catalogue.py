"""The web layer's read-only view of course content.

The content engine (``leadership.content``) parses and renders Markdown once;
this service keeps the resulting immutable ``Catalogue`` for the app, logs every
problem (a broken module is skipped, never fatal), and in debug reloads when a
file under ``courses/`` changes.
"""
from __future__ import annotations

import logging
import threading
from pathlib import Path

from .content import Catalogue, load_catalogue

log = logging.getLogger(__name__)


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

    def init_app(self, app) -> None:
        self.root = Path(app.config["COURSES_DIR"])
        reload = app.config.get("CONTENT_RELOAD")
        self.watch = app.debug if reload is None else bool(reload)
        app.extensions["catalogue"] = self

    def reload(self) -> Catalogue:
        with self._lock:
            self._stamp = _tree_stamp(self.root) if self.watch else ()
            catalogue = load_catalogue(self.root)
            for overlay in self.overlays:
                catalogue = overlay(catalogue)
            for problem in catalogue.problems:
                log.warning("course content problem (skipped): %s", problem)
            self._catalogue = catalogue
            return catalogue

    def get(self) -> Catalogue:
        catalogue = self._catalogue
        if catalogue is None or (self.watch and _tree_stamp(self.root) != self._stamp):
            catalogue = self.reload()
        return catalogue


catalogue_service = CatalogueService()
