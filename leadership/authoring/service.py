"""Authoring domain logic: drafts, publishing, versions, order, overlay of web edits.

Plain functions taking a ``Session`` and plain values (no Flask request state).

The effective published text of a module is its latest :class:`ModuleVersion`, else
its file in ``courses/``.  The first publish of a file-based module also records the
file's text as version 1, so history and rollback always include the baseline.
"""
from __future__ import annotations

import dataclasses
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import audit
from ..content import (
    Catalogue, Course, CourseMeta, Module, Problem, build_course, compare_translation, content_hash,
    parse_course_meta, parse_module,
)
from ..db import utcnow
from .models import ContentGeneration, CourseOrder, ModuleDraft, ModuleVersion

log = logging.getLogger(__name__)

MINOR, MAJOR = "minor", "major"
CHANGE_KINDS = (MINOR, MAJOR)
TRANSLATION_LANGUAGES = ("cy",)


class AuthoringError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class DraftConflict(AuthoringError):
    """Someone else saved (or published) the module since this edit started."""

    def __init__(self, message: str, current_text: str, lock_version: int, base_version: str):
        super().__init__(message)
        self.current_text = current_text
        self.lock_version = lock_version
        self.base_version = base_version


class PublishConflict(AuthoringError):
    pass


class HasProblems(AuthoringError):
    def __init__(self, message: str, problems: list[Problem]):
        super().__init__(message)
        self.problems = problems


def normalise(text: str) -> str:
    """The engine's own normalisation, so hashes equal ``Module.version``."""
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


# --------------------------------------------------------------------------- files (the baseline)


@dataclass(frozen=True)
class Baseline:
    """A course folder as files: course.yaml metadata and each module's English text."""

    path: Path
    meta: CourseMeta
    files: dict  # name -> text of modules/<name>.md (English)

    @property
    def slug(self) -> str:
        return self.meta.slug

    def module_path(self, name: str) -> Path:
        return self.path / "modules" / f"{name}.md"


def read_baseline(course_dir: Path) -> Baseline | None:
    course_dir = Path(course_dir)
    yaml_path = course_dir / "course.yaml"
    try:
        text = yaml_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    meta, _ = parse_course_meta(text, yaml_path)
    if meta is None:
        return None
    meta = dataclasses.replace(meta, path=str(course_dir))
    files = {}
    modules_dir = course_dir / "modules"
    if modules_dir.is_dir():
        for f in sorted(modules_dir.glob("*.md")):
            stem = f.name[:-3]
            if "." in stem:  # a translation, e.g. 03-x.cy.md
                continue
            try:
                files[stem] = f.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
    return Baseline(path=course_dir, meta=meta, files=files)


def find_baselines(root: Path) -> dict[str, Baseline]:
    root = Path(root)
    dirs = [root] if (root / "course.yaml").is_file() else sorted(p.parent for p in root.rglob("course.yaml"))
    out: dict[str, Baseline] = {}
    for d in dirs:
        b = read_baseline(d)
        if b is not None and b.slug not in out:
            out[b.slug] = b
    return out


# --------------------------------------------------------------------------- reading state


def latest_versions(session: Session, course_slug: str | None = None) -> dict[tuple[str, str], ModuleVersion]:
    """The newest version of every module (one query)."""
    newest = (sa.select(ModuleVersion.course_slug, ModuleVersion.module_name,
                        sa.func.max(ModuleVersion.number).label("n"))
              .group_by(ModuleVersion.course_slug, ModuleVersion.module_name))
    if course_slug is not None:
        newest = newest.where(ModuleVersion.course_slug == course_slug)
    newest = newest.subquery()
    rows = session.scalars(sa.select(ModuleVersion).join(newest, sa.and_(
        ModuleVersion.course_slug == newest.c.course_slug,
        ModuleVersion.module_name == newest.c.module_name,
        ModuleVersion.number == newest.c.n))).all()
    return {(v.course_slug, v.module_name): v for v in rows}


def course_order(session: Session, baseline: Baseline) -> list[str]:
    row = session.get(CourseOrder, baseline.slug)
    return list(row.module_names) if row is not None else list(baseline.meta.module_names)


def published_text(session: Session, baseline: Baseline, name: str) -> str | None:
    v = latest_versions(session, baseline.slug).get((baseline.slug, name))
    if v is not None:
        return v.source
    return baseline.files.get(name)


def get_draft(session: Session, course_slug: str, name: str) -> ModuleDraft | None:
    return session.scalar(sa.select(ModuleDraft).where(
        ModuleDraft.course_slug == course_slug, ModuleDraft.module_name == name))


def versions(session: Session, course_slug: str, name: str) -> list[ModuleVersion]:
    return list(session.scalars(sa.select(ModuleVersion).where(
        ModuleVersion.course_slug == course_slug, ModuleVersion.module_name == name)
        .order_by(ModuleVersion.number.desc())))


def get_version(session: Session, course_slug: str, name: str, number: int) -> ModuleVersion | None:
    return session.scalar(sa.select(ModuleVersion).where(
        ModuleVersion.course_slug == course_slug, ModuleVersion.module_name == name,
        ModuleVersion.number == number))


def parse(baseline: Baseline, name: str, text: str, *, course_meta: CourseMeta | None = None,
          asset_url=None) -> tuple[Module | None, list[Problem]]:
    return parse_module(text, baseline.module_path(name), course_meta=course_meta or baseline.meta,
                        asset_url=asset_url)


# --------------------------------------------------------------------------- generation counter


def generation(session: Session) -> int:
    return session.scalar(sa.select(ContentGeneration.value).where(ContentGeneration.id == 1)) or 0


def bump_generation(session: Session) -> None:
    """Tell every process to reload content (part of the caller's transaction)."""
    updated = session.execute(sa.update(ContentGeneration).where(ContentGeneration.id == 1)
                              .values(value=ContentGeneration.value + 1, updated_at=utcnow()))
    if updated.rowcount == 0:
        try:
            with session.begin_nested():
                session.add(ContentGeneration(id=1, value=1))
        except IntegrityError:  # another process created it first
            session.execute(sa.update(ContentGeneration).where(ContentGeneration.id == 1)
                            .values(value=ContentGeneration.value + 1, updated_at=utcnow()))


# --------------------------------------------------------------------------- drafts


def save_draft(session: Session, baseline: Baseline, name: str, text: str, *, lock_version: int,
               base_version: str, actor) -> ModuleDraft:
    """Save the shared draft if nobody saved since ``lock_version``; else raise DraftConflict.

    ``lock_version`` 0 means "I started from the published text ``base_version``".
    """
    text = normalise(text)
    slug = baseline.slug
    label = getattr(actor, "email", None) or "system"
    draft = get_draft(session, slug, name)
    if draft is None:
        current = published_text(session, baseline, name) or ""
        current_hash = content_hash(normalise(current)) if current else ""
        if lock_version != 0 or base_version != current_hash:
            raise DraftConflict("This module was changed by someone else after you opened it.",
                                current, 0, current_hash)
        draft = ModuleDraft(course_slug=slug, module_name=name, base_version=base_version, source=text,
                            updated_by_id=getattr(actor, "id", None), updated_by_label=label,
                            updated_at=utcnow(), lock_version=1)
        try:
            with session.begin_nested():
                session.add(draft)
        except IntegrityError:
            session.rollback()
            other = get_draft(session, slug, name)
            raise DraftConflict("Someone else started a draft of this module at the same time.",
                                other.source if other else current, other.lock_version if other else 0,
                                other.base_version if other else current_hash)
        session.commit()
        return draft
    result = session.execute(
        sa.update(ModuleDraft)
        .where(ModuleDraft.id == draft.id, ModuleDraft.lock_version == lock_version)
        .values(source=text, updated_at=utcnow(), updated_by_id=getattr(actor, "id", None),
                updated_by_label=label, lock_version=ModuleDraft.lock_version + 1)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        session.rollback()
        session.expire_all()
        draft = get_draft(session, slug, name)
        raise DraftConflict(
            f"{draft.updated_by_label or 'Someone else'} saved this draft after you opened it.",
            draft.source, draft.lock_version, draft.base_version)
    session.commit()
    session.expire_all()
    return get_draft(session, slug, name)


def discard_draft(session: Session, course_slug: str, name: str) -> None:
    session.execute(sa.delete(ModuleDraft).where(ModuleDraft.course_slug == course_slug,
                                                 ModuleDraft.module_name == name))
    session.commit()


# --------------------------------------------------------------------------- publishing


def _page_key(module: Module | None) -> dict:
    if module is None:
        return {}
    return {p.slug: (p.title, p.html) for p in module.pages}


def quiz_fingerprint(module: Module | None):
    if module is None or module.quiz is None:
        return None
    quiz = module.quiz
    return (quiz.settings, tuple(
        (q.id, q.type, q.prompt, q.detail_html, q.explanation_html,
         tuple((o.text, o.correct, o.feedback_html) for o in q.options))
        for q in quiz.questions))


def changes_between(old: Module | None, new: Module) -> tuple[list[dict], bool]:
    """Pages of ``new`` whose title or content differ from the page with the same slug in ``old``."""
    before = _page_key(old)
    changed = [{"number": p.number, "slug": p.slug, "title": p.title}
               for p in new.pages if before.get(p.slug) != (p.title, p.html)]
    return changed, quiz_fingerprint(old) != quiz_fingerprint(new)


def _add_version(session: Session, baseline: Baseline, name: str, text: str, module: Module, *,
                 previous: Module | None, kind: str, note: str, actor, author_label: str | None = None,
                 rolled_back_from: int | None = None) -> ModuleVersion:
    existing = versions(session, baseline.slug, name)
    number = existing[0].number + 1 if existing else 1
    if not existing and name in baseline.files:
        # Record the file baseline first, so history and rollback include it.
        base_text = normalise(baseline.files[name])
        base_mod, _ = parse(baseline, name, base_text)
        session.add(ModuleVersion(
            course_slug=baseline.slug, module_name=name, module_slug=base_mod.slug if base_mod else name,
            number=1, content_hash=content_hash(base_text), source=base_text, author_id=None,
            author_label="courses/ files", published_at=utcnow(), change_note="The module file in courses/.",
            change_kind=MINOR, pages_changed=[], quiz_changed=False))
        number = 2
    pages_changed, quiz_changed = changes_between(previous, module)
    version = ModuleVersion(
        course_slug=baseline.slug, module_name=name, module_slug=module.slug, number=number,
        content_hash=module.version, source=text, author_id=getattr(actor, "id", None),
        author_label=author_label or getattr(actor, "email", None) or "system", published_at=utcnow(),
        change_note=note, change_kind=kind, pages_changed=pages_changed, quiz_changed=quiz_changed,
        rolled_back_from=rolled_back_from)
    session.add(version)
    bump_generation(session)
    return version


def _check_publishable(baseline: Baseline, name: str, text: str, kind: str, note: str) -> Module:
    if kind not in CHANGE_KINDS:
        raise AuthoringError("Choose whether this is a minor or a major change.")
    if not note.strip():
        raise AuthoringError("Enter a change note.")
    module, problems = parse(baseline, name, text)
    if module is None or problems:
        raise HasProblems("Fix the problems before publishing.", problems)
    return module


def publish(session: Session, baseline: Baseline, name: str, *, kind: str, note: str, actor,
            lock_version: int | None = None) -> ModuleVersion:
    """Publish the shared draft as a new version (raises PublishConflict if it is stale)."""
    draft = get_draft(session, baseline.slug, name)
    if draft is None:
        raise AuthoringError("There is no draft to publish.")
    if lock_version is not None and draft.lock_version != lock_version:
        raise PublishConflict(f"{draft.updated_by_label or 'Someone else'} changed the draft since you "
                              "looked at it. Review the draft again before publishing.")
    current = published_text(session, baseline, name)
    current_hash = content_hash(normalise(current)) if current else ""
    if draft.base_version != current_hash:
        raise PublishConflict("A newer version of this module was published after this draft was started. "
                              "Compare the draft with the published version and save it again before "
                              "publishing.")
    text = normalise(draft.source)
    module = _check_publishable(baseline, name, text, kind, note)
    previous = parse(baseline, name, current)[0] if current else None
    version = _add_version(session, baseline, name, text, module, previous=previous, kind=kind,
                           note=note.strip(), actor=actor)
    session.delete(draft)
    if name not in course_order(session, baseline):
        _set_order(session, baseline, course_order(session, baseline) + [name])
    audit.record(session, actor=actor, action="content.publish",
                 target=f"module:{baseline.slug}/{name}",
                 detail={"version": version.number, "hash": version.content_hash, "kind": kind,
                         "note": version.change_note, "pages_changed": version.pages_changed,
                         "quiz_changed": version.quiz_changed})
    _commit_version(session)
    return version


def _commit_version(session: Session) -> None:
    """Commit a new version; the unique (module, number) constraint turns a race into a conflict."""
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise PublishConflict("Someone else published this module at the same moment. Try again.")


def rollback(session: Session, baseline: Baseline, name: str, number: int, *, kind: str, note: str,
             actor) -> ModuleVersion:
    """Publish the text of an earlier version as a new version."""
    old = get_version(session, baseline.slug, name, number)
    if old is None:
        raise AuthoringError(f"There is no version {number}.")
    current = published_text(session, baseline, name)
    if current is not None and normalise(current) == old.source:
        raise AuthoringError(f"Version {number} is already the published version.")
    module = _check_publishable(baseline, name, old.source, kind, note)
    previous = parse(baseline, name, current)[0] if current else None
    version = _add_version(session, baseline, name, old.source, module, previous=previous, kind=kind,
                           note=note.strip(), actor=actor, rolled_back_from=number)
    audit.record(session, actor=actor, action="content.rollback", target=f"module:{baseline.slug}/{name}",
                 detail={"to_version": number, "new_version": version.number, "kind": kind,
                         "note": version.change_note})
    _commit_version(session)
    return version


def import_text(session: Session, baseline: Baseline, name: str, text: str, *, actor=None,
                note: str = "Imported from files.") -> ModuleVersion | None:
    """Publish ``text`` as a new version when it differs from the published text (author "import")."""
    text = normalise(text)
    current = published_text(session, baseline, name)
    if current is not None and normalise(current) == text:
        return None
    module, problems = parse(baseline, name, text)
    if module is None or problems:
        raise HasProblems(f"{name}: has problems, not imported.", problems)
    previous = parse(baseline, name, current)[0] if current else None
    version = _add_version(session, baseline, name, text, module, previous=previous, kind=MINOR,
                           note=note, actor=actor, author_label="import")
    audit.record(session, actor=actor, action="content.import", target=f"module:{baseline.slug}/{name}",
                 detail={"version": version.number, "hash": version.content_hash})
    return version


# --------------------------------------------------------------------------- order and new modules


def _set_order(session: Session, baseline: Baseline, names: list[str]) -> None:
    row = session.get(CourseOrder, baseline.slug)
    if row is None:
        session.add(CourseOrder(course_slug=baseline.slug, module_names=list(names), updated_at=utcnow()))
    else:
        row.module_names = list(names)
        row.updated_at = utcnow()
    bump_generation(session)


def move_module(session: Session, baseline: Baseline, name: str, direction: str, *, actor) -> list[str]:
    names = course_order(session, baseline)
    if name not in names:
        raise AuthoringError("That module is not in the course.")
    i = names.index(name)
    j = i - 1 if direction == "up" else i + 1
    if direction not in ("up", "down") or not 0 <= j < len(names):
        return names
    names[i], names[j] = names[j], names[i]
    _set_order(session, baseline, names)
    audit.record(session, actor=actor, action="content.reorder", target=f"course:{baseline.slug}",
                 detail={"module": name, "direction": direction, "order": names})
    session.commit()
    return names


SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

SKELETON = """---
slug: {slug}
title: {title}
summary: One sentence that says what this module is about.
minutes: 15
required: true
objectives:
  - Describe what a councillor will be able to do after this module.
---

# {title}

Write the first page here. Each level-1 heading (a line starting with "# ") starts a new page.

## Case study: a council that did this well

Tell a short, real story, and say where it comes from.

# Your role as a councillor

Write the second page here.

## Questions to ask your officers

- A question a councillor could ask.

## Sources

- [Name of the source](https://www.gov.uk/), publisher, year.

# Quiz

## Write your first question here. {{#first-question}}

- [x] A correct answer
  Feedback: Say why this is right.
- [ ] A wrong answer
  Feedback: Say why this is wrong.

Explanation: Explain the answer in a sentence or two.
"""


def new_module_name(existing: list[str], slug: str) -> str:
    numbers = [int(m.group(1)) for n in existing if (m := re.match(r"^(\d+)-", n)) and int(m.group(1)) < 90]
    if not any(re.match(r"^\d+-", n) for n in existing):
        return slug
    return f"{(max(numbers) + 1) if numbers else 1:02d}-{slug}"


def create_module(session: Session, baseline: Baseline, *, slug: str, title: str, actor) -> str:
    """Start a new module as a draft from the template, placed before any closing (90+) module."""
    slug, title = slug.strip(), " ".join(title.split())
    if not SLUG_RE.match(slug):
        raise AuthoringError("Enter a slug using lowercase letters, digits and hyphens, like data-sharing.")
    if not title:
        raise AuthoringError("Enter a title.")
    names = course_order(session, baseline)
    taken = {name for name in names} | set(baseline.files)
    used_slugs = set()
    for n in names:
        text = published_text(session, baseline, n)
        m = re.search(r"^slug:\s*(\S+)", text or "", re.M)
        if m:
            used_slugs.add(m.group(1))
    if slug in used_slugs:
        raise AuthoringError(f'The slug "{slug}" is already used by another module in this course.')
    name = new_module_name(names, slug)
    if name in taken or get_draft(session, baseline.slug, name) is not None:
        raise AuthoringError(f'A module called "{name}" already exists.')
    text = SKELETON.format(slug=slug, title=title.replace(":", " -"))
    session.add(ModuleDraft(course_slug=baseline.slug, module_name=name, base_version="", source=text,
                            updated_by_id=getattr(actor, "id", None),
                            updated_by_label=getattr(actor, "email", "") or "", lock_version=1))
    closing = next((i for i, n in enumerate(names) if (m := re.match(r"^(\d+)-", n)) and int(m.group(1)) >= 90),
                   len(names))
    names.insert(closing, name)
    _set_order(session, baseline, names)
    audit.record(session, actor=actor, action="content.create", target=f"module:{baseline.slug}/{name}",
                 detail={"slug": slug, "title": title})
    session.commit()
    return name


# --------------------------------------------------------------------------- overlay onto the catalogue


def published_course(session: Session, baseline: Baseline, *, asset_url=None,
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
            module, found = parse_module(text, baseline.module_path(name), course_meta=meta, asset_url=asset_url)
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


def overlay(session: Session, catalogue: Catalogue, root: Path, *, asset_url=None) -> Catalogue:
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
