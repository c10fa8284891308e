"""A signed "known device" cookie: this browser has fully signed in to these accounts before.

Pen test F9: the per-account sign-in limit (20 an hour, whatever the address) let anyone lock
a user out by sending 20 wrong passwords. The limit stays for unknown devices; a browser that
has signed in to the account before is counted separately (its own limit), so strangers'
attempts cannot lock the real user out. The emailed sign-in link has its own limits and always
works too. The cookie holds, per account, an HMAC of the email under the app's secret (never
the address or the account id), is signed and dated, and is only sent to ``/sign-in``.
"""
from __future__ import annotations

import hashlib
import hmac

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE = "le_known_device"
PATH = "/sign-in"
MAX_ACCOUNTS = 5  # a shared computer remembers the last few accounts, no more


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="known-device")


def _max_age() -> int:
    return int(current_app.config["KNOWN_DEVICE_DAYS"]) * 86400


def marker(email: str) -> str:
    """The per-account mark kept in the cookie (an HMAC: the cookie never shows the address)."""
    from .service import normalise_email

    key = current_app.secret_key.encode() if isinstance(current_app.secret_key, str) else current_app.secret_key
    return hmac.new(key, b"known-device:" + normalise_email(email).encode(), hashlib.sha256).hexdigest()[:32]


def known_markers() -> list[str]:
    raw = request.cookies.get(COOKIE)
    if not raw:
        return []
    try:
        value = _serializer().loads(raw, max_age=_max_age())
    except BadSignature:  # forged, altered or expired
        return []
    return [m for m in value if isinstance(m, str)][:MAX_ACCOUNTS] if isinstance(value, list) else []


def is_known(email: str) -> bool:
    """Has this browser fully signed in to the account with ``email`` before?"""
    return bool(email) and marker(email) in known_markers()


def remember(response, email: str) -> None:
    """Mark this browser as known for the account (after a complete sign-in)."""
    mine = marker(email)
    markers = [mine] + [m for m in known_markers() if m != mine]
    response.set_cookie(COOKIE, _serializer().dumps(markers[:MAX_ACCOUNTS]), max_age=_max_age(), path=PATH,
                        httponly=True, samesite="Lax", secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")))
