"""Account rules as plain functions: no request, no Flask globals.

Views call these with a SQLAlchemy session and plain values, so the same rules
serve the web forms, the CLI and the tests.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from ..councils.models import Council
from ..db import utcnow
from . import sessions
from .models import AuthToken, Role, User

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256
SIGN_IN = "sign_in"
RESET_PASSWORD = "reset_password"
# Hash of a random password: checking against it when an email is unknown takes
# as long as a real check, so timing does not reveal which emails are registered.
_DUMMY_HASH = generate_password_hash(secrets.token_hex(16))


class AccountError(ValueError):
    """A rule was broken; ``field`` names the form field the message belongs to."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


class TokenError(ValueError):
    def __init__(self, reason: str):  # "invalid" | "expired" | "used"
        super().__init__(reason)
        self.reason = reason


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    path = Path(__file__).with_name("common-passwords.txt")
    return frozenset(line.strip().lower() for line in path.read_text(encoding="utf-8").splitlines()
                     if line.strip() and not line.startswith("#"))


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Why ``password`` is not acceptable, or None. Follows NCSC guidance: length and a deny list."""
    from flask_babel import gettext as _

    if len(password) < MIN_PASSWORD_LENGTH:
        return _("Password must be %(n)d characters or more", n=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        return _("Password must be %(n)d characters or fewer", n=MAX_PASSWORD_LENGTH)
    lowered = password.lower()
    if lowered in common_passwords() or len(set(lowered)) < 4:
        return _("This password is too common. Try three random words, like ‘kettle-river-lamp’")
    local = normalise_email(email).split("@")[0]
    if local and len(local) >= 4 and local in lowered:
        return _("Password must not contain your email address")
    return None


#: werkzeug method string. Production keeps the default: scrypt, salted. The test
#: suite sets PASSWORD_HASH_METHOD to a cheap method so hundreds of accounts can
#: be made quickly; nothing else changes.
# (bandit B105 mistakes the method name below for a hard-coded password)
PASSWORD_HASH_METHOD = "scrypt"  # nosec B105


def configure(method: str) -> None:
    global PASSWORD_HASH_METHOD, _DUMMY_HASH
    if method != PASSWORD_HASH_METHOD:
        PASSWORD_HASH_METHOD = method
        _DUMMY_HASH = generate_password_hash(secrets.token_hex(16), method=method)


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=PASSWORD_HASH_METHOD)


def find_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(sa.select(User).where(User.email == normalise_email(email), User.deleted_at.is_(None)))


def create_user(session: Session, *, name: str, email: str, password: str | None, council: Council,
                role: Role = Role.LEARNER) -> User:
    """Create and commit a user; raises AccountError for a duplicate email or weak password."""
    email = normalise_email(email)
    if password is not None:
        problem = password_problem(password, email=email, name=name)
        if problem:
            raise AccountError("password", problem)
    from flask_babel import gettext as _

    if find_user_by_email(session, email) is not None:
        raise AccountError("email", _("An account already uses this email address. Sign in or reset your password"))
    user = User(name=name.strip(), email=email, role=role.value, council_id=council.id,
                password_hash=hash_password(password) if password else None)
    session.add(user)
    try:
        session.commit()
    except IntegrityError:  # two registrations racing for one email
        session.rollback()
        raise AccountError("email", _("An account already uses this email address. Sign in or reset your password"))
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    user = find_user_by_email(session, email)
    if user is None or not user.password_hash:
        check_password_hash(_DUMMY_HASH, password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_token(session: Session, user: User, purpose: str, minutes: int) -> str:
    """Store a new single-use token for ``user`` and return the raw value (only ever emailed)."""
    raw = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(AuthToken(user_id=user.id, purpose=purpose, token_hash=_hash_token(raw),
                          created_at=now, expires_at=now + timedelta(minutes=minutes)))
    session.commit()
    return raw


def peek_token(session: Session, raw: str, purpose: str) -> AuthToken:
    """Check a token without using it up (e.g. to show the reset form)."""
    if not raw or len(raw) > 100:
        raise TokenError("invalid")
    token = session.scalar(sa.select(AuthToken).where(AuthToken.token_hash == _hash_token(raw)))
    if token is None or not hmac.compare_digest(token.purpose, purpose):
        raise TokenError("invalid")
    if token.used_at is not None:
        raise TokenError("used")
    if token.expires_at < utcnow():
        raise TokenError("expired")
    return token


def consume_token(session: Session, raw: str, purpose: str) -> User:
    """Use a token up, atomically: of two concurrent uses exactly one succeeds."""
    token = peek_token(session, raw, purpose)
    result = session.execute(
        sa.update(AuthToken)
        .where(AuthToken.id == token.id, AuthToken.used_at.is_(None))
        .values(used_at=utcnow())
    )
    if result.rowcount != 1:
        session.rollback()
        raise TokenError("used")
    user = session.get(User, token.user_id)
    if user is None or not user.is_active:
        session.rollback()
        raise TokenError("invalid")
    session.commit()
    return user


def set_password(session: Session, user: User, password: str) -> None:
    """Change the password and end every other session of this user."""
    problem = password_problem(password, email=user.email or "", name=user.name)
    if problem:
        raise AccountError("password", problem)
    user.password_hash = hash_password(password)
    user.session_version += 1
    sessions.close_all(session, user.id)  # every device is signed out (the caller may start a new session)
    # Any outstanding reset or sign-in links die with the old password.
    session.execute(sa.update(AuthToken).where(AuthToken.user_id == user.id, AuthToken.used_at.is_(None))
                    .values(used_at=utcnow()))
    session.commit()


def sign_out_everywhere(session: Session, user: User) -> None:
    user.session_version += 1
    sessions.close_all(session, user.id)
    session.commit()


def touch(session: Session, user: User, *, every_seconds: int = 300) -> None:
    """Record activity, at most every few minutes (to keep writes off the hot path)."""
    now = utcnow()
    if user.last_active_at is None or (now - user.last_active_at).total_seconds() > every_seconds:
        session.execute(sa.update(User).where(User.id == user.id).values(last_active_at=now))
        session.commit()
