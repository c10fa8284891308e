"""Second factor: TOTP (RFC 6238, via pyotp) and one-time recovery codes.

Plain functions over a ``Session``; no request or Flask globals. The views in
``auth/views.py`` decide *when* a second factor is needed (``User.needs_mfa``).
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time

import pyotp
import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..db import utcnow
from .models import RecoveryCode, User

STEP_SECONDS = 30
VALID_WINDOW = 1  # accept the previous and next 30 s step too (clock drift)
RECOVERY_CODES = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i


def new_secret() -> str:
    return pyotp.random_base32()  # 32 base32 characters = 160 bits, as RFC 4226 recommends


def provisioning_uri(secret: str, email: str, issuer: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=issuer)


def qr_data_uri(uri: str) -> str:
    """A PNG QR code of ``uri`` as a data: URI (the CSP allows ``img-src data:``; no script needed)."""
    import segno

    return segno.make(uri, error="m").png_data_uri(scale=5, border=4)


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to type into an app by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def _clean_code(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "")


def is_totp_shape(code: str) -> bool:
    return re.fullmatch(r"\d{6}", _clean_code(code)) is not None


def matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The time step whose code equals ``code`` (within the window), or None."""
    code = _clean_code(code)
    if not re.fullmatch(r"\d{6}", code):
        return None
    totp = pyotp.TOTP(secret)
    current = int((now if now is not None else time.time()) // STEP_SECONDS)
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def verify_totp(session: Session, user: User, code: str, now: float | None = None) -> bool:
    """Check a code for ``user`` and use its time step up: a code is never accepted twice.

    The conditional UPDATE makes this atomic: of two requests with the same code at
    the same moment, exactly one succeeds.
    """
    if not user.totp_secret:
        return False
    step = matching_step(user.totp_secret, code, now)
    if step is None:
        return False
    result = session.execute(
        sa.update(User)
        .where(User.id == user.id, sa.or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step))
    session.commit()
    if result.rowcount == 1:
        user.totp_last_step = step
        return True
    return False


def _hash_code(code: str) -> str:
    # Recovery codes are 50 random bits, used once: a plain SHA-256 (like the emailed tokens) is enough.
    return hashlib.sha256(_clean_code(code).lower().encode()).hexdigest()


def new_recovery_codes(session: Session, user: User) -> list[str]:
    """Replace the user's recovery codes with 10 new ones; returns them (shown once, never stored)."""
    session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
        code = f"{raw[:5]}-{raw[5:]}"
        codes.append(code)
        session.add(RecoveryCode(user_id=user.id, code_hash=_hash_code(code)))
    session.commit()
    return codes


def use_recovery_code(session: Session, user: User, code: str) -> bool:
    cleaned = _clean_code(code)
    if not re.fullmatch(r"[a-zA-Z0-9]{10}", cleaned):
        return False
    result = session.execute(
        sa.update(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _hash_code(cleaned),
               RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow()))
    session.commit()
    return result.rowcount == 1


def recovery_codes_left(session: Session, user: User) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(RecoveryCode)
                          .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))) or 0


def enable(session: Session, user: User, secret: str, code: str, now: float | None = None) -> list[str] | None:
    """Turn on (or replace) the user's authenticator if ``code`` proves they have ``secret``.

    Returns the new recovery codes, or None when the code is wrong.
    """
    step = matching_step(secret, code, now)
    if step is None:
        return None
    user.totp_secret = secret
    user.totp_last_step = step  # the set-up code cannot be replayed at sign-in
    user.mfa_enabled_at = utcnow()
    session.commit()
    return new_recovery_codes(session, user)


def disable(session: Session, user: User) -> None:
    """Turn off the second factor (learners only: staff must keep it)."""
    if user.role_enum.is_staff:
        raise PermissionError("staff accounts must keep two-step verification")
    user.totp_secret = None
    user.totp_last_step = None
    user.mfa_enabled_at = None
    session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    user.session_version += 1
    from .sessions import close_all

    close_all(session, user.id)
    session.commit()
