"""Versions: publishing a draft, rolling back, importing files; every version is immutable.

The first publish of a file-based module also records the file's text as version 1,
so history and rollback always include the baseline.  A version is committed by
:func:`commit_version`, where the unique (module, number) constraint turns a race
between two publishers into :class:`PublishConflict`.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import audit
from ..content import Module, content_hash, normalise
from ..db import utcnow
from .baseline import Baseline
from .drafts import get_draft
from .errors import AuthoringError, HasProblems, PublishConflict
from .generation import bump_generation
from .models import ModuleVersion
from .order import course_order, set_order
from .published import get_version, module_versions, published_text, text_hash

MINOR, MAJOR = "minor", "major"
CHANGE_KINDS = (MINOR, MAJOR)


def quiz_fingerprint(module: Module | None) -> Any:
    """What learners would notice of a quiz (settings, questions, options), comparable with ==."""
    if module is None or module.quiz is None:
        return None
    quiz = module.quiz
    return (quiz.settings, tuple(
        (q.id, q.type, q.prompt, q.detail_html, q.explanation_html,
         tuple((o.text, o.correct, o.feedback_html) for o in q.options))
        for q in quiz.questions))


def changes_between(old: Module | None, new: Module) -> tuple[list[dict[str, Any]], bool]:
    """Pages of ``new`` whose title or content differ from the page with the same slug in ``old``."""
    before = {p.slug: (p.title, p.html) for p in old.pages} if old is not None else {}
    changed = [{"number": p.number, "slug": p.slug, "title": p.title}
               for p in new.pages if before.get(p.slug) != (p.title, p.html)]
    return changed, quiz_fingerprint(old) != quiz_fingerprint(new)


def _record_file_version(session: Session, baseline: Baseline, name: str) -> None:
    """Version 1: the module's file in courses/, so history and rollback include it."""
    base_text = normalise(baseline.files[name])
    base_mod, _ = baseline.parse_module(name, base_text)
    session.add(ModuleVersion(
        course_slug=baseline.slug, module_name=name, module_slug=base_mod.slug if base_mod else name,
        number=1, content_hash=content_hash(base_text), source=base_text, author_id=None,
        author_label="courses/ files", published_at=utcnow(), change_note="The module file in courses/.",
        change_kind=MINOR, pages_changed=[], quiz_changed=False))


def _add_version(session: Session, baseline: Baseline, name: str, text: str, module: Module, *,
                 previous: Module | None, kind: str, note: str, actor: object,
                 author_label: str | None = None, rolled_back_from: int | None = None) -> ModuleVersion:
    existing = module_versions(session, baseline.slug, name)
    number = existing[0].number + 1 if existing else 1
    if not existing and name in baseline.files:
        _record_file_version(session, baseline, name)
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


def _publishable(baseline: Baseline, name: str, text: str) -> Module:
    module, problems = baseline.parse_module(name, text)
    if module is None or problems:
        raise HasProblems("Fix the problems before publishing.", problems)
    return module


def _check_change(kind: str, note: str) -> None:
    if kind not in CHANGE_KINDS:
        raise AuthoringError("Choose whether this is a minor or a major change.")
    if not note.strip():
        raise AuthoringError("Enter a change note.")


def _previous(baseline: Baseline, name: str, current: str | None) -> Module | None:
    return baseline.parse_module(name, current)[0] if current else None


def publish(session: Session, baseline: Baseline, name: str, *, kind: str, note: str, actor: object,
            lock_version: int | None = None) -> ModuleVersion:
    """Publish the shared draft as a new version (raises PublishConflict if it is stale)."""
    draft = get_draft(session, baseline.slug, name)
    if draft is None:
        raise AuthoringError("There is no draft to publish.")
    if lock_version is not None and draft.lock_version != lock_version:
        raise PublishConflict(f"{draft.updated_by_label or 'Someone else'} changed the draft since you "
                              "looked at it. Review the draft again before publishing.")
    current = published_text(session, baseline, name)
    if draft.base_version != text_hash(current):
        raise PublishConflict("A newer version of this module was published after this draft was started. "
                              "Compare the draft with the published version and save it again before "
                              "publishing.")
    text = normalise(draft.source)
    _check_change(kind, note)
    module = _publishable(baseline, name, text)
    version = _add_version(session, baseline, name, text, module, previous=_previous(baseline, name, current),
                           kind=kind, note=note.strip(), actor=actor)
    session.delete(draft)
    if name not in course_order(session, baseline):
        set_order(session, baseline, course_order(session, baseline) + [name])
    audit.record(session, actor=actor, action="content.publish",
                 target=f"module:{baseline.slug}/{name}",
                 detail={"version": version.number, "hash": version.content_hash, "kind": kind,
                         "note": version.change_note, "pages_changed": version.pages_changed,
                         "quiz_changed": version.quiz_changed})
    commit_version(session)
    return version


def commit_version(session: Session) -> None:
    """Commit a new version; the unique (module, number) constraint turns a race into a conflict."""
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise PublishConflict("Someone else published this module at the same moment. Try again.") from None


def rollback(session: Session, baseline: Baseline, name: str, number: int, *, kind: str, note: str,
             actor: object) -> ModuleVersion:
    """Publish the text of an earlier version as a new version."""
    old = get_version(session, baseline.slug, name, number)
    if old is None:
        raise AuthoringError(f"There is no version {number}.")
    current = published_text(session, baseline, name)
    if current is not None and normalise(current) == old.source:
        raise AuthoringError(f"Version {number} is already the published version.")
    _check_change(kind, note)
    module = _publishable(baseline, name, old.source)
    version = _add_version(session, baseline, name, old.source, module,
                           previous=_previous(baseline, name, current), kind=kind, note=note.strip(),
                           actor=actor, rolled_back_from=number)
    audit.record(session, actor=actor, action="content.rollback", target=f"module:{baseline.slug}/{name}",
                 detail={"to_version": number, "new_version": version.number, "kind": kind,
                         "note": version.change_note})
    commit_version(session)
    return version


def import_text(session: Session, baseline: Baseline, name: str, text: str, *, actor: object = None,
                note: str = "Imported from files.") -> ModuleVersion | None:
    """Publish ``text`` as a new version when it differs from the published text (author "import")."""
    text = normalise(text)
    current = published_text(session, baseline, name)
    if current is not None and normalise(current) == text:
        return None
    module, problems = baseline.parse_module(name, text)
    if module is None or problems:
        raise HasProblems(f"{name}: has problems, not imported.", problems)
    version = _add_version(session, baseline, name, text, module, previous=_previous(baseline, name, current),
                           kind=MINOR, note=note, actor=actor, author_label="import")
    audit.record(session, actor=actor, action="content.import", target=f"module:{baseline.slug}/{name}",
                 detail={"version": version.number, "hash": version.content_hash})
    return version


def import_course(session: Session, baseline: Baseline, source: Baseline) -> list[tuple[str, int]]:
    """Publish each module of ``source`` whose text differs from the published one (author "import"),
    and take ``source``'s module order.  The caller commits."""
    created = []
    for name in source.meta.module_names:
        text = source.files.get(name)
        if text is None:
            continue
        version = import_text(session, baseline, name, text)
        if version is not None:
            created.append((name, version.number))
    order = list(source.meta.module_names)
    if order != course_order(session, baseline):
        set_order(session, baseline, order)
    return created
