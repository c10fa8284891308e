from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..councils.models import Council
from ..db import Base, utcnow
from ..roles import Role  # re-exported: leadership.auth.models.Role


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str | None] = mapped_column(sa.String(254), unique=True)  # None once erased
    name: Mapped[str] = mapped_column(sa.String(200))
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    role: Mapped[str] = mapped_column(sa.String(20), default=Role.LEARNER.value, index=True)
    council_id: Mapped[int] = mapped_column(sa.ForeignKey("council.id"), index=True)
    locale: Mapped[str | None] = mapped_column(sa.String(5))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    last_active_at: Mapped[datetime | None] = mapped_column(index=True)
    # Bumped on password change and "sign out everywhere": old sessions stop working.
    session_version: Mapped[int] = mapped_column(default=1)
    deleted_at: Mapped[datetime | None] = mapped_column()
    # When the owner of ``email`` proved it is theirs (an emailed link used). Certificates are
    # only issued to verified addresses; None for an address nobody has confirmed yet.
    email_verified_at: Mapped[datetime | None] = mapped_column()
    # Second factor (TOTP, RFC 6238). Required for staff roles, optional for learners.
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64))
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)  # replay guard: last accepted 30 s step
    mfa_enabled_at: Mapped[datetime | None] = mapped_column()

    council: Mapped[Council] = relationship(lazy="joined")

    # The random id of the server-side session (``UserSession``) this object was loaded for or
    # signed in with: Flask-Login keeps it in the cookie. Not a column.
    session_token = None  # str | None
    # The AuthToken just used to reach this object (service.consume_token), if any. Not a column.
    used_token = None

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.deleted_at is None

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        """What Flask-Login keeps in the session cookie: the server-side session's random id."""
        if not self.session_token:
            raise RuntimeError("sign in through auth.sessions.open_session, which gives the session an id")
        return self.session_token

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    @property
    def has_mfa(self) -> bool:
        return bool(self.totp_secret)

    @property
    def needs_mfa(self) -> bool:
        """Staff must use a second factor; a learner who turned it on must too."""
        return self.role_enum.is_staff or self.has_mfa

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class AuthToken(Base):
    """A single-use emailed token (sign-in link, password reset, email change, "this wasn't me").
    Only its hash is stored."""

    __tablename__ = "auth_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(sa.String(20))
    # An email change: the new address, applied when the link sent to it is used. A "this wasn't
    # me" link for an email change: the old address, put back when it is used.
    email: Mapped[str | None] = mapped_column(sa.String(254))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column()


class RecoveryCode(Base):
    """A one-time recovery code for the second factor. Only its hash is stored."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column()


class UserSession(Base):
    """One signed-in browser (pen test F2). The cookie carries a random id; only its SHA-256 is
    stored. Signing out deletes the row, so a copied cookie stops working at once; "sign out
    everywhere", a password change or reset and account deletion delete all of a user's rows."""

    __tablename__ = "user_session"

    id_hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)  # absolute end, whatever the activity


class PendingRegistration(Base):
    """A registration waiting for its owner to confirm the email address (pen test F12).

    No account exists until the link sent to the address is used: nobody can create an account
    (or hold an address) they cannot receive mail at. Only the token's hash is stored; expired
    rows are deleted when the next registration is processed, and with the account's data.
    """

    __tablename__ = "pending_registration"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    email: Mapped[str] = mapped_column(sa.String(254), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    council_id: Mapped[int] = mapped_column(sa.ForeignKey("council.id"))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    locale: Mapped[str | None] = mapped_column(sa.String(5))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    used_at: Mapped[datetime | None] = mapped_column()
