"""Who may use what: role predicates (plain functions) and the decorators views wear.

Every view function carries an ``access`` tag, set by exactly one of
``@public`` or ``@requires(...)``; a test walks ``app.view_functions`` and fails
if any endpoint has none, so a new route cannot forget its rule.
"""
from __future__ import annotations

import time
import urllib.parse
from functools import wraps

from flask import abort, flash, redirect, request, session, url_for
from flask_login import current_user, logout_user

from typing import TYPE_CHECKING

from .roles import Role

if TYPE_CHECKING:  # pragma: no cover
    from .auth.models import User

ALL_ROLES = tuple(Role)
STAFF_ROLES = (Role.TRAINER, Role.COUNCIL_ADMIN, Role.LGA_ADMIN)
AUTHOR_ROLES = (Role.TRAINER, Role.LGA_ADMIN)
REPORT_ROLES = (Role.COUNCIL_ADMIN, Role.LGA_ADMIN)


def public(view):
    """Anyone, signed in or not."""
    view.access = "public"
    return view


def requires(*roles: Role):
    """Signed-in users whose role is one of ``roles`` (all roles when none given)."""
    allowed = frozenset(roles or ALL_ROLES)

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            from .extensions import login_manager

            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.needs_mfa and not session.get("mfa"):
                # Staff (and learners who turned it on) are only fully signed in after the
                # second factor, however the session was made.
                from .auth.views import require_second_factor

                return require_second_factor()
            if current_user.role_enum not in allowed:
                abort(403)
            return view(*args, **kwargs)

        wrapped.access = allowed
        return wrapped

    return decorator


signed_in = requires()


def end_session() -> None:
    """Sign out: delete this browser's server-side session (so a copy of the cookie is worthless),
    and clear the cookie's contents, keeping only the chosen language. Other devices stay signed in."""
    from .auth import sessions
    from .extensions import db

    sessions.close(db.session, session.get("_user_id"))
    logout_user()
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale


# Leading/trailing characters a browser strips from a URL (C0 controls and space), and the
# characters it removes anywhere (TAB, LF, CR): WHATWG URL Standard, "basic URL parser".
_C0_OR_SPACE = "".join(chr(c) for c in range(0x21))
_TAB_OR_NEWLINE = {0x09: None, 0x0A: None, 0x0D: None}


def safe_redirect_target(target: str | None) -> str | None:
    """The same-site path to send the browser to after an action, or None if ``target`` is not one.

    Every redirect to a user-supplied URL (``next=`` after sign-in, the language switch, the
    page a timed-out or second-factor sign-in returns to) goes through here. The target is
    first normalised the way browsers and Werkzeug do it (surrounding C0 controls and spaces
    stripped, TAB/CR/LF removed anywhere, ``\\`` read as ``/``), and only then checked: it must
    be a path on this site (``/...``, never ``//host``, never a scheme such as ``javascript:``),
    both as written and as Werkzeug will encode it into the ``Location`` header. The
    normalised form is returned, so what is redirected to is exactly what was checked.
    """
    if not target or len(target) > 2000:
        return None
    cleaned = target.strip(_C0_OR_SPACE).translate(_TAB_OR_NEWLINE).replace("\\", "/")
    if not cleaned.startswith("/") or cleaned.startswith("//"):
        return None
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in cleaned):
        return None
    from werkzeug.urls import iri_to_uri

    for candidate in (cleaned, iri_to_uri(cleaned)):
        parts = urllib.parse.urlsplit(candidate)
        if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("//"):
            return None
    return cleaned


# Predicates, usable without a request ---------------------------------------------------

def can_author(user: User) -> bool:
    return user.role_enum in AUTHOR_ROLES


def can_view_reports(user: User) -> bool:
    return user.role_enum in REPORT_ROLES


def can_view_council(user: User, council_id: int) -> bool:
    if user.role_enum is Role.LGA_ADMIN:
        return True
    return user.role_enum is Role.COUNCIL_ADMIN and user.council_id == council_id


def report_scope(user: User) -> int | None:
    """The council a reporting user is limited to, or None for the whole programme."""
    if user.role_enum is Role.LGA_ADMIN:
        return None
    if user.role_enum is Role.COUNCIL_ADMIN:
        return user.council_id
    abort(403)


def wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


# Request guards -------------------------------------------------------------------------

def _bad_bytes(raw: bytes) -> bool:
    """True when a url-encoded string decodes to invalid UTF-8 or contains a NUL byte."""
    for part in raw.split(b"&"):
        for piece in part.split(b"=", 1):
            data = urllib.parse.unquote_to_bytes(piece.replace(b"+", b" "))
            if b"\x00" in data:
                return True
            try:
                data.decode("utf-8")
            except UnicodeDecodeError:
                return True
    return False


def reject_malformed_input():
    """400 for NUL bytes or invalid UTF-8 in the query string or form fields.

    WTForms and Werkzeug would otherwise replace bad bytes with U+FFFD (or keep the
    NUL), and the result could reach the database, PDFs and CSV exports.
    """
    if _bad_bytes(request.query_string):
        abort(400, description="The address contains characters that are not allowed.")
    if request.method in ("POST", "PUT", "PATCH"):
        mimetype = request.mimetype
        if mimetype == "application/x-www-form-urlencoded":
            if _bad_bytes(request.get_data(cache=True)):
                abort(400, description="The form contains characters that are not allowed.")
        elif mimetype == "multipart/form-data":
            for values in request.form.listvalues():
                if any("\x00" in v or "\ufffd" in v for v in values):
                    abort(400, description="The form contains characters that are not allowed.")


class MalformedText(ValueError):
    """An uploaded text file that breaks the input rule; ``kind`` is "nul" or "encoding"."""

    def __init__(self, kind: str):
        super().__init__(kind)
        self.kind = kind


def decode_text_upload(raw: bytes) -> str:
    """The text of an uploaded file, under the same rule as every form field (pen test F8).

    ``reject_malformed_input`` checks the query string and form fields before anything parses
    them, but an uploaded file's contents are only read by the view. Every view that reads an
    uploaded *text* file must decode it here: UTF-8 (a byte-order mark is allowed and dropped),
    and no NUL character, which PostgreSQL cannot store in text and which would otherwise reach
    drafts, pages and exports. Raises :class:`MalformedText`.
    """
    if b"\x00" in raw:
        raise MalformedText("nul")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise MalformedText("encoding") from None
    if "\x00" in text:  # pragma: no cover - a NUL byte is the only UTF-8 encoding of U+0000
        raise MalformedText("nul")
    return text


def enforce_session_timeouts():
    """Idle and absolute time-outs (ASVS 3.3.1/3.3.2): staff sessions end after
    SESSION_IDLE_MINUTES without a request and SESSION_ABSOLUTE_HOURS after sign-in; learner
    sessions after LEARNER_SESSION_DAYS. Both the server-side session (``auth.sessions``) and
    the signed cookie carry the times; either one ending the session ends it."""
    from flask import current_app, g

    from .auth import sessions
    from .db import utcnow
    from .extensions import db

    if request.endpoint in ("static", "main.healthz"):
        return None
    signed_in = current_user.is_authenticated  # loads the user (and notes an expired session) first
    ended = getattr(g, "session_ended", None)
    if not signed_in and not ended:
        return None
    now = int(time.time())
    idle = int(current_app.config["SESSION_IDLE_MINUTES"]) * 60
    absolute = int(current_app.config["SESSION_ABSOLUTE_HOURS"]) * 3600
    reason = "absolute" if ended else None
    row = getattr(g, "user_session", None)
    if reason is None and current_user.role_enum.is_staff:
        auth_at, seen_at = session.get("auth_at"), session.get("seen_at")
        server_age = (utcnow() - row.created_at).total_seconds() if row is not None else 0
        server_idle = (utcnow() - row.last_seen_at).total_seconds() if row is not None else 0
        if auth_at is None or now - int(auth_at) > absolute or server_age > absolute:
            reason = "absolute"
        elif (seen_at is not None and now - int(seen_at) > idle) or server_idle > idle:
            reason = "idle"
    if reason:
        from flask_babel import gettext as _

        staff = ended == "staff" if ended else current_user.role_enum.is_staff
        end_session()
        back = safe_redirect_target(request.full_path.rstrip("?")) if request.method == "GET" else None
        if back:
            session["next"] = back
        if reason == "idle":
            flash(_("You have been signed out because you were inactive for %(n)d minutes. Sign in again "
                    "to continue.", n=idle // 60), "info")
        elif staff:
            flash(_("You have been signed out because you signed in more than %(n)d hours ago. Sign in "
                    "again to continue.", n=absolute // 3600), "info")
        else:
            flash(_("You have been signed out because you signed in more than %(n)d days ago. Sign in "
                    "again to continue.", n=int(current_app.config["LEARNER_SESSION_DAYS"])), "info")
        return redirect(url_for("auth.sign_in"))
    seen_at = session.get("seen_at")
    if seen_at is None or now - int(seen_at) >= 60:  # at most one cookie update a minute
        session["seen_at"] = now
    if row is not None:
        sessions.touch(db.session, row)
    return None


def _limits_off_for_this_app() -> bool:
    """Flask-Limiter keeps ``enabled`` on the (process-wide) extension object; honour each
    app's own RATELIMIT_ENABLED so that several apps in one process (tests, CLI) do not leak it."""
    from flask import current_app

    return not current_app.config.get("RATELIMIT_ENABLED", True)


def init_app(app) -> None:
    from .extensions import limiter

    if _limits_off_for_this_app not in limiter._request_filters:
        limiter.request_filter(_limits_off_for_this_app)
    app.config.setdefault("SESSION_IDLE_MINUTES", 30)
    app.config.setdefault("SESSION_ABSOLUTE_HOURS", 12)
    app.config.setdefault("LEARNER_SESSION_DAYS", 30)
    # First of all hooks: it must read the raw body before anything (CSRF) parses the form.
    app.before_request_funcs.setdefault(None, []).insert(0, reject_malformed_input)
    app.before_request(enforce_session_timeouts)
    hops = int(app.config.get("PROXY_FIX_HOPS") or 0)
    if hops:  # behind a TLS-terminating reverse proxy: trust its X-Forwarded-For/-Proto
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
