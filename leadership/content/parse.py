"""Parse course.yaml and module files into the model, with line-accurate problems.

Nothing here raises on bad content: every function returns what it could build
plus a list of :class:`Problem`.  Loading skips a module that has any problem,
and a course whose course.yaml is broken, so one mistake never takes the site down.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from pathlib import Path
from types import MappingProxyType
from typing import Callable, Iterable, Mapping, Sequence
from urllib.parse import unquote

import yaml

from .model import (
    Catalogue, CertificateSettings, Course, CourseMeta, Module, Page, Problem, Quiz,
)
from .fences import fence_states
from .quiz_syntax import is_quiz_heading, parse_quiz, parse_quiz_settings
from .render import UrlRewriter, render_markdown, slugify

__all__ = [
    "parse_course_meta", "parse_module", "build_course", "load_course", "load_catalogue",
    "compare_translation", "content_hash", "COURSE_KEYS", "MODULE_KEYS", "AssetUrl",
]

#: asset_url(course_slug, path_inside_course_folder) -> URL (or None to leave as written).
AssetUrl = Callable[[str, str], "str | None"]

COURSE_KEYS = ("slug", "title", "summary", "version", "language", "pass_mark", "certificate",
               "outcomes", "modules", "translations")
COURSE_REQUIRED = ("slug", "title", "summary", "version", "modules")
CERTIFICATE_KEYS = ("title", "wording", "valid_for_months")
TRANSLATION_KEYS = ("title", "summary", "certificate")
MODULE_KEYS = ("slug", "title", "summary", "minutes", "required", "objectives", "outcomes", "quiz",
               "language", "translation_status")
MODULE_REQUIRED = ("slug", "title", "summary", "minutes", "objectives")
TRANSLATION_STATUSES = ("awaiting-review", "reviewed", "machine", "draft")

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
LANG_RE = re.compile(r"^[a-z]{2,3}$")
H1_RE = re.compile(r"^ {0,3}#(?:[ \t]+(.*?))?[ \t]*$")
CLOSING_HASHES = re.compile(r"[ \t]+#+$")
LINK_RE = re.compile(r"(!?)\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]*)>?(?:\s+[\"'(][^)]*)?\s*\)")
REF_DEF_RE = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$")
INLINE_CODE_RE = re.compile(r"(`+)(?:(?!\1).)+?\1")
SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
WORD_RE = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def _normalise(text: str) -> str:
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


# --------------------------------------------------------------------------- YAML


class _Yaml:
    """A YAML document plus the file line of every mapping key."""

    def __init__(self, data, node, offset: int):
        self.data = data
        self.node = node
        self.offset = offset

    def key_lines(self, *path: str) -> dict[str, int]:
        node = self._node_at(path)
        out: dict[str, int] = {}
        if isinstance(node, yaml.MappingNode):
            for k, _ in node.value:
                if isinstance(k, yaml.ScalarNode):
                    out.setdefault(str(k.value), k.start_mark.line + 1 + self.offset)
        return out

    def item_lines(self, *path: str) -> list[int]:
        node = self._node_at(path)
        if isinstance(node, yaml.SequenceNode):
            return [n.start_mark.line + 1 + self.offset for n in node.value]
        return []

    def line_of(self, *path: str) -> int:
        node = self._node_at(path)
        return node.start_mark.line + 1 + self.offset if node is not None else 1 + self.offset

    def duplicate_keys(self) -> list[tuple[int, str]]:
        out = []

        def walk(node):
            if isinstance(node, yaml.MappingNode):
                seen = set()
                for k, v in node.value:
                    if isinstance(k, yaml.ScalarNode):
                        if k.value in seen:
                            out.append((k.start_mark.line + 1 + self.offset, str(k.value)))
                        seen.add(k.value)
                    walk(v)
            elif isinstance(node, yaml.SequenceNode):
                for v in node.value:
                    walk(v)

        walk(self.node)
        return out

    def _node_at(self, path: Sequence[str]):
        node = self.node
        for key in path:
            if not isinstance(node, yaml.MappingNode):
                return None
            for k, v in node.value:
                if isinstance(k, yaml.ScalarNode) and str(k.value) == key:
                    node = v
                    break
            else:
                return None
        return node


def _load_yaml(text: str, path: str, offset: int) -> tuple[_Yaml | None, list[Problem]]:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = (mark.line + 1 + offset) if mark is not None else 1 + offset
        what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return None, [Problem(path, line, f"YAML error: {what}")]
    doc = _Yaml(data, node, offset)
    problems = [Problem(path, ln, f'duplicate key "{key}"') for ln, key in doc.duplicate_keys()]
    return doc, problems


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _text(v) -> str | None:
    if isinstance(v, str) and v.strip():
        return v.strip()
    return None


# --------------------------------------------------------------------------- course.yaml


def parse_course_meta(text: str, path: str | Path) -> tuple[CourseMeta | None, list[Problem]]:
    """Parse course.yaml text.  ``path`` is the course.yaml path used in problems."""
    path = str(path)
    doc, problems = _load_yaml(_normalise(text), path, 0)
    if doc is None:
        return None, problems
    data = doc.data
    if not isinstance(data, dict):
        return None, problems + [Problem(path, 1, "course.yaml must be a mapping of keys "
                                                  f"({', '.join(COURSE_KEYS)})")]
    lines = doc.key_lines()
    at = lambda key: lines.get(key, 1)  # noqa: E731
    for key in data:
        if key not in COURSE_KEYS:
            problems.append(Problem(path, at(str(key)), f'unknown key "{key}"; allowed: '
                                                        + ", ".join(COURSE_KEYS)))
    for key in COURSE_REQUIRED:
        if key not in data:
            problems.append(Problem(path, 1, f'missing required key "{key}"'))

    slug = data.get("slug")
    if "slug" in data and not (isinstance(slug, str) and SLUG_RE.match(slug)):
        problems.append(Problem(path, at("slug"), f"slug must be lowercase letters, digits and "
                                                  f"hyphens, like digital-leadership, not {slug!r}"))
    for key in ("title", "summary"):
        if key in data and _text(data[key]) is None:
            problems.append(Problem(path, at(key), f'"{key}" must be non-empty text'))
    edition = data.get("version")
    if "version" in data and (edition is None or isinstance(edition, (list, dict, bool))):
        problems.append(Problem(path, at("version"), 'version must be a label such as "2026.1"'))
    language = data.get("language", "en")
    if not (isinstance(language, str) and LANG_RE.match(language)):
        problems.append(Problem(path, at("language"), f'language must be a language code such '
                                                      f'as "en", not {language!r}'))
        language = "en"
    pass_mark = data.get("pass_mark", 80)
    if not _is_int(pass_mark) or not 1 <= pass_mark <= 100:
        problems.append(Problem(path, at("pass_mark"), "pass_mark must be a whole number from 1 "
                                                       f"to 100, not {pass_mark!r}"))
        pass_mark = 80

    title = _text(data.get("title")) or ""
    certificate, cert_problems = _certificate(data.get("certificate"), doc, ("certificate",),
                                              path, title, required=True)
    problems += cert_problems

    outcomes_raw = data.get("outcomes") or {}
    outcomes: list[tuple[str, str]] = []
    if not isinstance(outcomes_raw, dict):
        problems.append(Problem(path, at("outcomes"), "outcomes must be a mapping of id: name"))
    else:
        olines = doc.key_lines("outcomes")
        for oid, name in outcomes_raw.items():
            if not (isinstance(oid, str) and SLUG_RE.match(oid)):
                problems.append(Problem(path, olines.get(str(oid), at("outcomes")),
                                        f'outcome id "{oid}" must be lowercase letters, digits '
                                        "and hyphens"))
            elif _text(name) is None:
                problems.append(Problem(path, olines.get(oid, at("outcomes")),
                                        f'outcome "{oid}" needs a name'))
            else:
                outcomes.append((oid, name.strip()))

    modules_raw = data.get("modules")
    names: list[str] = []
    mlines: list[int] = []
    if "modules" in data:
        if not isinstance(modules_raw, list) or not modules_raw:
            problems.append(Problem(path, at("modules"), "modules must be a list of module file "
                                                         "names, like 01-digitalisation"))
        else:
            item_lines = doc.item_lines("modules")
            seen: dict[str, int] = {}
            for i, name in enumerate(modules_raw):
                ln = item_lines[i] if i < len(item_lines) else at("modules")
                if isinstance(name, str) and name.endswith(".md"):
                    problems.append(Problem(path, ln, f'write module "{name}" without ".md"'))
                    name = name[:-3]
                if not (isinstance(name, str) and NAME_RE.match(name)):
                    problems.append(Problem(path, ln, f"module name {name!r} is not a file name"))
                    continue
                if name in seen:
                    problems.append(Problem(path, ln, f'module "{name}" is listed twice (first '
                                                      f"on line {seen[name]})"))
                    continue
                seen[name] = ln
                names.append(name)
                mlines.append(ln)

    translations_raw = data.get("translations") or {}
    translations: dict[str, Mapping] = {}
    if not isinstance(translations_raw, dict):
        problems.append(Problem(path, at("translations"), "translations must be a mapping of "
                                                          "language code to title, summary "
                                                          "and certificate"))
    else:
        tlines = doc.key_lines("translations")
        for lang, tr in translations_raw.items():
            ln = tlines.get(str(lang), at("translations"))
            if not (isinstance(lang, str) and LANG_RE.match(lang)):
                problems.append(Problem(path, ln, f"translation language {lang!r} must be a "
                                                  'language code such as "cy"'))
                continue
            if not isinstance(tr, dict):
                problems.append(Problem(path, ln, f'translations "{lang}" must be a mapping'))
                continue
            klines = doc.key_lines("translations", lang)
            for key, value in tr.items():
                if key not in TRANSLATION_KEYS:
                    problems.append(Problem(path, klines.get(str(key), ln),
                                            f'unknown key "{key}" in translations "{lang}"; '
                                            f'allowed: {", ".join(TRANSLATION_KEYS)}'))
                elif key != "certificate" and _text(value) is None:
                    problems.append(Problem(path, klines.get(key, ln),
                                            f'translations "{lang}" "{key}" must be non-empty '
                                            "text"))
            entry = {k: tr[k].strip() for k in ("title", "summary") if _text(tr.get(k))}
            if "certificate" in tr:
                cert, cps = _certificate(tr["certificate"], doc,
                                         ("translations", lang, "certificate"), path,
                                         entry.get("title", title), required=False,
                                         base=certificate)
                problems += cps
                entry["certificate"] = cert
            translations[lang] = MappingProxyType(entry)

    if any(k not in data for k in ("slug", "title", "modules")) or not names \
            or not isinstance(slug, str) or not SLUG_RE.match(slug or ""):
        return None, problems
    meta = CourseMeta(
        slug=slug, title=title, summary=_text(data.get("summary")) or "",
        edition=str(edition) if edition is not None else "", language=language,
        pass_mark=pass_mark, certificate=certificate, outcomes=tuple(outcomes),
        module_names=tuple(names), translations=MappingProxyType(translations),
        path=str(Path(path).parent), module_lines=tuple(mlines),
    )
    return meta, problems


def _certificate(raw, doc: _Yaml, where: tuple[str, ...], path: str, title: str, *,
                 required: bool, base: CertificateSettings | None = None
                 ) -> tuple[CertificateSettings, list[Problem]]:
    problems: list[Problem] = []
    default = base or CertificateSettings(title=title or "Certificate",
                                          wording=f"has completed the course {title}.")
    if raw is None:
        if required:
            problems.append(Problem(path, 1, 'missing required key "certificate" (title and '
                                             "wording)"))
        return default, problems
    line = doc.line_of(*where)
    if not isinstance(raw, dict):
        return default, [Problem(path, line, "certificate must be a mapping with title and "
                                             "wording")]
    lines = doc.key_lines(*where)
    for key in raw:
        if key not in CERTIFICATE_KEYS:
            problems.append(Problem(path, lines.get(str(key), line),
                                    f'unknown certificate key "{key}"; allowed: '
                                    + ", ".join(CERTIFICATE_KEYS)))
    for key in ("title", "wording"):
        if key in raw and _text(raw[key]) is None:
            problems.append(Problem(path, lines.get(key, line),
                                    f'certificate "{key}" must be non-empty text'))
        elif key not in raw and required:
            problems.append(Problem(path, line, f'certificate is missing "{key}"'))
    months = raw.get("valid_for_months", default.valid_for_months)
    if months is not None and (not _is_int(months) or months < 1):
        problems.append(Problem(path, lines.get("valid_for_months", line),
                                "certificate valid_for_months must be a whole number of months "
                                "(omit it for certificates that never expire)"))
        months = None
    return CertificateSettings(
        title=_text(raw.get("title")) or default.title,
        wording=_text(raw.get("wording")) or default.wording,
        valid_for_months=months,
    ), problems


# --------------------------------------------------------------------------- modules


def _split_front_matter(text: str, path: str):
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return None, None, [Problem(path, 1, 'a module must start with a "---" line and YAML '
                                             "front matter")]
    for i in range(1, len(lines)):
        if lines[i].rstrip() in ("---", "..."):
            return "\n".join(lines[1:i]), i + 1, []  # body starts on file line i + 2
    return None, None, [Problem(path, 1, 'the front matter is not closed with a "---" line')]


def _module_name(path: str) -> tuple[str, str | None]:
    """'modules/03-x.cy.md' -> ('03-x', 'cy'); 'modules/03-x.md' -> ('03-x', None)."""
    base = posixpath.basename(str(path).replace("\\", "/"))
    if base.endswith(".md"):
        base = base[:-3]
    stem, dot, lang = base.rpartition(".")
    if dot and LANG_RE.match(lang):
        return stem, lang
    return base, None


def _strip_code(line: str) -> str:
    return INLINE_CODE_RE.sub("", line)


def _check_links(body: list[tuple[int, str]], path: str, course_dir: Path | None
                 ) -> list[Problem]:
    here = Path(path).parent
    if not here.is_dir():
        return []  # an in-memory draft with no folder to check against
    problems = []
    for n, line, in_code in fence_states(body):
        if in_code:
            continue
        text = _strip_code(line)
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


def _words(text: str) -> int:
    text = re.sub(r"\]\([^)]*\)", "]", text)  # link targets are not words
    return len(WORD_RE.findall(text))


def _rewriter(path: str, course_dir: Path | None, course_slug: str | None,
              asset_url: AssetUrl | None) -> UrlRewriter | None:
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


def parse_module(text: str, path: str | Path, *, course_meta: CourseMeta | None = None,
                 asset_url: AssetUrl | None = None) -> tuple[Module | None, list[Problem]]:
    """Parse one module file (or an in-memory draft that will live at ``path``).

    Returns the module whenever one could be built (so a draft can be previewed
    even with problems) and every problem found.  Loading skips modules with
    problems; callers decide for themselves.
    """
    path = str(path)
    text = _normalise(text)
    name, file_lang = _module_name(path)
    course_dir = Path(course_meta.path) if course_meta is not None and course_meta.path else None
    if course_dir is None and Path(path).parent.name == "modules":
        course_dir = Path(path).parent.parent
    default_pass = course_meta.pass_mark if course_meta is not None else 80

    fm_text, body_start, problems = _split_front_matter(text, path)
    if fm_text is None:
        return None, problems
    doc, yproblems = _load_yaml(fm_text, path, 1)
    problems += yproblems
    if doc is None:
        return None, problems
    fm = doc.data if doc.data is not None else {}
    if not isinstance(fm, dict):
        return None, problems + [Problem(path, 2, "the front matter must be a mapping of keys")]
    lines = doc.key_lines()
    at = lambda key: lines.get(key, 1)  # noqa: E731

    for key in fm:
        if key not in MODULE_KEYS:
            problems.append(Problem(path, at(str(key)), f'unknown front-matter key "{key}"; '
                                                        f"allowed: {', '.join(MODULE_KEYS)}"))
    for key in MODULE_REQUIRED:
        if key not in fm:
            problems.append(Problem(path, 1, f'missing front-matter key "{key}"'))

    slug = fm.get("slug")
    if "slug" in fm and not (isinstance(slug, str) and SLUG_RE.match(slug)):
        problems.append(Problem(path, at("slug"), "slug must be lowercase letters, digits and "
                                                  f"hyphens, like cyber-security, not {slug!r}"))
        slug = None
    for key in ("title", "summary"):
        if key in fm and _text(fm[key]) is None:
            problems.append(Problem(path, at(key), f'"{key}" must be non-empty text'))
    minutes = fm.get("minutes", 0)
    if "minutes" in fm and (not _is_int(minutes) or minutes < 1):
        problems.append(Problem(path, at("minutes"), "minutes must be a whole number of minutes "
                                                     f"(1 or more), not {minutes!r}"))
        minutes = 0
    required = fm.get("required", True)
    if not isinstance(required, bool):
        problems.append(Problem(path, at("required"), f"required must be true or false, not "
                                                      f"{required!r}"))
        required = True
    objectives = fm.get("objectives")
    if "objectives" in fm and (not isinstance(objectives, list) or not objectives
                               or any(_text(o) is None for o in objectives)):
        problems.append(Problem(path, at("objectives"), "objectives must be a non-empty list of "
                                                        "sentences"))
        objectives = []
    outcomes = fm.get("outcomes") or []
    if isinstance(outcomes, str):
        outcomes = [outcomes]
    if not isinstance(outcomes, list) or any(not isinstance(o, str) for o in outcomes):
        problems.append(Problem(path, at("outcomes"), "outcomes must be a list of outcome ids"))
        outcomes = []
    elif course_meta is not None:
        known = course_meta.outcome_ids
        for o in outcomes:
            if o not in known:
                problems.append(Problem(path, at("outcomes"),
                                        f'unknown outcome "{o}"; course.yaml outcomes are: '
                                        + ", ".join(sorted(known))))
    expected_lang = file_lang or (course_meta.language if course_meta else "en")
    language = fm.get("language", expected_lang if not file_lang else None)
    if file_lang and language != file_lang:
        problems.append(Problem(path, at("language"),
                                f'a {file_lang} translation needs "language: {file_lang}" in its '
                                "front matter"))
        language = file_lang
    elif not file_lang and language != expected_lang:
        problems.append(Problem(path, at("language"),
                                f'language is "{language}" but this is the {expected_lang} file; '
                                f"name a translation {name}.{language}.md"))
        language = expected_lang
    status = fm.get("translation_status")
    if status is not None and not (isinstance(status, str) and status.strip()):
        problems.append(Problem(path, at("translation_status"),
                                "translation_status must be text, like awaiting-review"))
        status = None
    if status is not None and not file_lang:
        problems.append(Problem(path, at("translation_status"),
                                "translation_status belongs only in a translation file"))

    settings, qproblems, pool = parse_quiz_settings(
        fm.get("quiz"), doc.key_lines("quiz"), default_pass, path, at("quiz"))
    problems += qproblems

    # ---- pages
    all_lines = text.split("\n")
    body = [(i + 1, all_lines[i]) for i in range(body_start, len(all_lines))]
    sections: list[tuple[int, str, list[tuple[int, str]]]] = []
    stray_reported = False
    for n, line, in_code in fence_states(body):
        if not in_code:
            hm = H1_RE.match(line)
            if hm:
                title = CLOSING_HASHES.sub("", (hm.group(1) or "").strip()).strip()
                sections.append((n, title, []))
                continue
        if sections:
            sections[-1][2].append((n, line))
        elif line.strip() and not stray_reported:
            problems.append(Problem(path, n, 'text before the first "# " heading; every page '
                                             'starts with a level-1 heading like "# Why it '
                                             'matters"'))
            stray_reported = True

    rewrite = _rewriter(path, course_dir, course_meta.slug if course_meta else None, asset_url)
    pages: list[Page] = []
    quiz: Quiz | None = None
    quiz_line = 0
    used: dict[str, int] = {}
    for n, title, lines_ in sections:
        if quiz_line:
            problems.append(Problem(path, n, f'"# {title}" comes after the quiz; the quiz must '
                                             "be the last level-1 heading"))
            continue
        if is_quiz_heading(title):
            quiz_line = n
            quiz, found = parse_quiz(lines_, path=path, line=n, settings=settings, pool=pool,
                                     pool_line=doc.key_lines("quiz").get("pool", 0),
                                     rewrite=rewrite)
            problems += found
            continue
        if not title:
            problems.append(Problem(path, n, "page heading has no text"))
        source = "\n".join(t for _, t in lines_)
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
    if not pages:
        problems.append(Problem(path, body_start + 1 if body_start < len(all_lines) else 1,
                                'the module has no pages; start each page with a "# " heading'))
    if "quiz" in fm and quiz is None:
        problems.append(Problem(path, at("quiz"), 'quiz settings are given but there is no '
                                                  '"# Quiz" section'))
    problems += _check_links(body, path, course_dir)

    if any(k not in fm for k in ("slug", "title")) or slug is None:
        return None, problems
    version = content_hash(text)
    module = Module(
        slug=slug, title=_text(fm.get("title")) or "", summary=_text(fm.get("summary")) or "",
        minutes=minutes, objectives=tuple(o.strip() for o in (objectives or []) if _text(o)),
        outcomes=tuple(outcomes), required=required, pages=tuple(pages), quiz=quiz,
        language=language or "en", translation_status=status, version=version,
        source_path=path, source=text, name=name, word_count=sum(p.word_count for p in pages),
        translation_version=version if file_lang else None,
    )
    return module, problems


# --------------------------------------------------------------------------- translations


def compare_translation(english: Module, translated: Module) -> list[Problem]:
    """Check a translation's quiz has the English quiz's structure."""
    path = translated.source_path
    en_quiz, cy_quiz = english.quiz, translated.quiz
    problems: list[Problem] = []
    if translated.slug != english.slug:
        problems.append(Problem(path, 2, f'slug "{translated.slug}" differs from the English '
                                         f'slug "{english.slug}"'))
    en_name = posixpath.basename(english.source_path.replace("\\", "/"))
    if en_quiz is None and cy_quiz is None:
        return problems
    if en_quiz is None:
        return problems + [Problem(path, cy_quiz.line, f"this translation has a quiz but "
                                                       f"{en_name} has none")]
    if cy_quiz is None:
        return problems + [Problem(path, 1, f"{en_name} has a quiz but this translation has "
                                            "none")]
    en_ids = [q.id for q in en_quiz.questions]
    cy_ids = [q.id for q in cy_quiz.questions]
    for q in cy_quiz.questions:
        if q.id not in en_ids:
            problems.append(Problem(path, q.line, f'question "{q.id}" is not in {en_name}; a '
                                                  "translation keeps the English {#id}"))
    for qid in en_ids:
        if qid not in cy_ids:
            problems.append(Problem(path, cy_quiz.line, f'question "{qid}" from {en_name} is '
                                                        "missing"))
    if set(en_ids) == set(cy_ids) and en_ids != cy_ids:
        problems.append(Problem(path, cy_quiz.line, f"questions are in a different order from "
                                                    f"{en_name}"))
    for q in cy_quiz.questions:
        e = en_quiz.question(q.id)
        if e is None:
            continue
        if len(q.options) != len(e.options):
            problems.append(Problem(path, q.line, f'question "{q.id}" has {len(q.options)} '
                                                  f"options but {en_name} has {len(e.options)}"))
            continue
        for i, (a, b) in enumerate(zip(e.options, q.options), start=1):
            if a.correct != b.correct:
                problems.append(Problem(path, b.line or q.line,
                                        f'question "{q.id}" option {i} is '
                                        f'{"correct" if a.correct else "wrong"} in {en_name} but '
                                        f'{"correct" if b.correct else "wrong"} here'))
        if q.type != e.type:
            problems.append(Problem(path, q.line, f'question "{q.id}" is {q.type} but {e.type} '
                                                  f"in {en_name}"))
    return problems


# --------------------------------------------------------------------------- courses


def build_course(meta: CourseMeta, modules: Iterable[Module], *, language: str | None = None
                 ) -> Course:
    """Assemble a course; with ``language`` apply that course-level translation."""
    modules = tuple(modules)
    title, summary, cert = meta.title, meta.summary, meta.certificate
    if language and language != meta.language:
        tr = meta.translations.get(language, {})
        title = tr.get("title", title)
        summary = tr.get("summary", summary)
        cert = tr.get("certificate", cert)
    return Course(
        slug=meta.slug, title=title, summary=summary, edition=meta.edition,
        language=language or meta.language, pass_mark=meta.pass_mark, certificate=cert,
        outcomes=meta.outcomes, modules=modules, path=meta.path,
        content_version=content_hash("\n".join(m.version for m in modules)),
    )


def _read(path: Path) -> tuple[str | None, list[Problem]]:
    try:
        return path.read_text(encoding="utf-8"), []
    except UnicodeDecodeError:
        return None, [Problem(str(path), 1, "the file is not UTF-8 text")]
    except OSError as exc:
        return None, [Problem(str(path), 1, f"cannot read the file: {exc.strerror or exc}")]


TRANSLATION_LANGUAGES = ("cy",)


def load_course(course_dir: Path, *, asset_url: AssetUrl | None = None
                ) -> tuple[dict[str, Course], list[Problem]]:
    """Load one course folder.

    Returns ``{"en": Course, "cy": Course, ...}`` (the course language first, then
    one view per translation language; a translated view uses each module's
    translation when it is valid, else the course-language module with
    ``fallback=True``) and every problem found.  Broken modules are skipped.
    """
    course_dir = Path(course_dir)
    yaml_path = course_dir / "course.yaml"
    text, problems = _read(yaml_path)
    if text is None:
        return {}, problems
    meta, found = parse_course_meta(text, yaml_path)
    problems += found
    if meta is None:
        return {}, problems
    meta = _with_path(meta, course_dir)
    modules_dir = course_dir / "modules"

    english: list[Module] = []
    translated: dict[str, dict[str, Module]] = {}
    slugs: dict[str, str] = {}
    for name, line in zip(meta.module_names, meta.module_lines):
        mpath = modules_dir / f"{name}.md"
        if not mpath.is_file():
            problems.append(Problem(str(yaml_path), line, f'module "{name}" is listed but '
                                                          f"modules/{name}.md does not exist"))
            continue
        mtext, rp = _read(mpath)
        problems += rp
        if mtext is None:
            continue
        module, mp = parse_module(mtext, mpath, course_meta=meta, asset_url=asset_url)
        if module is not None and module.slug in slugs:
            mp.append(Problem(str(mpath), _slug_line(mtext),
                              f'module slug "{module.slug}" is already used by '
                              f"{slugs[module.slug]}"))
        problems += mp
        if module is not None:
            slugs.setdefault(module.slug, f"modules/{name}.md")
        if module is None or mp:
            continue
        english.append(module)
        for lang in TRANSLATION_LANGUAGES:
            tpath = modules_dir / f"{name}.{lang}.md"
            if not tpath.is_file():
                continue
            ttext, rp = _read(tpath)
            problems += rp
            if ttext is None:
                continue
            tmod, tp = parse_module(ttext, tpath, course_meta=meta, asset_url=asset_url)
            if tmod is not None:
                tp += compare_translation(module, tmod)
            problems += tp
            if tmod is None or tp:
                continue
            translated.setdefault(lang, {})[name] = _replace(
                tmod, version=module.version, translation_version=tmod.translation_version)

    listed = set(meta.module_names)
    if modules_dir.is_dir():
        for f in sorted(modules_dir.glob("*.md")):
            stem, lang = _module_name(f.name)
            if stem not in listed:
                problems.append(Problem(str(f), 1, f'"{stem}" is not listed in course.yaml '
                                                   '"modules", so it is not shown'))
            elif lang is not None and lang not in TRANSLATION_LANGUAGES:
                problems.append(Problem(str(f), 1, f'translations into "{lang}" are not '
                                                   f"supported; only {', '.join(TRANSLATION_LANGUAGES)}"))

    courses = {meta.language: build_course(meta, english)}
    for lang in TRANSLATION_LANGUAGES:
        if lang == meta.language:
            continue
        have = translated.get(lang, {})
        mods = [have.get(m.name) or _replace(m, fallback=True) for m in english]
        courses[lang] = build_course(meta, mods, language=lang)
    return courses, problems


def _slug_line(text: str) -> int:
    for i, line in enumerate(_normalise(text).split("\n")[:60], start=1):
        if line.startswith("slug:"):
            return i
    return 1


def _replace(obj, **changes):
    import dataclasses

    return dataclasses.replace(obj, **changes)


def _with_path(meta: CourseMeta, course_dir: Path) -> CourseMeta:
    return _replace(meta, path=str(course_dir))


def find_course_dirs(root: Path) -> list[Path]:
    root = Path(root)
    if (root / "course.yaml").is_file():
        return [root]
    return sorted({p.parent for p in root.rglob("course.yaml")},
                  key=lambda p: p.as_posix())


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
