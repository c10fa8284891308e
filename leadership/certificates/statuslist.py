"""W3C Bitstring Status List v1.0: revocation status for every credential, published as lists.

Each certificate holds one :class:`~.models.StatusListSlot`: a global position, drawn at random
and never reused. Position ``p`` is bit ``p % LIST_SIZE`` of list ``p // LIST_SIZE + 1``, served
at ``<base>/credentials/status/<list>``. A list is filled to half before the next is opened,
so a random draw finds a free bit at once (16 candidates are checked in one query).

A bit is 1 when the certificate is revoked or withdrawn (the holder closed their account), or
when its row is gone. The list is built from the database on every request, so it reflects a
revocation at once; only the signed documents are cached (``integrity.SignedCache``), keyed by
everything they contain, so a revocation changes the key and is never served stale.

Plain functions taking a ``Session`` and values.
"""
from __future__ import annotations

import base64
import gzip
import secrets
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..db import utcnow
from .models import Certificate, StatusListSlot

LIST_SIZE = 131_072  # bits per list: the spec's minimum of 16 KiB, for herd privacy
PURPOSE = "revocation"
CANDIDATES = 16


def list_of(position: int) -> tuple[int, int]:
    """(list number from 1, bit index within the list)."""
    return position // LIST_SIZE + 1, position % LIST_SIZE


def _free_position(session: Session) -> int:
    allocated = session.scalar(sa.select(sa.func.count()).select_from(StatusListSlot)) or 0
    base = (allocated // (LIST_SIZE // 2)) * LIST_SIZE  # the list being filled (to half)
    for _ in range(8):
        candidates = {base + secrets.randbelow(LIST_SIZE) for _ in range(CANDIDATES)}
        taken = set(session.scalars(sa.select(StatusListSlot.position).where(
            StatusListSlot.position.in_(candidates))))
        free = sorted(candidates - taken)
        if free:
            return secrets.choice(free)
    raise RuntimeError("no free status list position found")  # pragma: no cover - 2**-128


def assign_slot(session: Session, cert: Certificate) -> None:
    """Give a new certificate its slot, inside the caller's transaction (a race for the same
    position is an IntegrityError at commit, which ``issue_certificate`` retries)."""
    cert.status_slot = StatusListSlot(position=_free_position(session), allocated_at=utcnow())


def ensure_slot(session: Session, cert: Certificate) -> StatusListSlot:
    """The certificate's slot, allocating one for a row inserted without it (for example by the
    demo seed's bulk insert). Concurrency-safe; commits when it allocates."""
    if cert.status_slot is not None:
        return cert.status_slot
    for _attempt in range(5):
        try:
            with session.begin_nested():
                session.add(StatusListSlot(position=_free_position(session), certificate_id=cert.id,
                                           allocated_at=utcnow()))
            session.commit()
        except IntegrityError:
            session.rollback()  # a taken position, or another request allocated for this certificate
        session.expire(cert, ["status_slot"])
        if cert.status_slot is not None:
            return cert.status_slot
    raise RuntimeError(f"could not allocate a status list position for {cert.code}")  # pragma: no cover


def set_positions(session: Session, list_number: int) -> list[int]:
    """Bits set in list ``list_number``: revoked, withdrawn, or no longer backed by a certificate."""
    low = (list_number - 1) * LIST_SIZE
    return list(session.scalars(
        sa.select(StatusListSlot.position)
        .outerjoin(Certificate, Certificate.id == StatusListSlot.certificate_id)
        .where(StatusListSlot.position >= low, StatusListSlot.position < low + LIST_SIZE,
               sa.or_(Certificate.id.is_(None), Certificate.revoked_at.is_not(None),
                      Certificate.withdrawn_at.is_not(None)))
        .order_by(StatusListSlot.position)))


def last_change(session: Session, list_number: int) -> datetime | None:
    """When the list last changed (its latest revocation or withdrawal; else when it was opened),
    for the status list credential's ``validFrom``. None when the list does not exist."""
    low = (list_number - 1) * LIST_SIZE
    in_list = (StatusListSlot.position >= low, StatusListSlot.position < low + LIST_SIZE)
    changed = session.scalar(
        sa.select(sa.func.max(sa.func.coalesce(Certificate.revoked_at, Certificate.withdrawn_at)))
        .select_from(StatusListSlot).join(Certificate, Certificate.id == StatusListSlot.certificate_id)
        .where(*in_list))
    return changed or session.scalar(sa.select(sa.func.min(StatusListSlot.allocated_at)).where(*in_list))


def encode(bits: list[int]) -> str:
    """The spec's ``encodedList``: multibase base64url (``u``) of the GZIP of the bitstring,
    bit 0 being the most significant bit of the first byte."""
    data = bytearray(LIST_SIZE // 8)
    for index in bits:
        data[index // 8] |= 0x80 >> (index % 8)
    return "u" + base64.urlsafe_b64encode(gzip.compress(bytes(data), mtime=0)).rstrip(b"=").decode("ascii")


def decode(encoded: str) -> bytes:
    if not encoded.startswith("u"):
        raise ValueError("encodedList must be multibase base64url (starting with 'u')")
    body = encoded[1:]
    return gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def bit(encoded: str, index: int) -> bool:
    return bool(decode(encoded)[index // 8] & (0x80 >> (index % 8)))
