"""Drafts: the one shared work-in-progress text of a module, with optimistic locking.

A draft remembers the published text it started from (``base_version``) and is
saved only when nobody saved since (``lock_version``); otherwise
:class:`DraftConflict` carries the other person's text so nothing is lost.
"""
from __future__ import annotations

import re

from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import audit
from ..content import is_slug, module_slug, normalise
from ..db import utcnow
from . import gift
from .baseline import Baseline
from .errors import AuthoringError, DraftConflict
from .models import ModuleDraft
from .order import course_order, set_order
from .published import published_text, text_hash


def get_draft(session: Session, course_slug: str, name: str) -> ModuleDraft | None:
    return session.scalar(sa.select(ModuleDraft).where(
        ModuleDraft.course_slug == course_slug, ModuleDraft.module_name == name))


def course_drafts(session: Session, course_slug: str) -> dict[str, ModuleDraft]:
    """Every draft of a course by module name (one query)."""
    return {d.module_name: d for d in session.scalars(
        sa.select(ModuleDraft).where(ModuleDraft.course_slug == course_slug))}


def save_draft(session: Session, baseline: Baseline, name: str, text: str, *, lock_version: int,
               base_version: str, actor: object) -> ModuleDraft | None:
    """Save the shared draft if nobody saved since ``lock_version``; else raise DraftConflict.

    ``lock_version`` 0 means "I started from the published text ``base_version``".
    """
    text = normalise(text)
    draft = get_draft(session, baseline.slug, name)
    if draft is None:
        return _first_draft(session, baseline, name, text, base_version=base_version,
                            lock_version=lock_version, actor=actor)
    result = cast("CursorResult[Any]", session.execute(  # an UPDATE's result has a rowcount
        sa.update(ModuleDraft)
        .where(ModuleDraft.id == draft.id, ModuleDraft.lock_version == lock_version)
        .values(source=text, updated_at=utcnow(), updated_by_id=getattr(actor, "id", None),
                updated_by_label=_label(actor), lock_version=ModuleDraft.lock_version + 1)
        .execution_options(synchronize_session=False)))
    if result.rowcount != 1:
        session.rollback()
        session.expire_all()
        other = get_draft(session, baseline.slug, name)
        if other is None:  # discarded meanwhile: compare with the published text again
            current = published_text(session, baseline, name) or ""
            raise DraftConflict("This module was changed by someone else after you opened it.",
                                current, 0, text_hash(current))
        raise DraftConflict(
            f"{other.updated_by_label or 'Someone else'} saved this draft after you opened it.",
            other.source, other.lock_version, other.base_version)
    session.commit()
    session.expire_all()
    return get_draft(session, baseline.slug, name)  # None only if discarded since our commit


def _label(actor: object) -> str:
    return getattr(actor, "email", None) or "system"


def _first_draft(session: Session, baseline: Baseline, name: str, text: str, *, base_version: str,
                 lock_version: int, actor: object) -> ModuleDraft:
    current = published_text(session, baseline, name) or ""
    current_hash = text_hash(current)
    if lock_version != 0 or base_version != current_hash:
        raise DraftConflict("This module was changed by someone else after you opened it.",
                            current, 0, current_hash)
    draft = ModuleDraft(course_slug=baseline.slug, module_name=name, base_version=base_version,
                        source=text, updated_by_id=getattr(actor, "id", None),
                        updated_by_label=_label(actor), updated_at=utcnow(), lock_version=1)
    try:
        with session.begin_nested():
            session.add(draft)
    except IntegrityError:
        session.rollback()
        other = get_draft(session, baseline.slug, name)
        raise DraftConflict("Someone else started a draft of this module at the same time.",
                            other.source if other else current, other.lock_version if other else 0,
                            other.base_version if other else current_hash)
    session.commit()
    return draft


def discard_draft(session: Session, course_slug: str, name: str) -> None:
    session.execute(sa.delete(ModuleDraft).where(ModuleDraft.course_slug == course_slug,
                                                 ModuleDraft.module_name == name))
    session.commit()


# --------------------------------------------------------------------------- GIFT into the draft


class GiftRefused(AuthoringError):
    """The upload is not something to import: ``reason`` is NOT_TEXT or EMPTY."""

    NOT_TEXT, EMPTY = "not-text", "empty"

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def import_gift(session: Session, baseline: Baseline, name: str, raw: bytes, *, lock_version: int,
                actor: object) -> tuple[gift.GiftResult, bool]:
    """Add the questions of a GIFT file (UTF-8 bytes) to the module's draft.

    Returns the import result and whether the draft was saved (False when no question
    could be imported).  Raises :class:`GiftRefused`, or :class:`DraftConflict` when
    someone else saved the draft meanwhile (then nothing is imported).
    """
    try:
        source = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise GiftRefused(GiftRefused.NOT_TEXT) from None
    if not source.strip():
        raise GiftRefused(GiftRefused.EMPTY)
    draft = get_draft(session, baseline.slug, name)
    published = published_text(session, baseline, name)
    new_text, result = gift.import_into(draft.source if draft else (published or ""), source)
    if not result.questions:
        return result, False
    save_draft(session, baseline, name, new_text, lock_version=lock_version,
               base_version=draft.base_version if draft else text_hash(published), actor=actor)
    return result, True


# --------------------------------------------------------------------------- new modules


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

NUMBER_RE = re.compile(r"^(\d+)-")
CLOSING = 90  # modules numbered 90 and above close the course (e.g. 99-summary)


def new_module_name(existing: list[str], slug: str) -> str:
    """``slug`` numbered after the last module before the closing ones (if names are numbered)."""
    numbers = [int(m.group(1)) for n in existing if (m := NUMBER_RE.match(n)) and int(m.group(1)) < CLOSING]
    if not any(NUMBER_RE.match(n) for n in existing):
        return slug
    return f"{(max(numbers) + 1) if numbers else 1:02d}-{slug}"


def create_module(session: Session, baseline: Baseline, *, slug: str, title: str, actor: object) -> str:
    """Start a new module as a draft from the template, placed before any closing (90+) module."""
    slug, title = slug.strip(), " ".join(title.split())
    if not is_slug(slug):
        raise AuthoringError("Enter a slug using lowercase letters, digits and hyphens, like data-sharing.")
    if not title:
        raise AuthoringError("Enter a title.")
    names = course_order(session, baseline)
    used_slugs = {module_slug(published_text(session, baseline, n) or "") for n in names}
    if slug in used_slugs:
        raise AuthoringError(f'The slug "{slug}" is already used by another module in this course.')
    name = new_module_name(names, slug)
    if name in names or name in baseline.files or get_draft(session, baseline.slug, name) is not None:
        raise AuthoringError(f'A module called "{name}" already exists.')
    text = SKELETON.format(slug=slug, title=title.replace(":", " -"))
    session.add(ModuleDraft(course_slug=baseline.slug, module_name=name, base_version="", source=text,
                            updated_by_id=getattr(actor, "id", None),
                            updated_by_label=getattr(actor, "email", "") or "", lock_version=1))
    closing = next((i for i, n in enumerate(names) if (m := NUMBER_RE.match(n)) and int(m.group(1)) >= CLOSING),
                   len(names))
    names.insert(closing, name)
    set_order(session, baseline, names)
    audit.record(session, actor=actor, action="content.create", target=f"module:{baseline.slug}/{name}",
                 detail={"slug": slug, "title": title})
    session.commit()
    return name
