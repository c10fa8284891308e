"""Certificate PDFs rendered ahead of time (a background job at issue) and kept in the database.

Keyed by certificate and language. Each stored file carries a fingerprint of everything
printed on it (the ``CertificatePrint``) and of the renderer's source, so a name
correction, a revocation, an expiry or a new layout makes it stale without anyone having
to remember: the download serves the stored file only while the fingerprint matches,
and otherwise renders a fresh one and stores it in its place. Erasing an account deletes its files.
"""
from __future__ import annotations

import dataclasses
import hashlib
import logging
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..db import Base, utcnow
from . import pdf

log = logging.getLogger(__name__)


class StoredPdf(Base):
    __tablename__ = "certificate_pdf"
    __table_args__ = (sa.UniqueConstraint("certificate_id", "language", name="uq_certificate_pdf_language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(sa.ForeignKey("certificate.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(sa.String(10))
    fingerprint: Mapped[str] = mapped_column(sa.String(64))
    body: Mapped[bytes] = mapped_column(sa.LargeBinary)
    rendered_at: Mapped[datetime] = mapped_column(default=utcnow)


@lru_cache(maxsize=1)
def _renderer_version() -> str:
    return hashlib.sha256(Path(pdf.__file__).read_bytes()).hexdigest()


def fingerprint(data: pdf.CertificatePrint) -> str:
    printed = repr(sorted(dataclasses.asdict(data).items()))
    return hashlib.sha256((_renderer_version() + printed).encode("utf-8")).hexdigest()


def stored(session: Session, certificate_id: int, data: pdf.CertificatePrint) -> bytes | None:
    """The stored PDF for this certificate and ``data.language`` if it is still what would be printed."""
    return session.scalar(sa.select(StoredPdf.body).where(
        StoredPdf.certificate_id == certificate_id, StoredPdf.language == data.language,
        StoredPdf.fingerprint == fingerprint(data)))


def store(session: Session, certificate_id: int, data: pdf.CertificatePrint, body: bytes,
          *, now: datetime | None = None) -> None:
    """Keep ``body`` as the PDF for (certificate, language), replacing a stale one. Commits.
    Two workers storing at once: one row wins, the other's identical work is dropped."""
    session.execute(sa.delete(StoredPdf).where(StoredPdf.certificate_id == certificate_id,
                                               StoredPdf.language == data.language))
    session.add(StoredPdf(certificate_id=certificate_id, language=data.language, fingerprint=fingerprint(data),
                          body=body, rendered_at=now or utcnow()))
    try:
        session.commit()
    except IntegrityError:
        session.rollback()


def render_and_store(session: Session, certificate_id: int, data: pdf.CertificatePrint,
                     *, now: datetime | None = None) -> bool:
    """Render and store unless an up-to-date file is already stored. True when it rendered."""
    if stored(session, certificate_id, data) is not None:
        return False
    store(session, certificate_id, data, pdf.render_pdf(data), now=now)
    return True


def stored_or_render(session: Session, certificate_id: int, data: pdf.CertificatePrint, render) -> bytes:
    """The download: the stored file while it is current; otherwise ``render(data)`` now and
    store the result, so the next download (on any worker) is the stored file again."""
    body = stored(session, certificate_id, data)
    if body is not None:
        return body
    body = render(data)
    try:
        store(session, certificate_id, data, body)
    except Exception:  # a full or read-only database must not stop the download
        session.rollback()
        log.exception("could not store the PDF of certificate %s", certificate_id)
    return body


def delete_for_user(session: Session, user_id: int) -> None:
    """Erasure: drop the files that print this person's name. Does not commit."""
    from .models import Certificate

    session.execute(sa.delete(StoredPdf).where(StoredPdf.certificate_id.in_(
        sa.select(Certificate.id).where(Certificate.user_id == user_id).scalar_subquery())))
