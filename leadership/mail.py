"""Outgoing mail: an outbox folder by default, SMTP or GOV.UK Notify when configured.

The outbox (``instance/outbox``) is how development and tests read the mail the
service sends, one ``.eml`` file per message.
"""
from __future__ import annotations

import logging
import smtplib
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

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


def read_outbox(outbox: Path) -> list[EmailMessage]:
    """Messages in the outbox, oldest first (for development and tests)."""
    import email
    from email import policy

    files = sorted(Path(outbox).glob("*.eml"), key=lambda p: p.stat().st_mtime_ns)
    return [email.message_from_bytes(p.read_bytes(), policy=policy.default) for p in files]
