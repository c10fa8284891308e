"""Notifications: the send log (exactly-once email), composing in English or Welsh,
one-click unsubscribe, bounce queries, and the certificate emails.

How to add a notification: docs/architecture.md, "How to add a notification".
"""
from flask import Blueprint

bp = Blueprint("notify", __name__)


def init_app(app) -> None:
    from ..extensions import csrf
    from . import views

    app.register_blueprint(bp)
    csrf.exempt(views.unsubscribe)  # RFC 8058 one-click POSTs carry no CSRF token (see views.py)
