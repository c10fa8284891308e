"""The baseline: a course folder as files (course.yaml and each module's English text).

Published browser versions are laid over the baseline (:mod:`.overlay`); the files in
``courses/`` stay as they are until ``flask course export`` writes them.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from ..content import (
    AssetUrl, CourseMeta, Module, Problem, find_course_dirs, module_name, parse_module,
    read_course_meta, read_text,
)


@dataclass(frozen=True)
class Baseline:
    """A course folder as files: course.yaml metadata and each module's English text."""

    path: Path
    meta: CourseMeta
    files: dict[str, str]  # name -> text of modules/<name>.md (English)

    @property
    def slug(self) -> str:
        return self.meta.slug

    def module_path(self, name: str) -> Path:
        return self.path / "modules" / f"{name}.md"

    def parse_module(self, name: str, text: str, *, course_meta: CourseMeta | None = None,
                     asset_url: AssetUrl | None = None) -> tuple[Module | None, list[Problem]]:
        """``text`` parsed as module ``name`` of this course (where its file is or would be)."""
        return parse_module(text, self.module_path(name), course_meta=course_meta or self.meta,
                            asset_url=asset_url)


def read_baseline(course_dir: Path) -> Baseline | None:
    """The folder's course.yaml and English module files; None if course.yaml does not load."""
    course_dir = Path(course_dir)
    meta, _ = read_course_meta(course_dir)
    if meta is None:
        return None
    files = {}
    modules_dir = course_dir / "modules"
    if modules_dir.is_dir():
        for f in sorted(modules_dir.glob("*.md")):
            stem, lang = module_name(f.name)
            if lang is not None:  # a translation, e.g. 03-x.cy.md
                continue
            text, _ = read_text(f)
            if text is not None:
                files[stem] = text
    return Baseline(path=course_dir, meta=meta, files=files)


def find_baselines(root: Path) -> dict[str, Baseline]:
    """Every course under ``root`` by slug (the first folder wins a repeated slug)."""
    out: dict[str, Baseline] = {}
    for d in find_course_dirs(Path(root)):
        b = read_baseline(d)
        if b is not None and b.slug not in out:
            out[b.slug] = b
    return out


def _files_stamp(root: Path) -> tuple[tuple[str, int, int], ...]:
    """(path, mtime, size) of every file in every course folder: course.yaml, the modules,
    and the images and other files their links are checked against."""
    stamp = []
    for d in find_course_dirs(Path(root)):
        for f in sorted(d.rglob("*")):
            try:
                st = f.stat()
            except OSError:
                continue
            if f.is_file():
                stamp.append((str(f), st.st_mtime_ns, st.st_size))
    return tuple(stamp)


class BaselineCache:
    """:func:`find_baselines` read again only when a file in a course folder changed.

    One per app (``app.extensions["authoring"]``); every authoring page needs the
    baselines, and reading and parsing every file per request was most of their cost.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: tuple[str, tuple[tuple[str, int, int], ...]] | None = None
        self._baselines: dict[str, Baseline] = {}

    def get(self, root: Path) -> dict[str, Baseline]:
        key = (str(root), _files_stamp(root))
        with self._lock:
            if key != self._key:
                self._baselines, self._key = find_baselines(root), key
            return self._baselines
