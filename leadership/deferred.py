"""Work done after the response has been sent: the one seam for it.

Pen test F10: the emailed-link and password-reset forms answered in the same words for
registered and unknown addresses, but not in the same time: looking the address up, issuing
a token and writing the mail took a few milliseconds more when the address was registered.
Views now do the same work for every address and hand the rest to :func:`after_response`;
registration does the same, so it cannot reveal who has an account either.

Today the job runs in this process once the WSGI server has sent the response (Werkzeug's
``call_on_close``); issue 16 moves it onto the job queue by changing this function only. A job
is a plain function that takes JSON-ready keyword arguments, looks everything else up itself,
and runs in an application context of its own.
"""
from __future__ import annotations

import logging
from typing import Any, Callable

from flask import after_this_request, current_app

log = logging.getLogger(__name__)


def after_response(job: Callable[..., Any], /, **kwargs: Any) -> None:
    """Run ``job(**kwargs)`` after the current response has been sent to the client."""
    app = current_app._get_current_object()

    @after_this_request
    def _attach(response):
        response.call_on_close(lambda: run_job(app, job, kwargs))
        return response


def run_job(app, job: Callable[..., Any], kwargs: dict[str, Any]) -> None:
    """Run one job in a fresh application context; a failure is logged, never raised (the
    client has its answer already)."""
    with app.app_context():
        from .extensions import db

        try:
            job(**kwargs)
        except Exception:  # noqa: BLE001 - logged with its traceback
            db.session.rollback()
            log.exception("deferred job %s failed", getattr(job, "__name__", job))
        finally:
            db.session.remove()
