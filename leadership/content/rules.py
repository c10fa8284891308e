"""Rules shared by every part of the engine and by the packages that build on it.

One place for each: how text is normalised before hashing or parsing, which
languages a course can be translated into, what a slug looks like, how a module
file is named.  Authoring, validation and the web layer import these from
:mod:`leadership.content` instead of keeping copies.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from pathlib import Path

from .model import Problem

__all__ = [
    "LANGUAGES", "SOURCE_LANGUAGE", "TRANSLATION_LANGUAGES", "content_hash", "is_slug",
    "is_whole_number", "module_name", "non_empty_text", "normalise", "read_text",
]

#: The language every course is written in, and the languages it may be translated into
#: (``<module>.<lang>.md`` beside the module file).  ``LANGUAGES`` is what the site offers.
SOURCE_LANGUAGE = "en"
TRANSLATION_LANGUAGES: tuple[str, ...] = ("cy",)
LANGUAGES: tuple[str, ...] = (SOURCE_LANGUAGE, *TRANSLATION_LANGUAGES)

#: Course slugs, module slugs, outcome ids and question ids: lowercase words joined by hyphens.
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
#: A language code as written in course.yaml, front matter or a file name ("en", "cy").
LANG_RE = re.compile(r"^[a-z]{2,3}$")


def is_slug(value: object) -> bool:
    """True for text like ``digital-leadership``: lowercase letters and digits joined by hyphens."""
    return isinstance(value, str) and SLUG_RE.match(value) is not None


def is_whole_number(value: object) -> bool:
    """True for an int that is not a bool (YAML's ``true`` is not a number of minutes)."""
    return isinstance(value, int) and not isinstance(value, bool)


def non_empty_text(value: object) -> str | None:
    """The stripped text, or None when ``value`` is not text or is only white space."""
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def normalise(text: str) -> str:
    """Drop a byte-order mark and turn CRLF/CR into LF, so hashes equal ``Module.version``."""
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def content_hash(text: str) -> str:
    """12 hex characters of SHA-256: a module's version, or a course's content version."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def module_name(path: str | Path) -> tuple[str, str | None]:
    """'modules/03-x.cy.md' -> ('03-x', 'cy'); 'modules/03-x.md' -> ('03-x', None)."""
    base = posixpath.basename(str(path).replace("\\", "/"))
    if base.endswith(".md"):
        base = base[:-3]
    stem, dot, lang = base.rpartition(".")
    if dot and LANG_RE.match(lang):
        return stem, lang
    return base, None


def read_text(path: Path) -> tuple[str | None, list[Problem]]:
    """A content file's text as written (UTF-8), or None and the problem that stopped it."""
    try:
        return path.read_text(encoding="utf-8"), []
    except UnicodeDecodeError:
        return None, [Problem(str(path), 1, "the file is not UTF-8 text")]
    except OSError as exc:
        return None, [Problem(str(path), 1, f"cannot read the file: {exc.strerror or exc}")]
