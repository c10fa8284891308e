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
CHANGE_EMAIL = "change_email"
# "This wasn't me" links in the notice sent when an account's email, password or second
# factor changes (pen test F5): what was changed decides what using the link undoes.
NOT_ME_EMAIL, NOT_ME_PASSWORD, NOT_ME_MFA = "not_me_email", "not_me_password", "not_me_mfa"
NOT_ME = (NOT_ME_EMAIL, NOT_ME_PASSWORD, NOT_ME_MFA)
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
                role: Role = Role.LEARNER, password_hash: str | None = None, verified: bool = True) -> User:
    """Create and commit a user; raises AccountError for a duplicate email or weak password.

    ``verified``: the address is known to be the user's (an administrator's ``users create``,
    demo accounts, a confirmed registration). ``password_hash`` instead of ``password``: a
    password already checked and hashed (a registration waiting for its confirmation)."""
    email = normalise_email(email)
    if password is not None:
        problem = password_problem(password, email=email, name=name)
        if problem:
            raise AccountError("password", problem)
    from flask_babel import gettext as _

    if find_user_by_email(session, email) is not None:
        raise AccountError("email", _("An account already uses this email address. Sign in or reset your password"))
    user = User(name=name.strip(), email=email, role=role.value, council_id=council.id,
                password_hash=hash_password(password) if password else password_hash,
                email_verified_at=utcnow() if verified else None)
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


def issue_token(session: Session, user: User, purpose: str, minutes: int, *, email: str | None = None) -> str:
    """Store a new single-use token for ``user`` and return the raw value (only ever emailed)."""
    raw = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(AuthToken(user_id=user.id, purpose=purpose, token_hash=_hash_token(raw), email=email,
                          created_at=now, expires_at=now + timedelta(minutes=minutes)))
    session.commit()
    return raw


def peek_token(session: Session, raw: str, purpose: str | tuple[str, ...]) -> AuthToken:
    """Check a token without using it up (e.g. to show the reset form). ``purpose``: the one
    purpose (or purposes) the token may have."""
    if not raw or len(raw) > 100:
        raise TokenError("invalid")
    token = session.scalar(sa.select(AuthToken).where(AuthToken.token_hash == _hash_token(raw)))
    purposes = (purpose,) if isinstance(purpose, str) else purpose
    if token is None or not any(hmac.compare_digest(token.purpose, p) for p in purposes):
        raise TokenError("invalid")
    if token.used_at is not None:
        raise TokenError("used")
    if token.expires_at < utcnow():
        raise TokenError("expired")
    return token


def consume_token(session: Session, raw: str, purpose: str | tuple[str, ...]) -> User:
    """Use a token up, atomically: of two concurrent uses exactly one succeeds. The token's
    row stays readable as ``user.used_token`` (its purpose and address)."""
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
    user.used_token = token
    return user


def set_password(session: Session, user: User, password: str) -> None:
    """Change the password and end every other session of this user."""
    problem = password_problem(password, email=user.email or "", name=user.name)
    if problem:
        raise AccountError("password", problem)
    user.password_hash = hash_password(password)
    user.session_version += 1
    sessions.close_all(session, user.id)  # every device is signed out (the caller may start a new session)
    # Any outstanding reset, sign-in and email-change links die with the old password ("this
    # wasn't me" links stay: they must keep working after an attacker changed the password).
    session.execute(sa.update(AuthToken).where(AuthToken.user_id == user.id, AuthToken.used_at.is_(None),
                                               AuthToken.purpose.not_in(NOT_ME))
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


# --------------------------------------------------------------------------- email ownership

def mark_email_verified(session: Session, user: User) -> bool:
    """The user has just proved ``user.email`` is theirs (they used a link sent to it). Returns
    True when it was not verified before (the caller then issues any certificate held back)."""
    if user.email_verified_at is not None or not user.email:
        return False
    user.email_verified_at = utcnow()
    session.commit()
    return True


def begin_registration(session: Session, *, name: str, email: str, council_id: int, password_hash: str,
                       locale: str | None, hours: int) -> str | None:
    """Keep a registration until its owner confirms the address; return the raw token for the
    emailed link, or None when the address already has an account (nothing is stored then).
    Expired pending registrations of anyone are deleted on the way. Commits."""
    from .models import PendingRegistration

    now = utcnow()
    session.execute(sa.delete(PendingRegistration).where(PendingRegistration.expires_at <= now))
    email = normalise_email(email)
    if find_user_by_email(session, email) is not None:
        session.commit()
        return None
    raw = secrets.token_urlsafe(32)
    session.add(PendingRegistration(token_hash=_hash_token(raw), email=email, name=name.strip()[:200],
                                    council_id=council_id, password_hash=password_hash, locale=locale,
                                    created_at=now, expires_at=now + timedelta(hours=hours)))
    session.commit()
    return raw


def peek_registration(session: Session, raw: str):
    from .models import PendingRegistration

    if not raw or len(raw) > 100:
        raise TokenError("invalid")
    pending = session.scalar(sa.select(PendingRegistration)
                             .where(PendingRegistration.token_hash == _hash_token(raw)))
    if pending is None:
        raise TokenError("invalid")
    if pending.used_at is not None:
        raise TokenError("used")
    if pending.expires_at < utcnow():
        raise TokenError("expired")
    return pending


def complete_registration(session: Session, raw: str) -> User:
    """Use a registration link once: create the (verified) account. Raises TokenError, or
    AccountError when the address got an account in the meantime (nothing is created)."""
    from .models import PendingRegistration

    pending = peek_registration(session, raw)
    claimed = session.execute(sa.update(PendingRegistration)
                              .where(PendingRegistration.id == pending.id, PendingRegistration.used_at.is_(None))
                              .values(used_at=utcnow())).rowcount
    if claimed != 1:
        session.rollback()
        raise TokenError("used")
    council = session.get(Council, pending.council_id)
    try:
        user = create_user(session, name=pending.name, email=pending.email, password=None, council=council,
                           password_hash=pending.password_hash, verified=True)  # commits the claim with it
    except AccountError:
        session.commit()  # the link is used up either way
        raise
    if pending.locale:
        user.locale = pending.locale
    # The other pending registrations for this address have nothing left to do.
    session.execute(sa.delete(PendingRegistration).where(PendingRegistration.email == user.email,
                                                         PendingRegistration.id != pending.id))
    session.commit()
    return user


def request_email_change(session: Session, user: User, new_email: str, minutes: int) -> str:
    """Start changing ``user``'s address: the change applies only when the link sent to the new
    address is used. Earlier unused change links die. Returns the raw token. Commits."""
    session.execute(sa.update(AuthToken).where(AuthToken.user_id == user.id, AuthToken.purpose == CHANGE_EMAIL,
                                               AuthToken.used_at.is_(None)).values(used_at=utcnow()))
    return issue_token(session, user, CHANGE_EMAIL, minutes, email=normalise_email(new_email))


def apply_email_change(session: Session, raw: str) -> tuple[User, str]:
    """Use an email-change link: the account's address becomes the new (now verified) one.
    Returns (user, old address). Raises TokenError, or AccountError if another account took
    the new address in the meantime (nothing changes)."""
    from flask_babel import gettext as _

    token = peek_token(session, raw, CHANGE_EMAIL)
    other = find_user_by_email(session, token.email or "")
    if other is not None and other.id != token.user_id:
        raise AccountError("email", _("An account already uses this email address"))
    user = consume_token(session, raw, CHANGE_EMAIL)
    old = user.email or ""
    user.email = token.email
    user.email_verified_at = utcnow()
    try:
        session.commit()
    except IntegrityError:  # taken at the same moment
        session.rollback()
        raise AccountError("email", _("An account already uses this email address"))
    return user, old


def secure_account(session: Session, raw: str) -> User:
    """Use a "this wasn't me" link: sign the account out everywhere, cancel pending email
    changes, and undo what the notice was about where that is safe (put the old address back;
    remove an authenticator someone else set up). The caller then guides the user to choose a
    new password. Raises TokenError. Commits."""
    from .models import RecoveryCode

    user = consume_token(session, raw, NOT_ME)
    token = user.used_token
    session.execute(sa.update(AuthToken).where(AuthToken.user_id == user.id, AuthToken.used_at.is_(None),
                                               AuthToken.purpose.in_((CHANGE_EMAIL, SIGN_IN, RESET_PASSWORD)))
                    .values(used_at=utcnow()))
    if token.purpose == NOT_ME_EMAIL and token.email and token.email != user.email:
        other = find_user_by_email(session, token.email)
        if other is None:
            user.email = token.email  # the address the notice was sent to, which the owner controls
            user.email_verified_at = utcnow()
    if token.purpose == NOT_ME_MFA and user.totp_secret:
        user.totp_secret, user.totp_last_step, user.mfa_enabled_at = None, None, None
        session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    user.session_version += 1
    sessions.close_all(session, user.id)
    session.commit()
    return user
