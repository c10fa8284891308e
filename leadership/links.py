"""Absolute links for emails, certificates and credentials: always on ``PUBLIC_BASE_URL``.

Never built from the request (its ``Host`` header is the client's to choose: pen test F6),
and usable outside a request (a CLI command, work done after the response).
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app


def public_base_url() -> str:
    """The configured public address, without a trailing slash (create_app makes sure it is set)."""
    return str(current_app.config["PUBLIC_BASE_URL"]).rstrip("/")


def public_url(endpoint: str, **values) -> str:
    """The absolute URL of ``endpoint`` on the public address, e.g. for a link in an email."""
    base = urlsplit(public_base_url())
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme)
    return adapter.build(endpoint, {k: v for k, v in values.items() if v is not None}, force_external=True)
