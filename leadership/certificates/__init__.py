"""Certificates: issue on completion, PDF, public verification, Open Badges 3.0 credential.

Two blueprints: ``certificates`` (the learner's and staff pages) and ``verify``
(the public, stable URLs: ``/verify/<code>``, ``/verify/<code>/credential``,
``/.well-known/jwks.json``).
"""
from flask import Blueprint

bp = Blueprint("certificates", __name__)
verify_bp = Blueprint("verify", __name__)

from . import views  # noqa: E402,F401
