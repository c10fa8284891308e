"""Certificates and name-correction requests.

One certificate per (learner, course, cycle): the unique constraint is the race
guard, so two simultaneous completions still produce exactly one row. A new
cycle (a refresher) is only opened once the previous certificate has expired.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, utcnow

VALID, EXPIRED, REVOKED, WITHDRAWN = "valid", "expired", "revoked", "withdrawn"


class Certificate(Base):
    __tablename__ = "certificate"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "course_slug", "cycle", name="uq_certificate_user_course_cycle"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # 15 characters from an unambiguous alphabet, stored without dashes (shown XXXXX-XXXXX-XXXXX).
    code: Mapped[str] = mapped_column(sa.String(16), unique=True)
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    course_slug: Mapped[str] = mapped_column(sa.String(100), index=True)
    cycle: Mapped[int] = mapped_column(default=1)  # 1 = first completion, 2 = first refresher...
    course_title: Mapped[str] = mapped_column(sa.String(300))
    course_edition: Mapped[str] = mapped_column(sa.String(40), default="")
    content_version: Mapped[str] = mapped_column(sa.String(40))
    holder_name: Mapped[str] = mapped_column(sa.String(200))
    council_id: Mapped[int | None] = mapped_column(sa.ForeignKey("council.id"), index=True)
    council_name: Mapped[str] = mapped_column(sa.String(200), default="")
    language: Mapped[str] = mapped_column(sa.String(10), default="en")  # "en" | "cy" | "bilingual"
    issued_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    expires_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()
    revoked_reason: Mapped[str | None] = mapped_column(sa.String(500))
    revoked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    withdrawn_at: Mapped[datetime | None] = mapped_column()  # the holder deleted their account
    # Bumped on every reissue (name correction) so caches and credentials follow.
    revision: Mapped[int] = mapped_column(default=1)
    # The credential's subject: an opaque urn:uuid per certificate (never the email), so
    # credentialSubject.id and the VC-JWT "sub" claim exist without identifying anyone.
    subject_id: Mapped[str | None] = mapped_column(sa.String(45), unique=True)
    # Fingerprint of the module versions the holder completed on (see studied.py); None when
    # the versions were not recorded (certificates issued before they were, without the data).
    course_fingerprint: Mapped[str | None] = mapped_column(sa.String(40))

    modules: Mapped[list["CertificateModule"]] = relationship(
        back_populates="certificate", order_by="CertificateModule.position", cascade="all, delete-orphan",
        passive_deletes=True)
    status_slot: Mapped["StatusListSlot | None"] = relationship(back_populates="certificate", uselist=False)

    name_corrections: Mapped[list["NameCorrection"]] = relationship(
        back_populates="certificate", order_by="NameCorrection.requested_at", cascade="all, delete-orphan",
        passive_deletes=True)

    @property
    def display_code(self) -> str:
        from .codes import format_code

        return format_code(self.code)

    def status(self, now: datetime | None = None) -> str:
        """valid | expired | revoked | withdrawn (revocation wins over everything)."""
        if self.revoked_at is not None:
            return REVOKED
        if self.withdrawn_at is not None:
            return WITHDRAWN
        if self.expires_at is not None and (now or utcnow()) >= self.expires_at:
            return EXPIRED
        return VALID

    def __repr__(self) -> str:
        return f"<Certificate {self.display_code} {self.course_slug}#{self.cycle}>"


class NameCorrection(Base):
    __tablename__ = "name_correction"

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(
        sa.ForeignKey("certificate.id", ondelete="CASCADE"), index=True)
    requested_name: Mapped[str] = mapped_column(sa.String(200))
    reason: Mapped[str] = mapped_column(sa.String(1000), default="")
    status: Mapped[str] = mapped_column(sa.String(10), default="pending", index=True)  # pending|approved|rejected
    previous_name: Mapped[str | None] = mapped_column(sa.String(200))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column()
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))

    certificate: Mapped[Certificate] = relationship(back_populates="name_corrections")


class CertificateModule(Base):
    """One module the holder had completed when the certificate was issued, and the content
    version (``Module.version``, the module text's hash) they completed it on."""

    __tablename__ = "certificate_module"
    __table_args__ = (
        sa.UniqueConstraint("certificate_id", "module_slug", name="uq_certificate_module_certificate_module"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(sa.ForeignKey("certificate.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column()  # course order at issue (completion order when backfilled)
    module_slug: Mapped[str] = mapped_column(sa.String(80))
    module_title: Mapped[str] = mapped_column(sa.String(300), default="")  # "" when backfilled
    content_version: Mapped[str] = mapped_column(sa.String(40))
    completed_at: Mapped[datetime] = mapped_column()

    certificate: Mapped[Certificate] = relationship(back_populates="modules")


class StatusListSlot(Base):
    """One position in the issuer's Bitstring Status Lists, allocated once and never reused.

    ``position`` is global: list ``position // LIST_SIZE + 1``, bit ``position % LIST_SIZE``.
    Positions are drawn at random (the Bitstring Status List spec asks for that, so a position
    says nothing about when or to whom a certificate was issued); the primary key makes a
    collision, or a race between two issuers, an IntegrityError that the allocator retries.
    Rows are never deleted: if a certificate row ever goes, its slot stays (certificate_id NULL),
    so the position is never handed out again, and its bit reads "revoked".
    """

    __tablename__ = "status_list_slot"

    position: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    certificate_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("certificate.id", ondelete="SET NULL"), unique=True)
    allocated_at: Mapped[datetime] = mapped_column(default=utcnow)

    certificate: Mapped[Certificate | None] = relationship(back_populates="status_slot")
