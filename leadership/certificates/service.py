"""Certificate domain logic: issue, look up, revoke, correct names, withdraw.

Plain functions taking a ``Session`` and plain values (no Flask request state).
Functions that change data commit, and the audit event is part of the same
transaction as the change it describes.
"""
from __future__ import annotations

import calendar
import uuid
from datetime import datetime

import sqlalchemy as sa
from blinker import signal
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import audit
from ..auth.models import User
from ..db import utcnow
from .codes import new_code, normalise_code
from .models import EXPIRED, Certificate, NameCorrection
from .statuslist import assign_slot, ensure_slot
from .studied import record_studied_versions

LANGUAGES = ("en", "cy", "bilingual")

# Sent once a new certificate is committed (sender: the session; ``certificate_id=``). The
# jobs package listens: it renders the PDF and sends the "earned" email in the background.
certificate_issued = signal("leadership.certificate-issued")


class CertificateError(Exception):
    """A request the certificate rules refuse; ``message`` is safe to show."""

    def __init__(self, message: str, status: int = 409):
        super().__init__(message)
        self.message = message
        self.status = status


def add_months(when: datetime, months: int) -> datetime:
    """Calendar months later, clamping the day (31 Jan + 1 month = 28/29 Feb)."""
    month_index = when.month - 1 + months
    year, month = when.year + month_index // 12, month_index % 12 + 1
    day = min(when.day, calendar.monthrange(year, month)[1])
    return when.replace(year=year, month=month, day=day)


def latest_certificate(session: Session, user_id: int, course_slug: str) -> Certificate | None:
    return session.scalar(
        sa.select(Certificate)
        .where(Certificate.user_id == user_id, Certificate.course_slug == course_slug)
        .order_by(Certificate.cycle.desc())
        .limit(1)
    )


def issue_certificate(session: Session, user_id: int, course, *, language: str = "en",
                      now: datetime | None = None) -> Certificate | None:
    """Issue the certificate for a completed course, or return the one already held.

    Never to an address nobody has confirmed (pen test F12): for a user whose email is not
    verified it returns None and issues nothing; confirming the address (any emailed link)
    issues it then (``auth.views._email_proved``).

    Idempotent and race-safe: the unique constraint on (user_id, course_slug,
    cycle) means two simultaneous completions insert one row; the loser rolls
    back and returns the winner's row. A new cycle (refresher) is opened only
    when the latest certificate has expired; a revoked or withdrawn one is
    returned as it is (reissuing after revocation is a deliberate staff act).

    The new certificate also gets its opaque subject id (``urn:uuid:``), its Bitstring Status
    List slot (a random position, unique: a race for one is retried here too) and the module
    versions the learner completed on, with their fingerprint (``studied.py``).

    Commits. Call it after committing your own work (a rollback on a lost race
    discards anything pending in the session).
    """
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}")
    for _attempt in range(5):
        latest = latest_certificate(session, user_id, course.slug)
        if latest is not None and latest.status(now) != EXPIRED:
            return latest
        cycle = latest.cycle + 1 if latest is not None else 1
        user = session.get(User, user_id)
        if user is None:
            raise CertificateError("No such learner.", 404)
        if user.email_verified_at is None:
            return None
        issued = now or utcnow()
        months = course.certificate.valid_for_months if course.certificate else None
        cert = Certificate(
            subject_id=f"urn:uuid:{uuid.uuid4()}",
            code=new_code(), user_id=user_id, course_slug=course.slug, cycle=cycle,
            course_title=(course.certificate.title if course.certificate and course.certificate.title
                          else course.title),
            course_edition=str(course.edition or ""), content_version=course.content_version,
            holder_name=user.name, council_id=user.council_id,
            council_name=user.council.name if user.council is not None else "",
            language=language, issued_at=issued,
            expires_at=add_months(issued, months) if months else None,
        )
        # Queries first, then add: nothing is flushed before the commit that may lose a race.
        record_studied_versions(session, cert, course)
        assign_slot(session, cert)
        session.add(cert)
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            existing = session.scalar(sa.select(Certificate).where(
                Certificate.user_id == user_id, Certificate.course_slug == course.slug,
                Certificate.cycle == cycle))
            if existing is not None:
                return existing
            # Otherwise a code collision (astronomically unlikely) or a status list position
            # taken by a concurrent issue: try again with fresh ones.
            continue
        certificate_issued.send(session, certificate_id=cert.id)
        return cert
    raise RuntimeError("could not issue a certificate")  # pragma: no cover


def ensure_credential_records(session: Session, cert: Certificate) -> Certificate:
    """Give a certificate row inserted without them (the demo seed's bulk insert, or one made
    before migration 0003 ran its backfill) a subject id and a status list slot. Idempotent and
    concurrency-safe: the first writer wins. Commits only when it changes something."""
    if cert.subject_id is None:
        session.execute(sa.update(Certificate).where(Certificate.id == cert.id, Certificate.subject_id.is_(None))
                        .values(subject_id=f"urn:uuid:{uuid.uuid4()}"))
        session.commit()
        session.refresh(cert)
    ensure_slot(session, cert)
    return cert


def backfill_credential_records(session: Session) -> int:
    """For every certificate inserted without them (the demo seed writes rows in bulk): a
    subject id, a status list slot, and the module versions from the holder's completions made
    up to the issue (as migration 0003 does for older rows). Returns how many certificates
    changed. Commits. Not for concurrent use: run it from the command that inserted the rows."""
    import secrets

    from ..quizzes.models import ModuleCompletion
    from .models import CertificateModule, StatusListSlot
    from .statuslist import LIST_SIZE
    from .studied import fingerprint

    certs = session.execute(sa.select(Certificate.id, Certificate.user_id, Certificate.course_slug,
                                      Certificate.issued_at).where(Certificate.subject_id.is_(None))).all()
    if not certs:
        return 0
    taken = set(session.scalars(sa.select(StatusListSlot.position)))
    slotted = set(session.scalars(sa.select(StatusListSlot.certificate_id)))
    recorded = set(session.scalars(sa.select(CertificateModule.certificate_id).distinct()))
    done: dict[tuple, list] = {}
    for row in session.execute(sa.select(ModuleCompletion.user_id, ModuleCompletion.course_slug,
                                         ModuleCompletion.module_slug, ModuleCompletion.content_version,
                                         ModuleCompletion.completed_at)
                               .where(ModuleCompletion.user_id.in_({c.user_id for c in certs if c.user_id}))
                               .order_by(ModuleCompletion.completed_at, ModuleCompletion.module_slug)):
        done.setdefault((row.user_id, row.course_slug), []).append(row)
    slots, modules, updates, now = [], [], [], utcnow()
    for cert in certs:
        if cert.id not in slotted:
            base = (len(taken) // (LIST_SIZE // 2)) * LIST_SIZE
            position = base + secrets.randbelow(LIST_SIZE)
            while position in taken:
                position = base + secrets.randbelow(LIST_SIZE)
            taken.add(position)
            slots.append({"position": position, "certificate_id": cert.id, "allocated_at": now})
        rows = [r for r in done.get((cert.user_id, cert.course_slug), []) if r.completed_at <= cert.issued_at]
        if cert.id in recorded:
            rows = []
        updates.append({"cid": cert.id, "sid": f"urn:uuid:{uuid.uuid4()}",
                        "fp": fingerprint((r.module_slug, r.content_version) for r in rows) if rows else None})
        modules += [{"certificate_id": cert.id, "position": i, "module_slug": r.module_slug, "module_title": "",
                     "content_version": r.content_version, "completed_at": r.completed_at}
                    for i, r in enumerate(rows, start=1)]
    if slots:
        session.execute(sa.insert(StatusListSlot), slots)
    if modules:
        session.execute(sa.insert(CertificateModule), modules)
    table = Certificate.__table__
    with_fp = [u for u in updates if u["fp"]]
    without = [{"cid": u["cid"], "sid": u["sid"]} for u in updates if not u["fp"]]
    if with_fp:
        session.connection().execute(sa.update(table).where(table.c.id == sa.bindparam("cid")).values(
            subject_id=sa.bindparam("sid"), course_fingerprint=sa.bindparam("fp")), with_fp)
    if without:
        session.connection().execute(sa.update(table).where(table.c.id == sa.bindparam("cid")).values(
            subject_id=sa.bindparam("sid")), without)
    session.commit()
    return len(certs)


def find_by_code(session: Session, text: str) -> Certificate | None:
    code = normalise_code(text)
    if code is None:
        return None
    return session.scalar(sa.select(Certificate).where(Certificate.code == code))


def certificates_for_user(session: Session, user_id: int) -> list[Certificate]:
    return list(session.scalars(
        sa.select(Certificate).where(Certificate.user_id == user_id)
        .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
    ))


def can_view_certificate(user, cert: Certificate) -> bool:
    """The holder, any lga_admin, or a council_admin of the holder's council."""
    from ..security import can_view_council

    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if cert.user_id is not None and cert.user_id == user.id:
        return True
    return cert.council_id is not None and can_view_council(user, cert.council_id)


def revoke_certificate(session: Session, cert: Certificate, *, actor, reason: str,
                       now: datetime | None = None) -> Certificate:
    """Revoke with a reason (kept internal; the public page only says 'revoked'). Audit-logged."""
    reason = (reason or "").strip()
    if not reason:
        raise CertificateError("Enter the reason for revoking this certificate.", 422)
    if cert.revoked_at is not None:
        raise CertificateError("This certificate has already been revoked.", 409)
    cert.revoked_at = now or utcnow()
    cert.revoked_reason = reason[:500]
    cert.revoked_by_id = getattr(actor, "id", None)
    audit.record(session, actor=actor, action="certificate.revoke", target=f"certificate:{cert.code}",
                 detail={"reason": cert.revoked_reason, "course": cert.course_slug, "cycle": cert.cycle})
    session.commit()
    return cert


def request_name_correction(session: Session, cert: Certificate, *, requester, requested_name: str,
                            reason: str) -> NameCorrection:
    """The holder asks for the printed name to be corrected; an lga_admin decides."""
    requested_name = " ".join((requested_name or "").split())
    if not requested_name:
        raise CertificateError("Enter the name as it should appear on the certificate.", 422)
    if requested_name == cert.holder_name:
        raise CertificateError("The new name is the same as the name on the certificate.", 422)
    if cert.revoked_at is not None or cert.withdrawn_at is not None:
        raise CertificateError("This certificate is no longer valid, so its name cannot be changed.", 409)
    pending = session.scalar(sa.select(NameCorrection.id).where(
        NameCorrection.certificate_id == cert.id, NameCorrection.status == "pending"))
    if pending is not None:
        raise CertificateError("You have already asked for this name to be corrected. "
                               "An administrator will look at it soon.", 409)
    correction = NameCorrection(certificate_id=cert.id, requested_name=requested_name[:200],
                                reason=(reason or "").strip()[:1000], status="pending")
    session.add(correction)
    audit.record(session, actor=requester, action="certificate.name_correction.request",
                 target=f"certificate:{cert.code}", detail={"requested_name": correction.requested_name})
    session.commit()
    return correction


def pending_correction_certificate_ids(session: Session, certificate_ids: list[int]) -> set[int]:
    if not certificate_ids:
        return set()
    return set(session.scalars(sa.select(NameCorrection.certificate_id).where(
        NameCorrection.certificate_id.in_(certificate_ids), NameCorrection.status == "pending")))


def pending_name_corrections(session: Session) -> list[NameCorrection]:
    from sqlalchemy.orm import joinedload

    return list(session.scalars(
        sa.select(NameCorrection).options(joinedload(NameCorrection.certificate))
        .where(NameCorrection.status == "pending").order_by(NameCorrection.requested_at)
    ))


def decide_name_correction(session: Session, correction_id: int, *, actor, approve: bool,
                           now: datetime | None = None) -> NameCorrection:
    """Approve (reissue under the same code with the new name) or reject. Audit-logged."""
    correction = session.get(NameCorrection, correction_id)
    if correction is None:
        raise CertificateError("No such request.", 404)
    if correction.status != "pending":
        raise CertificateError("This request has already been decided.", 409)
    cert = correction.certificate
    correction.decided_at = now or utcnow()
    correction.decided_by_id = getattr(actor, "id", None)
    if approve:
        correction.status = "approved"
        correction.previous_name = cert.holder_name
        cert.holder_name = correction.requested_name
        cert.revision = (cert.revision or 1) + 1
    else:
        correction.status = "rejected"
    audit.record(session, actor=actor,
                 action="certificate.name_correction." + ("approve" if approve else "reject"),
                 target=f"certificate:{cert.code}",
                 detail={"from": correction.previous_name or cert.holder_name,
                         "to": correction.requested_name, "reason": correction.reason})
    session.commit()
    return correction


def withdraw_certificates(session: Session, user_id: int, now: datetime | None = None) -> int:
    """Mark a holder's certificates withdrawn (they deleted their account). Does not commit:
    call it inside the account-deletion transaction, before the user row is erased."""
    result = session.execute(
        sa.update(Certificate)
        .where(Certificate.user_id == user_id, Certificate.withdrawn_at.is_(None))
        .values(withdrawn_at=now or utcnow())
    )
    return result.rowcount or 0
