"""Outgoing mail: an outbox folder by default, SMTP or GOV.UK Notify when configured.

The outbox (``instance/outbox``) is how development and tests read the mail the
service sends, one ``.eml`` file per message.

When the transport fails (SMTP down), :func:`deliver` keeps the message in the
``outbox_message`` table and ``flask mail retry`` (run it from cron every minute
or so) sends it later with back-off; a successful send also retries a few queued
messages. Messages carrying a short-lived link are queued with ``expires_at`` so
they are dropped, body erased, rather than delivered uselessly late.
"""
from __future__ import annotations

import logging
import smtplib
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from .db import Base, utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str


class MailError(RuntimeError):
    pass


def _build(mail: Mail, sender: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = mail.to
    msg["Subject"] = mail.subject
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    msg["Message-ID"] = make_msgid(domain="leadership-essentials")
    msg.set_content(mail.body)
    return msg


def send(config, mail: Mail) -> None:
    """Send one message with the configured transport. Raises MailError when it fails."""
    try:
        if config.get("NOTIFY_API_KEY"):
            from notifications_python_client.notifications import NotificationsAPIClient

            client = NotificationsAPIClient(config["NOTIFY_API_KEY"])
            client.send_email_notification(
                email_address=mail.to,
                template_id=config["NOTIFY_TEMPLATE_ID"],
                personalisation={"subject": mail.subject, "body": mail.body},
            )
        elif config.get("MAIL_SMTP_HOST"):
            msg = _build(mail, config["MAIL_FROM"])
            with smtplib.SMTP(config["MAIL_SMTP_HOST"], int(config["MAIL_SMTP_PORT"]), timeout=10) as smtp:
                if config.get("MAIL_SMTP_STARTTLS"):
                    smtp.starttls()
                if config.get("MAIL_SMTP_USERNAME"):
                    smtp.login(config["MAIL_SMTP_USERNAME"], config["MAIL_SMTP_PASSWORD"])
                smtp.send_message(msg)
        else:
            outbox = Path(config["MAIL_OUTBOX_DIR"])
            outbox.mkdir(parents=True, exist_ok=True)
            msg = _build(mail, config["MAIL_FROM"])
            name = f"{formatdate(usegmt=True)[5:25].replace(' ', '-').replace(':', '')}-{uuid.uuid4().hex[:8]}.eml"
            (outbox / name).write_bytes(bytes(msg))
    except Exception as exc:  # any transport failure is reported the same way
        log.exception("sending mail to a user failed")
        raise MailError(str(exc)) from exc


class OutboxMessage(Base):
    """A message the transport refused, waiting to be retried."""

    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    to_address: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text)
    attempts: Mapped[int] = mapped_column(default=1)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    expires_at: Mapped[datetime | None] = mapped_column()
    last_error: Mapped[str] = mapped_column(sa.String(500), default="")
    sent_at: Mapped[datetime | None] = mapped_column()
    gave_up_at: Mapped[datetime | None] = mapped_column()


MAX_ATTEMPTS = 12


def _backoff(attempts: int) -> timedelta:
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def deliver(session: Session, config, mail: Mail, *, expires_at: datetime | None = None) -> bool:
    """Send now if possible (True); otherwise queue for retry and return False. Never raises MailError."""
    try:
        send(config, mail)
    except MailError as exc:
        now = utcnow()
        session.add(OutboxMessage(to_address=mail.to, subject=mail.subject, body=mail.body, attempts=1,
                                  next_attempt_at=now + _backoff(1), expires_at=expires_at,
                                  last_error=str(exc)[:500], created_at=now))
        session.commit()
        return False
    try:
        retry_queued(session, config, limit=3)
    except Exception:  # pragma: no cover - opportunistic only; `flask mail retry` does the real work
        session.rollback()
        log.exception("retrying queued mail failed")
    return True


def retry_queued(session: Session, config, *, now: datetime | None = None, limit: int = 100) -> dict[str, int]:
    """Try every due queued message once. Returns counts of sent, failed and dropped messages."""
    now = now or utcnow()
    counts = {"sent": 0, "failed": 0, "dropped": 0}
    due = session.scalars(
        sa.select(OutboxMessage)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.gave_up_at.is_(None),
               OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at).limit(limit)).all()
    for message in due:
        # Claim the row so that two workers running the command do not both send it.
        claimed = session.execute(
            sa.update(OutboxMessage)
            .where(OutboxMessage.id == message.id, OutboxMessage.next_attempt_at == message.next_attempt_at,
                   OutboxMessage.sent_at.is_(None))
            .values(next_attempt_at=now + timedelta(minutes=5)))
        session.commit()
        if claimed.rowcount != 1:
            continue
        session.refresh(message)
        if (message.expires_at is not None and message.expires_at <= now) or message.attempts >= MAX_ATTEMPTS:
            message.gave_up_at, message.body = now, ""
            session.commit()
            counts["dropped"] += 1
            continue
        try:
            send(config, Mail(to=message.to_address, subject=message.subject, body=message.body))
        except MailError as exc:
            message.attempts += 1
            message.last_error = str(exc)[:500]
            message.next_attempt_at = now + _backoff(message.attempts)
            counts["failed"] += 1
        else:
            message.sent_at, message.body = now, ""  # keep no copy of what was sent
            counts["sent"] += 1
        session.commit()
    return counts


def read_outbox(outbox: Path) -> list[EmailMessage]:
    """Messages in the outbox, oldest first (for development and tests)."""
    import email
    from email import policy

    files = sorted(Path(outbox).glob("*.eml"), key=lambda p: p.stat().st_mtime_ns)
    return [email.message_from_bytes(p.read_bytes(), policy=policy.default) for p in files]


def _make_cli():
    import click
    from flask import current_app
    from flask.cli import AppGroup

    group = AppGroup("mail", help="Outgoing mail.")

    @group.command("retry")
    def retry():
        """Send queued mail that could not be sent before (run every minute from cron)."""
        from .extensions import db

        counts = retry_queued(db.session, current_app.config)
        click.echo(f"Mail: {counts['sent']} sent, {counts['failed']} still failing, {counts['dropped']} dropped.")

    return group


mail_cli = _make_cli()
