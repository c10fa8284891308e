"""What the holder actually studied: the module versions a certificate was earned on (issue 24).

At issue the certificate copies, per module, the content version from the holder's
``module_completion`` rows (the version they completed the module on, which later publishing
never changes) into ``certificate_module``, and stores a **course fingerprint** computed from
exactly those versions. Two holders who completed the same versions get the same fingerprint,
whatever the live course looked like when their certificates were issued; two who did not, do not.

Plain functions taking a ``Session`` and values.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .models import Certificate, CertificateModule


def fingerprint(versions: Iterable[tuple[str, str]]) -> str:
    """12 hex characters of SHA-256 over ``"<module slug> <content version>"`` lines in slug order.

    Independent of course order (reordering modules does not change what was studied) and of
    when the certificate was issued. Migration 0003 computes the same for older certificates.
    """
    lines = "\n".join(f"{slug} {version}" for slug, version in sorted(versions))
    return hashlib.sha256(lines.encode("utf-8")).hexdigest()[:12]


def record_studied_versions(session: Session, cert: Certificate, course) -> None:
    """Fill ``cert.modules`` and ``cert.course_fingerprint`` from the holder's completions.

    Every module of the course the holder has completed is recorded (required or not), in course
    order, with the version they completed it on. Does not commit (part of issuing).
    """
    from ..quizzes.models import ModuleCompletion

    if cert.user_id is None:
        return
    rows = session.execute(
        sa.select(ModuleCompletion.module_slug, ModuleCompletion.content_version, ModuleCompletion.completed_at)
        .where(ModuleCompletion.user_id == cert.user_id, ModuleCompletion.course_slug == cert.course_slug)).all()
    if not rows:
        return
    order = {m.slug: i for i, m in enumerate(course.modules)} if course is not None else {}
    rows = sorted(rows, key=lambda r: (order.get(r.module_slug, len(order)), r.module_slug))
    for position, row in enumerate(rows, start=1):
        module = course.module(row.module_slug) if course is not None else None
        cert.modules.append(CertificateModule(
            position=position, module_slug=row.module_slug, module_title=module.title if module else "",
            content_version=row.content_version, completed_at=row.completed_at))
    cert.course_fingerprint = fingerprint((r.module_slug, r.content_version) for r in rows)


@dataclass(frozen=True)
class StudiedModule:
    """One recorded module, as the verification page and the credential describe it."""

    slug: str
    title: str
    content_version: str
    completed_at: datetime
    version_number: int | None  # the published version it matches (authoring history), if any
    version_date: datetime | None  # when that version was published; None for the course files
    from_files: bool  # the text shipped in courses/, never published in the browser
    major_change_at: datetime | None  # first major change published after completion, if any
    major_change_number: int | None
    restores: int | None = None  # the matched version is a roll-back to this version number

    @property
    def anchor(self) -> str:
        return f"module-{self.slug}"


def studied_modules(session: Session, cert: Certificate, course=None) -> list[StudiedModule]:
    """The recorded modules with their version numbers, dates and later major changes.

    Two queries whatever the number of modules. Titles come from the record, else the current
    course, else the slug.
    """
    from ..authoring.models import ModuleVersion

    records = list(session.scalars(sa.select(CertificateModule).where(
        CertificateModule.certificate_id == cert.id).order_by(CertificateModule.position)))
    if not records:
        return []
    versions = session.scalars(sa.select(ModuleVersion).where(
        ModuleVersion.course_slug == cert.course_slug,
        ModuleVersion.module_slug.in_([r.module_slug for r in records])).order_by(ModuleVersion.number)).all()
    by_module: dict[str, list] = {}
    for v in versions:
        by_module.setdefault(v.module_slug, []).append(v)
    out = []
    for r in records:
        history = by_module.get(r.module_slug, [])
        same = [v for v in history if v.content_hash == r.content_version]
        # The version that was live when they completed it; else the first with that text (the
        # course files' text is recorded as version 1 only when a module is first edited online).
        live = [v for v in same if v.published_at <= r.completed_at]
        match = live[-1] if live else (same[0] if same else None)
        from_files = match is None or (match.number == 1 and match.author_label == "courses/ files")
        majors = [v for v in history if v.change_kind == "major" and v.published_at > r.completed_at
                  and v.content_hash != r.content_version]
        if history and history[-1].content_hash == r.content_version:
            majors = []  # changed, then rolled back: the module reads as they studied it again
        module = course.module(r.module_slug) if course is not None else None
        out.append(StudiedModule(
            slug=r.module_slug, title=r.module_title or (module.title if module else r.module_slug),
            content_version=r.content_version, completed_at=r.completed_at,
            version_number=match.number if match else None,
            version_date=None if from_files or match is None else match.published_at,
            from_files=from_files,
            major_change_at=majors[0].published_at if majors else None,
            major_change_number=majors[0].number if majors else None,
            restores=match.rolled_back_from if match else None))
    return out
