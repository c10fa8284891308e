"""Read-only JSON API v1 for the LGA's CRM and councils' systems (bearer tokens)."""
from flask import Blueprint, current_app

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def _rate_limit() -> str:
    return current_app.config.get("API_RATE_LIMIT", "300/minute")


@bp.record_once
def _register(state):
    from ..extensions import csrf, limiter
    from .views import rate_limit_key

    csrf.exempt(bp)
    limiter.limit(_rate_limit, key_func=rate_limit_key)(bp)


@bp.after_request
def _www_authenticate(response):
    # The app's problem+json error handler builds a fresh response; restore the challenge.
    if response.status_code == 401:
        response.headers.setdefault("WWW-Authenticate", 'Bearer realm="api"')
    return response


from . import views  # noqa: E402,F401
