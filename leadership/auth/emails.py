"""Account emails: the emailed links and registration (jobs run after the response, see
``leadership/deferred.py``) and the security notices sent when an account changes.

The jobs take plain values and look everything up themselves, so a request for a registered
address and one for an unknown address do the same work while the client waits (pen test
F10). Links are always built on PUBLIC_BASE_URL (``links.public_url``).
"""
from __future__ import annotations

from datetime import timedelta

from flask import current_app, render_template
from flask_babel import force_locale, gettext as _

from .. import mail
from ..db import utcnow
from ..extensions import db
from ..links import public_url
from . import service
from .models import User

# purpose: (endpoint of the link, template, minutes setting)
LINKS = {
    service.SIGN_IN: ("auth.sign_in_with_link", "emails/sign_in_link.txt", "SIGN_IN_LINK_MINUTES"),
    service.RESET_PASSWORD: ("auth.reset_password", "emails/reset_password.txt", "PASSWORD_RESET_MINUTES"),
}


def _subject(purpose: str) -> str:
    return {service.SIGN_IN: _("Your sign-in link for Leadership Essentials"),
            service.RESET_PASSWORD: _("Reset your Leadership Essentials password")}[purpose]


def deliver(to: str, subject: str, body: str, minutes: int | None = None) -> bool:
    """Send now, or queue for retry (``flask mail retry``); True when sent."""
    expires = utcnow() + timedelta(minutes=minutes) if minutes else None
    return mail.deliver(db.session, current_app.config, mail.Mail(to=to, subject=subject, body=body),
                        expires_at=expires)


# --------------------------------------------------------------------------- jobs (after the response)

def send_link(purpose: str, email: str, locale: str) -> None:
    """Job: email a single-use sign-in or reset link if ``email`` has an account; else nothing."""
    endpoint, template, setting = LINKS[purpose]
    minutes = int(current_app.config[setting])
    with force_locale(locale):
        user = service.find_user_by_email(db.session, email)
        if user is None:
            return
        raw = service.issue_token(db.session, user, purpose, minutes)
        body = render_template(template, user=user, link=public_url(endpoint, token=raw), minutes=minutes)
        deliver(user.email, _subject(purpose), body, minutes)


def process_registration(name: str, email: str, council_id: int, password_hash: str, locale: str) -> None:
    """Job: a new address gets a link that confirms it and creates the account; an address that
    has an account gets a note saying so, with the ways in. The person registering sees the
    same page either way."""
    hours = int(current_app.config["EMAIL_CONFIRMATION_HOURS"])
    with force_locale(locale):
        raw = service.begin_registration(db.session, name=name, email=email, council_id=council_id,
                                         password_hash=password_hash, locale=locale, hours=hours)
        if raw is None:
            user = service.find_user_by_email(db.session, email)
            body = render_template("emails/already_registered.txt", name=user.name if user else name,
                                   sign_in=public_url("auth.sign_in"), reset=public_url("auth.forgot_password"))
            deliver(email, _("You already have a Leadership Essentials account"), body)
        else:
            body = render_template("emails/confirm_registration.txt", name=name,
                                   link=public_url("auth.confirm_registration", token=raw), hours=hours)
            deliver(email, _("Confirm your email address for Leadership Essentials"), body, hours * 60)


# --------------------------------------------------------------------------- in the request

def send_email_change_link(user: User, new_email: str) -> bool:
    """The link that applies an email change, sent to the new address."""
    hours = int(current_app.config["EMAIL_CONFIRMATION_HOURS"])
    raw = service.request_email_change(db.session, user, new_email, hours * 60)
    body = render_template("emails/confirm_email_change.txt", user=user, new_email=new_email,
                           link=public_url("auth.confirm_email_change", token=raw), hours=hours)
    return deliver(new_email, _("Confirm your new email address for Leadership Essentials"), body, hours * 60)


NOTICES = {
    # kind: ("this wasn't me" purpose)
    "email": service.NOT_ME_EMAIL,
    "password": service.NOT_ME_PASSWORD,
    "password_reset": service.NOT_ME_PASSWORD,
    "mfa_on": service.NOT_ME_MFA,
    "mfa_replaced": service.NOT_ME_MFA,
    "mfa_off": service.NOT_ME_PASSWORD,
}


def _notice_text(kind: str, new_email: str | None) -> tuple[str, str]:
    return {
        "email": (_("Someone asked to change the email address of your Leadership Essentials account"),
                  _("Someone signed in to your account asked to change its email address to %(new)s. The change "
                    "only happens if the link we sent to that address is used.", new=new_email or "")),
        "password": (_("Your Leadership Essentials password was changed"),
                     _("The password of your account was changed, and every other device was signed out.")),
        "password_reset": (_("Your Leadership Essentials password was reset"),
                           _("The password of your account was reset with a link sent to this address.")),
        "mfa_on": (_("Two-step verification was turned on for your Leadership Essentials account"),
                   _("An authenticator app was set up for your account. From now on, signing in needs a code "
                     "from it.")),
        "mfa_replaced": (_("The authenticator app for your Leadership Essentials account was changed"),
                         _("A new authenticator app was set up for your account. Codes from the old one no longer "
                           "work, and the old recovery codes were replaced.")),
        "mfa_off": (_("Two-step verification was turned off for your Leadership Essentials account"),
                    _("Two-step verification was turned off for your account: signing in now needs only your "
                      "password.")),
    }[kind]


def send_notice(user: User, kind: str, *, to: str | None = None, new_email: str | None = None) -> bool:
    """Tell the account's address (the old one, for an email change) what changed, with a
    single-use "This wasn't me" link that signs the account out everywhere and leads to a new
    password (pen test F5)."""
    address = to or user.email
    if not address:
        return False
    days = int(current_app.config["ACCOUNT_NOTICE_LINK_DAYS"])
    raw = service.issue_token(db.session, user, NOTICES[kind], days * 24 * 60,
                              email=address if kind == "email" else None)
    subject, what = _notice_text(kind, new_email)
    body = render_template("emails/account_notice.txt", user=user, what=what, days=days,
                           link=public_url("auth.not_me", token=raw))
    return deliver(address, subject, body)
