"""Trainer authoring: edit, preview and publish course content in the browser, with versions.

``bp`` (``/author``) is for trainers and LGA admins only; ``uploads_bp`` serves
uploaded images to everyone (they appear on learner pages).
"""
from __future__ import annotations

import logging

from flask import Blueprint

log = logging.getLogger(__name__)

bp = Blueprint("authoring", __name__, url_prefix="/author")
uploads_bp = Blueprint("uploads", __name__, url_prefix="/uploads")


def init_app(app) -> None:
    """Register the blueprints and hook published versions into the app's catalogue."""
    from markupsafe import Markup
    from sqlalchemy.orm import Session

    from . import views  # noqa: F401  (routes)
    from . import generation as content_generation
    from . import overlay as published_overlay

    app.register_blueprint(bp)
    app.register_blueprint(uploads_bp)
    catalogue = app.extensions["catalogue"]
    database = app.extensions["database"]

    def overlay(cat):
        from ..catalogue import course_asset_url

        try:
            with Session(database.engine) as session:
                return published_overlay.overlay(session, cat, catalogue.root, asset_url=course_asset_url)
        except Exception:  # e.g. before `flask db upgrade`: show the files rather than nothing
            log.exception("could not apply published web versions; showing course files only")
            return cat

    def generation():
        with Session(database.engine) as session:
            return content_generation.generation(session)

    catalogue.overlays.append(overlay)
    catalogue.generation = generation

    def nav(user):
        from flask import request
        from flask_babel import gettext as _

        from ..security import can_author

        if user.is_authenticated and can_author(user):
            from flask import url_for

            return {"href": url_for("authoring.index"), "text": _("Author"),
                    "active": (request.blueprint or "") == "authoring"}
        return None

    app.extensions["navigation"].append(nav)

    def _updates(course, module_slug=None):
        from flask_login import current_user

        from ..extensions import db
        from .notices import module_updates

        if not current_user.is_authenticated:
            return []
        try:
            return module_updates(db.session, current_user.id, course, module_slug)
        except Exception:  # never break a learner page over a notice
            log.exception("could not work out module update notices")
            return []

    def course_panel(course, progress):
        from flask import render_template

        updates = _updates(course)
        if not updates:
            return None
        return Markup(render_template("authoring/_module_updated.html", course=course, updates=updates))

    app.extensions["course_panels"].append(course_panel)

    @app.context_processor
    def _module_notice():
        def module_update_notice(course, module):
            from flask import render_template

            updates = _updates(course, module.slug)
            if not updates:
                return ""
            return Markup(render_template("authoring/_module_updated.html", course=course, updates=updates,
                                          single=True))

        return {"module_update_notice": module_update_notice}
