"""The send log (one row per email that must go out once) and email opt-outs."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, utcnow


class SendLog(Base):
    """One email that must go out once, identified by (recipient, kind, subject, step).

    ``recipient`` is ``user:<id>`` (or, for people without an account, e.g. a roster member,
    ``member:<id>``); ``subject_key`` names what the email is about (``certificate:<id>``,
    ``due:2027-05-01``); ``step`` which one in a series (``60d``, ``14d``, ``1``...). The row is
    written in the transaction that decides to send and queues the message, and the unique
    key makes a second decision (a retry, another worker, a re-run) a no-op.
    """

    __tablename__ = "send_log"
    __table_args__ = (
        sa.UniqueConstraint("recipient", "kind", "subject_key", "step", name="uq_send_log_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(sa.String(40))
    kind: Mapped[str] = mapped_column(sa.String(40), index=True)
    subject_key: Mapped[str] = mapped_column(sa.String(80))
    step: Mapped[str] = mapped_column(sa.String(20))
    # For "email bounced" on the learner's page and the council dashboard without parsing recipient.
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    council_id: Mapped[int | None] = mapped_column(sa.ForeignKey("council.id"), index=True)
    language: Mapped[str] = mapped_column(sa.String(5), default="en")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    outbox_message_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("outbox_message.id", ondelete="SET NULL"), index=True)
    sent_at: Mapped[datetime | None] = mapped_column()
    bounced_at: Mapped[datetime | None] = mapped_column()
    failure: Mapped[str] = mapped_column(sa.String(500), default="")  # bounce reason, or why it was dropped


class EmailOptOut(Base):
    """Someone asked not to receive one kind of optional email (one-click unsubscribe)."""

    __tablename__ = "email_opt_out"
    __table_args__ = (sa.UniqueConstraint("recipient", "kind", name="uq_email_opt_out_recipient"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(sa.String(40))
    kind: Mapped[str] = mapped_column(sa.String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
