"""Background jobs (Huey): the runner, the service's jobs, and ``flask jobs``.

``init_app(app)`` gives the app its own :class:`~leadership.jobs.runner.Jobs` (one Huey
instance per app, built on first use), registers the built-in jobs, the ``jobs`` CLI
group and the hook that enqueues work when a certificate is issued. Features add jobs
with ``app.extensions["jobs"].register(Job(...))`` in their own ``init_app``.
"""
from __future__ import annotations

import logging

from .runner import Context, Job, Jobs  # noqa: F401  (the package's public names)

log = logging.getLogger(__name__)


def _on_certificate_issued(_session, certificate_id: int) -> None:
    """After a certificate is committed: render its PDF and send the email in the background."""
    from flask import current_app, has_app_context

    if has_app_context() and "jobs" in current_app.extensions:
        current_app.extensions["jobs"].enqueue_quietly("certificate-issued", certificate_id=certificate_id)


def init_app(app) -> None:
    from ..certificates.service import certificate_issued
    from .cli import jobs_cli
    from .tasks import register_builtin

    jobs = Jobs(app)
    app.extensions["jobs"] = jobs
    register_builtin(jobs)
    if "jobs" not in app.cli.commands:
        app.cli.add_command(jobs_cli)
    certificate_issued.connect(_on_certificate_issued)  # idempotent: one receiver for every app
