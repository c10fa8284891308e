"""Module files: front matter, then pages (``# `` headings), then an optional ``# Quiz``.

:func:`parse_module` runs four named steps: read the front matter
(:func:`read_front_matter` and ``_check_fields``), split the body into pages
(``_split_pages``), build the pages and the quiz (``_build_pages``), and check
relative links and images (``_check_links``).  Nothing raises on bad content:
the module is returned whenever one could be built, with every problem found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable
from urllib.parse import unquote

from .fences import fence_states
from .model import CourseMeta, Module, Page, Problem, Quiz, QuizSettings
from .quiz_syntax import is_quiz_heading, parse_quiz, parse_quiz_settings
from .render import UrlRewriter, render_markdown, slugify
from .rules import content_hash, is_slug, is_whole_number, module_name, non_empty_text, normalise
from .yaml_lines import YamlDoc, load_yaml

__all__ = ["AssetUrl", "MODULE_KEYS", "module_slug", "parse_module", "read_front_matter"]

#: asset_url(course_slug, path_inside_course_folder) -> URL (or None to leave as written).
AssetUrl = Callable[[str, str], "str | None"]

MODULE_KEYS = ("slug", "title", "summary", "minutes", "required", "objectives", "outcomes", "quiz",
               "language", "translation_status")
MODULE_REQUIRED = ("slug", "title", "summary", "minutes", "objectives")

H1_RE = re.compile(r"^ {0,3}#(?:[ \t]+(.*?))?[ \t]*$")
CLOSING_HASHES = re.compile(r"[ \t]+#+$")
LINK_RE = re.compile(r"(!?)\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]*)>?(?:\s+[\"'(][^)]*)?\s*\)")
REF_DEF_RE = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$")
INLINE_CODE_RE = re.compile(r"(`+)(?:(?!\1).)+?\1")
SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
WORD_RE = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")

Lines = list[tuple[int, str]]
Section = tuple[int, str, Lines]  # heading line, heading text, body lines


# --------------------------------------------------------------------------- front matter


def read_front_matter(text: str, path: str) -> tuple[YamlDoc | None, int, list[Problem]]:
    """The front matter of normalised module text, and the index of the first body line.

    A module starts with a ``---`` line and YAML, closed by ``---`` (or ``...``).
    """
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return None, 0, [Problem(path, 1, 'a module must start with a "---" line and YAML '
                                          "front matter")]
    for i in range(1, len(lines)):
        if lines[i].rstrip() in ("---", "..."):
            doc, problems = load_yaml("\n".join(lines[1:i]), path, 1)
            return doc, i + 1, problems  # body starts on file line i + 2
    return None, 0, [Problem(path, 1, 'the front matter is not closed with a "---" line')]


def module_slug(text: str) -> str | None:
    """The ``slug:`` a module's front matter gives, if it is a valid slug (else None)."""
    doc, _, _ = read_front_matter(normalise(text), "")
    slug = doc.data.get("slug") if doc is not None and isinstance(doc.data, dict) else None
    return slug if is_slug(slug) else None


@dataclass
class _Fields:
    """The checked front matter of one module (bad values replaced by defaults)."""

    slug: str | None = None
    minutes: int = 0
    required: bool = True
    objectives: list[Any] = field(default_factory=list)
    outcomes: list[str] = field(default_factory=list)
    language: str = "en"
    status: str | None = None


class _Checker:
    """Front-matter checks for one file: its keys' lines and the problems found."""

    def __init__(self, doc: YamlDoc, fm: dict[Any, Any], path: str):
        self.doc, self.fm, self.path = doc, fm, path
        self.lines = doc.key_lines()
        self.problems: list[Problem] = []

    def at(self, key: str) -> int:
        return self.lines.get(key, 1)

    def bad(self, key: str, message: str) -> None:
        self.problems.append(Problem(self.path, self.at(key), message))


def _check_fields(c: _Checker, course_meta: CourseMeta | None, name: str,
                  file_lang: str | None) -> _Fields:
    fm, f = c.fm, _Fields()
    for key in fm:
        if key not in MODULE_KEYS:
            c.bad(str(key), f'unknown front-matter key "{key}"; allowed: {", ".join(MODULE_KEYS)}')
    for key in MODULE_REQUIRED:
        if key not in fm:
            c.problems.append(Problem(c.path, 1, f'missing front-matter key "{key}"'))
    f.slug = fm.get("slug")
    if "slug" in fm and not is_slug(f.slug):
        c.bad("slug", "slug must be lowercase letters, digits and hyphens, like cyber-security, "
                      f"not {f.slug!r}")
        f.slug = None
    for key in ("title", "summary"):
        if key in fm and non_empty_text(fm[key]) is None:
            c.bad(key, f'"{key}" must be non-empty text')
    f.minutes = fm.get("minutes", 0)
    if "minutes" in fm and (not is_whole_number(f.minutes) or f.minutes < 1):
        c.bad("minutes", f"minutes must be a whole number of minutes (1 or more), not "
                         f"{f.minutes!r}")
        f.minutes = 0
    f.required = fm.get("required", True)
    if not isinstance(f.required, bool):
        c.bad("required", f"required must be true or false, not {f.required!r}")
        f.required = True
    f.objectives = fm.get("objectives") or []
    if "objectives" in fm and (not isinstance(fm["objectives"], list) or not fm["objectives"]
                               or any(non_empty_text(o) is None for o in fm["objectives"])):
        c.bad("objectives", "objectives must be a non-empty list of sentences")
        f.objectives = []
    f.outcomes = _outcomes(c, course_meta)
    f.language, f.status = _language(c, course_meta, name, file_lang)
    return f


def _outcomes(c: _Checker, course_meta: CourseMeta | None) -> list[str]:
    outcomes = c.fm.get("outcomes") or []
    if isinstance(outcomes, str):
        outcomes = [outcomes]
    if not isinstance(outcomes, list) or any(not isinstance(o, str) for o in outcomes):
        c.bad("outcomes", "outcomes must be a list of outcome ids")
        return []
    if course_meta is not None:
        known = course_meta.outcome_ids
        for o in outcomes:
            if o not in known:
                c.bad("outcomes", f'unknown outcome "{o}"; course.yaml outcomes are: '
                                  + ", ".join(sorted(known)))
    return outcomes


def _language(c: _Checker, course_meta: CourseMeta | None, name: str, file_lang: str | None
              ) -> tuple[str, str | None]:
    """The module's language (a translation's comes from its file name) and translation_status."""
    expected = file_lang or (course_meta.language if course_meta else "en")
    language = c.fm.get("language", expected if not file_lang else None)
    if file_lang and language != file_lang:
        c.bad("language", f'a {file_lang} translation needs "language: {file_lang}" in its '
                          "front matter")
        language = file_lang
    elif not file_lang and language != expected:
        c.bad("language", f'language is "{language}" but this is the {expected} file; name a '
                          f"translation {name}.{language}.md")
        language = expected
    status = c.fm.get("translation_status")
    if status is not None and not (isinstance(status, str) and status.strip()):
        c.bad("translation_status", "translation_status must be text, like awaiting-review")
        status = None
    if status is not None and not file_lang:
        c.bad("translation_status", "translation_status belongs only in a translation file")
    return str(language or "en"), status


# --------------------------------------------------------------------------- pages


def _split_pages(body: Lines, path: str) -> tuple[list[Section], list[Problem]]:
    """One section per level-1 heading outside code; text before the first is reported once."""
    sections: list[Section] = []
    problems: list[Problem] = []
    for n, line, in_code in fence_states(body):
        if not in_code:
            hm = H1_RE.match(line)
            if hm:
                title = CLOSING_HASHES.sub("", (hm.group(1) or "").strip()).strip()
                sections.append((n, title, []))
                continue
        if sections:
            sections[-1][2].append((n, line))
        elif line.strip() and not problems:
            problems.append(Problem(path, n, 'text before the first "# " heading; every page '
                                             'starts with a level-1 heading like "# Why it '
                                             'matters"'))
    return sections, problems


@dataclass
class _QuizInput:
    settings: QuizSettings
    pool: int | None
    pool_line: int


def _build_pages(sections: list[Section], path: str, quiz_input: _QuizInput,
                 rewrite: UrlRewriter | None) -> tuple[list[Page], Quiz | None, list[Problem]]:
    """Render each section as a page (unique slugs), and parse the ``# Quiz`` section."""
    pages: list[Page] = []
    quiz: Quiz | None = None
    problems: list[Problem] = []
    used: dict[str, int] = {}
    for n, title, lines in sections:
        if quiz is not None:
            problems.append(Problem(path, n, f'"# {title}" comes after the quiz; the quiz must '
                                             "be the last level-1 heading"))
            continue
        if is_quiz_heading(title):
            quiz, found = parse_quiz(lines, path=path, line=n, settings=quiz_input.settings,
                                     pool=quiz_input.pool, pool_line=quiz_input.pool_line,
                                     rewrite=rewrite)
            problems += found
            continue
        if not title:
            problems.append(Problem(path, n, "page heading has no text"))
        source = "\n".join(t for _, t in lines)
        if not source.strip():
            problems.append(Problem(path, n, f'page "{title}" is empty'))
        pslug = slugify(title) or f"page-{len(pages) + 1}"
        if pslug in used:
            used[pslug] += 1
            pslug = f"{pslug}-{used[pslug]}"
        else:
            used[pslug] = 1
        pages.append(Page(number=len(pages) + 1, slug=pslug, title=title,
                          html=render_markdown(source, rewrite=rewrite), line=n,
                          word_count=_words(title + "\n" + source)))
    return pages, quiz, problems


def _words(text: str) -> int:
    text = re.sub(r"\]\([^)]*\)", "]", text)  # link targets are not words
    return len(WORD_RE.findall(text))


# --------------------------------------------------------------------------- links


def _check_links(body: Lines, path: str, course_dir: Path | None) -> list[Problem]:
    """A relative link or image must name a file beside the module or in the course folder."""
    here = Path(path).parent
    if not here.is_dir():
        return []  # an in-memory draft with no folder to check against
    problems = []
    for n, line, in_code in fence_states(body):
        if in_code:
            continue
        text = INLINE_CODE_RE.sub("", line)
        targets = [(m.group(1) == "!", m.group(2)) for m in LINK_RE.finditer(text)]
        rm = REF_DEF_RE.match(text)
        if rm:
            targets.append((False, rm.group(1)))
        for is_image, target in targets:
            if not target or target.startswith(("#", "/")) or SCHEME_RE.match(target):
                continue
            rel = unquote(target.split("#", 1)[0].split("?", 1)[0])
            if not rel:
                continue
            if (here / rel).exists() or (course_dir is not None and (course_dir / rel).exists()):
                continue
            what = "missing image" if is_image else "broken link"
            problems.append(Problem(path, n, f'{what} "{target}": no such file'))
    return problems


def _rewriter(path: str, course_dir: Path | None, course_slug: str | None,
              asset_url: AssetUrl | None) -> UrlRewriter | None:
    """Map relative ``href``/``src`` values that name a course file to ``asset_url``'s URL."""
    if asset_url is None or course_dir is None or course_slug is None:
        return None
    here = Path(path).parent
    root = course_dir.resolve()

    def rewrite(tag: str, attr: str, value: str) -> str | None:
        if not value or value.startswith(("#", "/")) or SCHEME_RE.match(value):
            return value
        rel, sep, frag = value.partition("#")
        rel = unquote(rel.split("?", 1)[0])
        for base in (here, course_dir):
            target = (base / rel).resolve()
            if target.exists() and target.is_relative_to(root):
                url = asset_url(course_slug, target.relative_to(root).as_posix())
                if url is None:
                    return value
                return url + (sep + frag if frag else "")
        return value

    return rewrite


# --------------------------------------------------------------------------- the module


def _course_dir(path: str, course_meta: CourseMeta | None) -> Path | None:
    if course_meta is not None and course_meta.path:
        return Path(course_meta.path)
    if Path(path).parent.name == "modules":
        return Path(path).parent.parent
    return None


def parse_module(text: str, path: str | Path, *, course_meta: CourseMeta | None = None,
                 asset_url: AssetUrl | None = None) -> tuple[Module | None, list[Problem]]:
    """Parse one module file (or an in-memory draft that will live at ``path``).

    Returns the module whenever one could be built (so a draft can be previewed
    even with problems) and every problem found.  Loading skips modules with
    problems; callers decide for themselves.
    """
    path = str(path)
    text = normalise(text)
    name, file_lang = module_name(path)
    course_dir = _course_dir(path, course_meta)
    doc, body_start, problems = read_front_matter(text, path)
    if doc is None:
        return None, problems
    fm = doc.data if doc.data is not None else {}
    if not isinstance(fm, dict):
        return None, problems + [Problem(path, 2, "the front matter must be a mapping of keys")]
    checker = _Checker(doc, fm, path)
    fields = _check_fields(checker, course_meta, name, file_lang)
    settings, found, pool = parse_quiz_settings(
        fm.get("quiz"), doc.key_lines("quiz"), course_meta.pass_mark if course_meta else 80,
        path, checker.at("quiz"))
    problems += checker.problems + found

    all_lines = text.split("\n")
    body = [(i + 1, all_lines[i]) for i in range(body_start, len(all_lines))]
    sections, found = _split_pages(body, path)
    problems += found
    rewrite = _rewriter(path, course_dir, course_meta.slug if course_meta else None, asset_url)
    pages, quiz, found = _build_pages(
        sections, path, _QuizInput(settings, pool, doc.key_lines("quiz").get("pool", 0)), rewrite)
    problems += found
    if not pages:
        problems.append(Problem(path, body_start + 1 if body_start < len(all_lines) else 1,
                                'the module has no pages; start each page with a "# " heading'))
    if "quiz" in fm and quiz is None:
        problems.append(Problem(path, checker.at("quiz"), 'quiz settings are given but there is '
                                                          'no "# Quiz" section'))
    problems += _check_links(body, path, course_dir)

    if any(k not in fm for k in ("slug", "title")) or fields.slug is None:
        return None, problems
    version = content_hash(text)
    return Module(
        slug=fields.slug, title=non_empty_text(fm.get("title")) or "",
        summary=non_empty_text(fm.get("summary")) or "", minutes=fields.minutes,
        objectives=tuple(o.strip() for o in fields.objectives if non_empty_text(o)),
        outcomes=tuple(fields.outcomes), required=fields.required, pages=tuple(pages), quiz=quiz,
        language=fields.language, translation_status=fields.status, version=version,
        source_path=path, source=text, name=name, word_count=sum(p.word_count for p in pages),
        translation_version=version if file_lang else None,
    ), problems
