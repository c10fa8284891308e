"""Trainer authoring: edit, preview and publish course content in the browser, with versions.

``bp`` (``/author``) is for trainers and LGA admins only; ``uploads_bp`` serves
uploaded images to everyone (they appear on learner pages).  :func:`init_app` is
the one way this package joins the app.
"""
from __future__ import annotations

from functools import partial
from typing import Any

from flask import Blueprint

bp = Blueprint("authoring", __name__, url_prefix="/author")
uploads_bp = Blueprint("uploads", __name__, url_prefix="/uploads")


def init_app(app: Any) -> None:
    """Register the blueprints, the ``flask course export/import`` commands and the hooks."""
    from . import hooks, views  # noqa: F401  (views: the routes)
    from .cli import COURSE_COMMANDS
    from .dashboard import AuthoringCache

    app.register_blueprint(bp)
    app.register_blueprint(uploads_bp)
    app.extensions["authoring"] = AuthoringCache()
    app.extensions.setdefault("course_commands", []).extend(COURSE_COMMANDS)

    catalogue, database = app.extensions["catalogue"], app.extensions["database"]
    catalogue.overlays.append(partial(hooks.published_overlay, database=database, service=catalogue))
    catalogue.generation = partial(hooks.current_generation, database=database)
    app.extensions["navigation"].append(hooks.author_navigation)
    app.extensions["course_panels"].append(hooks.course_updates_panel)
    app.context_processor(hooks.template_helpers)
