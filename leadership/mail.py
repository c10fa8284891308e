"""Outgoing mail: an outbox folder by default, SMTP or GOV.UK Notify when configured.

The outbox (``instance/outbox``) is how development and tests read the mail the
service sends, one ``.eml`` file per message.

Two ways in:

* :func:`deliver` sends now (sign-in and reset links, while the user waits); when the
  transport fails it keeps the message in the ``outbox_message`` table.
* :func:`queue` only adds the message to that table, inside the caller's transaction
  (notifications: the send-log row and the message commit together).

:func:`retry_queued` (the ``mail-send`` background job, every minute; also ``flask mail
retry``) sends what is waiting, **oldest first**. When the mail server or Notify is
unreachable the oldest message is held with a short back-off and nothing newer overtakes
it, so after an outage everything goes out once, in order. A failure that concerns one
recipient only (SMTP 4xx on RCPT) backs off that message alone. A permanent failure (SMTP
5xx for the recipient or the message, an address Notify refuses) is recorded as a bounce
(``bounced_at``, ``last_error``) and never retried. Messages carrying a short-lived link
are queued with ``expires_at`` so they are dropped, body erased, rather than delivered
uselessly late; any message still unsent ``MAIL_GIVE_UP_HOURS`` after it was queued is
dropped too. Rows claim a five-minute lease before sending, so two workers never send the
same row (with several sweeping at once, a newer message can overtake one in flight); a
worker killed between the server's "250 OK" and the commit sends that one message again
when the lease ends (SMTP offers no way to ask), with the same Message-ID.
"""
from __future__ import annotations

import json
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
    # Extra headers, e.g. (("List-Unsubscribe", "<https://...>"), ("List-Unsubscribe-Post", ...)).
    headers: tuple[tuple[str, str], ...] = ()


class MailError(RuntimeError):
    """The transport did not take the message.

    ``permanent``: it never will (a bounce: SMTP 5xx for this recipient or message, an
    address Notify refuses). Otherwise ``transport`` says whether the service itself is
    unreachable or refusing everything (then newer messages wait behind this one) rather
    than having a problem with this one recipient.
    """

    def __init__(self, message: str, *, permanent: bool = False, transport: bool = True):
        super().__init__(message)
        self.permanent = permanent
        self.transport = transport and not permanent


def _build(mail: Mail, sender: str, message_id: str | None = None) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = mail.to
    msg["Subject"] = mail.subject
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    msg["Message-ID"] = message_id or make_msgid(domain="leadership-essentials")
    for name, value in mail.headers:
        msg[name] = value
    msg.set_content(mail.body)
    return msg


def _smtp_error(exc: Exception) -> MailError:
    """Sort an smtplib failure into bounce / this recipient / the server (see MailError)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in exc.recipients.values()]
        if codes and all(500 <= code < 600 for code in codes):
            return MailError(f"recipient refused: {exc.recipients}", permanent=True)
        return MailError(f"recipient refused for now: {exc.recipients}", transport=False)
    if isinstance(exc, smtplib.SMTPDataError) and 500 <= exc.smtp_code < 600:
        return MailError(f"message refused: {exc.smtp_code} {exc.smtp_error!r}", permanent=True)
    # Sender refused, authentication, 421/4xx, connection refused, time-outs, disconnects:
    # the server (or our configuration), not this recipient.
    return MailError(f"{type(exc).__name__}: {exc}")


def _notify_error(exc: Exception) -> MailError:
    status = getattr(exc, "status_code", None)
    text = str(exc)
    if status == 400 and "email_address" in text:  # "email_address Not a valid email address"
        return MailError(f"Notify refused the address: {text}", permanent=True)
    return MailError(f"Notify: {text}")


def send(config, mail: Mail, *, message_id: str | None = None, reference: str | None = None) -> str | None:
    """Send one message with the configured transport; returns Notify's notification id (or
    None). Raises MailError when it fails."""
    try:
        if config.get("NOTIFY_API_KEY"):
            from notifications_python_client.notifications import NotificationsAPIClient

            client = NotificationsAPIClient(config["NOTIFY_API_KEY"],
                                            base_url=config.get("NOTIFY_BASE_URL")
                                            or "https://api.notifications.service.gov.uk")
            unsubscribe = next((value.strip("<>") for name, value in mail.headers
                                if name == "List-Unsubscribe" and value.startswith("<http")), None)
            try:
                response = client.send_email_notification(
                    email_address=mail.to,
                    template_id=config["NOTIFY_TEMPLATE_ID"],
                    personalisation={"subject": mail.subject, "body": mail.body},
                    reference=reference, one_click_unsubscribe_url=unsubscribe,
                )
            except Exception as exc:
                raise _notify_error(exc) from exc
            return str(response.get("id") or "") or None
        if config.get("MAIL_SMTP_HOST"):
            msg = _build(mail, config["MAIL_FROM"], message_id)
            try:
                with smtplib.SMTP(config["MAIL_SMTP_HOST"], int(config["MAIL_SMTP_PORT"]), timeout=10) as smtp:
                    if config.get("MAIL_SMTP_STARTTLS"):
                        smtp.starttls()
                    if config.get("MAIL_SMTP_USERNAME"):
                        smtp.login(config["MAIL_SMTP_USERNAME"], config["MAIL_SMTP_PASSWORD"])
                    smtp.send_message(msg)
            except (smtplib.SMTPException, OSError) as exc:
                raise _smtp_error(exc) from exc
            return None
        outbox = Path(config["MAIL_OUTBOX_DIR"])
        outbox.mkdir(parents=True, exist_ok=True)
        msg = _build(mail, config["MAIL_FROM"], message_id)
        name = f"{formatdate(usegmt=True)[5:25].replace(' ', '-').replace(':', '')}-{uuid.uuid4().hex[:8]}.eml"
        (outbox / name).write_bytes(bytes(msg))
        return None
    except MailError:
        log.warning("sending mail to a user failed", exc_info=True)
        raise
    except Exception as exc:  # any other transport failure is reported the same way
        log.exception("sending mail to a user failed")
        raise MailError(str(exc)) from exc


class OutboxMessage(Base):
    """A message waiting to be sent (queued, or refused by the transport), or its record."""

    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    to_address: Mapped[str] = mapped_column(sa.String(254), index=True)
    subject: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text)
    headers: Mapped[str] = mapped_column(sa.Text, default="")  # JSON list of [name, value]
    attempts: Mapped[int] = mapped_column(default=1)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    expires_at: Mapped[datetime | None] = mapped_column()
    last_error: Mapped[str] = mapped_column(sa.String(500), default="")
    # The last failure was the server's, not this recipient's: newer messages wait behind it.
    transport_failed: Mapped[bool] = mapped_column(default=False)
    sent_at: Mapped[datetime | None] = mapped_column()
    gave_up_at: Mapped[datetime | None] = mapped_column()
    bounced_at: Mapped[datetime | None] = mapped_column()  # permanent failure; reason in last_error
    provider_ref: Mapped[str] = mapped_column(sa.String(64), default="")  # GOV.UK Notify notification id
    provider_status: Mapped[str] = mapped_column(sa.String(30), default="")  # Notify's delivery status

    @property
    def message_id(self) -> str:
        """Stable per row, so a message sent twice (worker killed after the send) is one to mail clients."""
        return f"<outbox-{self.id}-{int(self.created_at.timestamp())}@leadership-essentials>"

    def mail(self) -> Mail:
        headers = tuple(tuple(pair) for pair in json.loads(self.headers)) if self.headers else ()
        return Mail(to=self.to_address, subject=self.subject, body=self.body, headers=headers)


MAX_ATTEMPTS = 12  # for failures of one recipient; a server outage is bounded by MAIL_GIVE_UP_HOURS
TRANSPORT_RETRY_CAP = timedelta(minutes=5)  # while the server is down, try the oldest message this often
LEASE = timedelta(minutes=5)


def _backoff(attempts: int) -> timedelta:
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def _pending():
    return sa.and_(OutboxMessage.sent_at.is_(None), OutboxMessage.gave_up_at.is_(None),
                   OutboxMessage.bounced_at.is_(None))


def queue(session: Session, mail: Mail, *, now: datetime | None = None,
          expires_at: datetime | None = None) -> OutboxMessage:
    """Add ``mail`` to the queue in the caller's transaction (not committed here). The
    ``mail-send`` job sends it, after every older message."""
    now = now or utcnow()
    message = OutboxMessage(to_address=mail.to, subject=mail.subject, body=mail.body,
                            headers=json.dumps([list(pair) for pair in mail.headers]) if mail.headers else "",
                            attempts=0, next_attempt_at=now, expires_at=expires_at, created_at=now)
    session.add(message)
    session.flush()
    return message


def deliver(session: Session, config, mail: Mail, *, expires_at: datetime | None = None) -> bool:
    """Send now if possible (True); otherwise queue for retry and return False. Never raises MailError."""
    try:
        send(config, mail)
    except MailError as exc:
        now = utcnow()
        session.add(OutboxMessage(to_address=mail.to, subject=mail.subject,
                                  body="" if exc.permanent else mail.body, attempts=1,
                                  next_attempt_at=now + _backoff(1), expires_at=expires_at,
                                  last_error=str(exc)[:500], transport_failed=exc.transport,
                                  bounced_at=now if exc.permanent else None, created_at=now))
        session.commit()
        return False
    try:
        # The transport works: whatever waits behind a server outage may go now, in order.
        session.execute(sa.update(OutboxMessage).where(_pending(), OutboxMessage.transport_failed.is_(True))
                        .values(next_attempt_at=utcnow()))
        session.commit()
        retry_queued(session, config, limit=3)
    except Exception:  # pragma: no cover - opportunistic only; the mail-send job does the real work
        session.rollback()
        log.exception("retrying queued mail failed")
    return True


def retry_queued(session: Session, config, *, now: datetime | None = None, limit: int = 100) -> dict[str, int]:
    """Send due queued messages, oldest first, each once. Returns counts of sent, failed,
    dropped and bounced messages. Stops at the first message the server refuses."""
    now = now or utcnow()
    counts = {"sent": 0, "failed": 0, "dropped": 0, "bounced": 0}
    give_up_before = now - timedelta(hours=int(config.get("MAIL_GIVE_UP_HOURS") or 72))
    waiting = session.scalars(sa.select(OutboxMessage).where(
        _pending(), sa.or_(OutboxMessage.next_attempt_at <= now, OutboxMessage.transport_failed.is_(True)))
        .order_by(OutboxMessage.id).limit(limit)).all()
    for message in waiting:
        if message.next_attempt_at > now:
            if message.transport_failed:
                break  # the server refused an older message: nothing newer goes before it
            continue  # this recipient's own back-off
        held = message.transport_failed
        # Claim the row (a lease) so that two workers do not both send it. The claim clears the
        # hold, so deliver() releasing held mail cannot hand a row in flight to another worker.
        claimed = session.execute(
            sa.update(OutboxMessage)
            .where(OutboxMessage.id == message.id, OutboxMessage.next_attempt_at == message.next_attempt_at,
                   _pending())
            .values(next_attempt_at=now + LEASE, transport_failed=False))
        session.commit()
        if claimed.rowcount != 1:
            continue
        session.refresh(message)
        if ((message.expires_at is not None and message.expires_at <= now) or message.created_at < give_up_before
                or (message.attempts >= MAX_ATTEMPTS and not held)):
            message.gave_up_at, message.body = now, ""
            session.commit()
            counts["dropped"] += 1
            continue
        try:
            ref = send(config, message.mail(), message_id=message.message_id, reference=f"outbox-{message.id}")
        except MailError as exc:
            message.attempts += 1
            message.last_error = str(exc)[:500]
            message.transport_failed = exc.transport
            if exc.permanent:
                message.bounced_at, message.body = now, ""
                counts["bounced"] += 1
            else:
                delay = _backoff(message.attempts)
                message.next_attempt_at = now + (min(delay, TRANSPORT_RETRY_CAP) if exc.transport else delay)
                counts["failed"] += 1
            session.commit()
            if exc.transport:
                break
            continue
        message.sent_at, message.body, message.transport_failed = now, "", False  # keep no copy of what was sent
        message.attempts += 1
        message.provider_ref = ref or ""
        session.commit()
        counts["sent"] += 1
    return counts


NOTIFY_FINAL = {"delivered", "permanent-failure", "temporary-failure", "technical-failure"}


def check_notify_statuses(session: Session, config, *, now: datetime | None = None, limit: int = 200,
                          days: int = 3) -> dict[str, int]:
    """GOV.UK Notify accepts a message first and delivers it later: read the delivery status of
    messages it accepted in the last ``days`` (``GET /v2/notifications/{id}``, the ``status``
    field) and record ``permanent-failure`` (the address does not exist) as a bounce. Commits."""
    counts = {"checked": 0, "bounced": 0}
    if not config.get("NOTIFY_API_KEY"):
        return counts
    from notifications_python_client.notifications import NotificationsAPIClient

    now = now or utcnow()
    client = NotificationsAPIClient(config["NOTIFY_API_KEY"], base_url=config.get("NOTIFY_BASE_URL")
                                    or "https://api.notifications.service.gov.uk")
    rows = session.scalars(sa.select(OutboxMessage).where(
        OutboxMessage.provider_ref != "", OutboxMessage.sent_at >= now - timedelta(days=days),
        OutboxMessage.provider_status.not_in(NOTIFY_FINAL)).order_by(OutboxMessage.id).limit(limit)).all()
    for message in rows:
        try:
            status = str(client.get_notification_by_id(message.provider_ref).get("status") or "")
        except Exception:
            log.warning("could not read the Notify status of outbox message %s", message.id, exc_info=True)
            break  # Notify unreachable: try again at the next run
        counts["checked"] += 1
        message.provider_status = status[:30]
        if status == "permanent-failure":
            message.bounced_at = now
            message.last_error = "Notify: permanent-failure (the provider could not deliver to this address)"
            counts["bounced"] += 1
        session.commit()
    return counts


def purge_old(session: Session, *, now: datetime | None = None, keep_days: int = 30) -> int:
    """Delete the records of messages sent or dropped more than ``keep_days`` ago (bounces are
    kept: they say an address does not work). Commits."""
    cutoff = (now or utcnow()) - timedelta(days=keep_days)
    result = session.execute(sa.delete(OutboxMessage).where(
        sa.or_(OutboxMessage.sent_at < cutoff, OutboxMessage.gave_up_at < cutoff)))
    session.commit()
    return result.rowcount or 0


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
        """Send queued mail now (the mail-send background job does this every minute)."""
        from .extensions import db

        counts = retry_queued(db.session, current_app.config)
        click.echo(f"Mail: {counts['sent']} sent, {counts['failed']} still failing, {counts['dropped']} dropped.")
        if counts["bounced"]:
            click.echo(f"Mail: {counts['bounced']} bounced (the address or message was refused for good).")

    return group


mail_cli = _make_cli()
