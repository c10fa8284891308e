"""Course metadata: ``course.yaml`` into :class:`CourseMeta`, and a :class:`Course` built from it.

Nothing here raises on bad content: :func:`parse_course_meta` returns what it could
build plus every :class:`Problem`, each with the line of the key that is wrong.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import MappingProxyType
from typing import Any, Iterable, Mapping

from .model import CertificateSettings, Course, CourseMeta, Module, Problem
from .rules import LANG_RE, content_hash, is_slug, is_whole_number, non_empty_text, normalise
from .yaml_lines import YamlDoc, load_yaml

__all__ = ["COURSE_KEYS", "build_course", "parse_course_meta"]

COURSE_KEYS = ("slug", "title", "summary", "version", "language", "pass_mark", "certificate",
               "outcomes", "modules", "translations")
COURSE_REQUIRED = ("slug", "title", "summary", "version", "modules")
CERTIFICATE_KEYS = ("title", "wording", "valid_for_months")
TRANSLATION_KEYS = ("title", "summary", "certificate")
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


class _Reader:
    """One course.yaml being read: its data, key lines and the problems found so far."""

    def __init__(self, doc: YamlDoc, data: dict[Any, Any], path: str):
        self.doc, self.data, self.path = doc, data, path
        self.lines = doc.key_lines()
        self.problems: list[Problem] = []

    def at(self, key: str) -> int:
        return self.lines.get(key, 1)

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message))


def parse_course_meta(text: str, path: str | Path) -> tuple[CourseMeta | None, list[Problem]]:
    """Parse course.yaml text.  ``path`` is the course.yaml path used in problems."""
    path = str(path)
    doc, problems = load_yaml(normalise(text), path, 0)
    if doc is None:
        return None, problems
    if not isinstance(doc.data, dict):
        return None, problems + [Problem(path, 1, "course.yaml must be a mapping of keys "
                                                  f"({', '.join(COURSE_KEYS)})")]
    r = _Reader(doc, doc.data, path)
    r.problems = problems
    _check_keys(r)
    slug, edition, language, pass_mark = _scalars(r)
    title = non_empty_text(r.data.get("title")) or ""
    certificate, found = _certificate(r.data.get("certificate"), doc, ("certificate",), path,
                                      title, required=True)
    r.problems += found
    outcomes = _outcomes(r)
    names, lines = _module_names(r)
    translations = _translations(r, title, certificate)
    if any(k not in r.data for k in ("slug", "title", "modules")) or not names \
            or not isinstance(slug, str) or not is_slug(slug):
        return None, r.problems
    meta = CourseMeta(
        slug=slug, title=title, summary=non_empty_text(r.data.get("summary")) or "",
        edition=str(edition) if edition is not None else "", language=language,
        pass_mark=pass_mark, certificate=certificate, outcomes=tuple(outcomes),
        module_names=tuple(names), translations=MappingProxyType(translations),
        path=str(Path(path).parent), module_lines=tuple(lines),
    )
    return meta, r.problems


def _check_keys(r: _Reader) -> None:
    for key in r.data:
        if key not in COURSE_KEYS:
            r.problem(r.at(str(key)), f'unknown key "{key}"; allowed: ' + ", ".join(COURSE_KEYS))
    for key in COURSE_REQUIRED:
        if key not in r.data:
            r.problem(1, f'missing required key "{key}"')


def _scalars(r: _Reader) -> tuple[object, object, str, int]:
    """slug, version (the edition), language and pass_mark, with defaults for bad values."""
    data = r.data
    slug = data.get("slug")
    if "slug" in data and not is_slug(slug):
        r.problem(r.at("slug"), "slug must be lowercase letters, digits and hyphens, like "
                                f"digital-leadership, not {slug!r}")
    for key in ("title", "summary"):
        if key in data and non_empty_text(data[key]) is None:
            r.problem(r.at(key), f'"{key}" must be non-empty text')
    edition = data.get("version")
    if "version" in data and (edition is None or isinstance(edition, (list, dict, bool))):
        r.problem(r.at("version"), 'version must be a label such as "2026.1"')
    language = data.get("language", "en")
    if not (isinstance(language, str) and LANG_RE.match(language)):
        r.problem(r.at("language"), f'language must be a language code such as "en", not '
                                    f"{language!r}")
        language = "en"
    pass_mark = data.get("pass_mark", 80)
    if not is_whole_number(pass_mark) or not 1 <= pass_mark <= 100:
        r.problem(r.at("pass_mark"), "pass_mark must be a whole number from 1 to 100, not "
                                     f"{pass_mark!r}")
        pass_mark = 80
    return slug, edition, language, pass_mark


def _outcomes(r: _Reader) -> list[tuple[str, str]]:
    raw = r.data.get("outcomes") or {}
    outcomes: list[tuple[str, str]] = []
    if not isinstance(raw, dict):
        r.problem(r.at("outcomes"), "outcomes must be a mapping of id: name")
        return outcomes
    lines = r.doc.key_lines("outcomes")
    for oid, name in raw.items():
        if not is_slug(oid):
            r.problem(lines.get(str(oid), r.at("outcomes")),
                      f'outcome id "{oid}" must be lowercase letters, digits and hyphens')
        elif (text := non_empty_text(name)) is None:
            r.problem(lines.get(oid, r.at("outcomes")), f'outcome "{oid}" needs a name')
        else:
            outcomes.append((oid, text))
    return outcomes


def _module_names(r: _Reader) -> tuple[list[str], list[int]]:
    """The ``modules:`` list (file names without ``.md``) and the line of each entry."""
    names: list[str] = []
    lines: list[int] = []
    if "modules" not in r.data:
        return names, lines
    raw = r.data.get("modules")
    if not isinstance(raw, list) or not raw:
        r.problem(r.at("modules"), "modules must be a list of module file names, like "
                                   "01-digitalisation")
        return names, lines
    item_lines = r.doc.item_lines("modules")
    seen: dict[str, int] = {}
    for i, name in enumerate(raw):
        ln = item_lines[i] if i < len(item_lines) else r.at("modules")
        if isinstance(name, str) and name.endswith(".md"):
            r.problem(ln, f'write module "{name}" without ".md"')
            name = name[:-3]
        if not (isinstance(name, str) and NAME_RE.match(name)):
            r.problem(ln, f"module name {name!r} is not a file name")
        elif name in seen:
            r.problem(ln, f'module "{name}" is listed twice (first on line {seen[name]})')
        else:
            seen[name] = ln
            names.append(name)
            lines.append(ln)
    return names, lines


def _translations(r: _Reader, title: str, certificate: CertificateSettings
                  ) -> dict[str, Mapping[str, Any]]:
    """Course-level translations: ``translations: {cy: {title, summary, certificate}}``."""
    raw = r.data.get("translations") or {}
    out: dict[str, Mapping[str, Any]] = {}
    if not isinstance(raw, dict):
        r.problem(r.at("translations"), "translations must be a mapping of language code to "
                                        "title, summary and certificate")
        return out
    lines = r.doc.key_lines("translations")
    for lang, tr in raw.items():
        ln = lines.get(str(lang), r.at("translations"))
        if not (isinstance(lang, str) and LANG_RE.match(lang)):
            r.problem(ln, f'translation language {lang!r} must be a language code such as "cy"')
        elif not isinstance(tr, dict):
            r.problem(ln, f'translations "{lang}" must be a mapping')
        else:
            out[lang] = MappingProxyType(_translation(r, lang, tr, ln, title, certificate))
    return out


def _translation(r: _Reader, lang: str, tr: dict[Any, Any], ln: int, title: str,
                 certificate: CertificateSettings) -> dict[str, Any]:
    klines = r.doc.key_lines("translations", lang)
    for key, value in tr.items():
        if key not in TRANSLATION_KEYS:
            r.problem(klines.get(str(key), ln), f'unknown key "{key}" in translations "{lang}"; '
                                                f'allowed: {", ".join(TRANSLATION_KEYS)}')
        elif key != "certificate" and non_empty_text(value) is None:
            r.problem(klines.get(key, ln), f'translations "{lang}" "{key}" must be non-empty text')
    entry: dict[str, Any] = {k: tr[k].strip() for k in ("title", "summary")
                             if non_empty_text(tr.get(k))}
    if "certificate" in tr:
        cert, found = _certificate(tr["certificate"], r.doc, ("translations", lang, "certificate"),
                                   r.path, entry.get("title", title), required=False,
                                   base=certificate)
        r.problems += found
        entry["certificate"] = cert
    return entry


def _certificate(raw: object, doc: YamlDoc, where: tuple[str, ...], path: str, title: str, *,
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
        if key in raw and non_empty_text(raw[key]) is None:
            problems.append(Problem(path, lines.get(key, line),
                                    f'certificate "{key}" must be non-empty text'))
        elif key not in raw and required:
            problems.append(Problem(path, line, f'certificate is missing "{key}"'))
    months = raw.get("valid_for_months", default.valid_for_months)
    if months is not None and (not is_whole_number(months) or months < 1):
        problems.append(Problem(path, lines.get("valid_for_months", line),
                                "certificate valid_for_months must be a whole number of months "
                                "(omit it for certificates that never expire)"))
        months = None
    return CertificateSettings(
        title=non_empty_text(raw.get("title")) or default.title,
        wording=non_empty_text(raw.get("wording")) or default.wording,
        valid_for_months=months,
    ), problems


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
