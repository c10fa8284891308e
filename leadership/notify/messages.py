"""Composing a notification in the recipient's language.

Bodies are plain-text Jinja templates under ``templates/emails/`` whose strings go
through Flask-Babel, rendered with the recipient's locale forced (``en`` or ``cy``), so a
Welsh-speaking councillor gets the whole email in Welsh. Needs an app context (the
templates and the catalogue); background jobs run in one.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Callable
from zoneinfo import ZoneInfo

from babel.dates import format_date
from flask import render_template
from flask_babel import force_locale

from ..mail import Mail
from . import optout

LONDON = ZoneInfo("Europe/London")
LANGUAGES = ("en", "cy")


def language_of(user) -> str:
    """The recipient's language: their chosen interface language, else English."""
    return user.locale if getattr(user, "locale", None) in LANGUAGES else "en"


def london_date(when: datetime) -> date:
    """The calendar date in London of a stored (naive UTC) time."""
    return when.replace(tzinfo=timezone.utc).astimezone(LONDON).date()


def long_date(when: datetime, language: str) -> str:
    """A stored (naive UTC) time as a date in London, e.g. '3 March 2027' / '3 Mawrth 2027'."""
    return format_date(london_date(when), "d MMMM y", locale="cy" if language == "cy" else "en_GB")


@dataclass(frozen=True)
class Links:
    """Absolute links for emails. ``build(endpoint, **values)`` makes a public URL (the jobs
    runner binds it to PUBLIC_BASE_URL); ``secret`` signs unsubscribe tokens."""

    build: Callable[..., str]
    secret: str

    def verify(self, code: str) -> str:
        return self.build("verify.verify", code=code)

    def certificate_pdf(self, code: str) -> str:
        return self.build("certificates.pdf", code=code)

    def certificates(self) -> str:
        return self.build("certificates.mine")

    def course(self, slug: str) -> str:
        return self.build("learning.course", course_slug=slug)

    def unsubscribe(self, recipient: str, kind: str) -> str:
        return self.build("notify.unsubscribe", token=optout.make_token(self.secret, recipient, kind))


def compose(*, to: str, language: str, subject, template: str, unsubscribe_url: str | None = None,
            **context) -> Mail:
    """One email in ``language``: ``subject`` is a lazy string (``_l``), evaluated in that
    language; an ``unsubscribe_url`` adds the body's footer link and the RFC 8058 headers."""
    with force_locale(language):
        subject_text = str(subject)
        body = render_template(template, unsubscribe_url=unsubscribe_url, language=language, **context)
    headers: tuple[tuple[str, str], ...] = ()
    if unsubscribe_url:
        headers = (("List-Unsubscribe", f"<{unsubscribe_url}>"),
                   ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
    return Mail(to=to, subject=subject_text, body=body.strip() + "\n", headers=headers)
