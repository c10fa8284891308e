"""How authoring plugs into the rest of the app (registered by :func:`leadership.authoring.init_app`).

- the catalogue's overlay and generation: learners see published browser versions,
  and every worker process reloads when anyone publishes;
- a service-navigation item for trainers and LGA admins;
- the "this module was updated" panel on the course page and notice on module pages.

Each is a plain function; ``init_app`` binds the app's database and catalogue with ``partial``
(read when called, as ``create_app`` may rebind the shared database object).
"""
from __future__ import annotations

import logging
from typing import Any

from flask import render_template, request, url_for
from flask_babel import gettext as _  # type: ignore[import-untyped]
from flask_login import current_user  # type: ignore[import-untyped]
from markupsafe import Markup
from sqlalchemy.orm import Session

from ..catalogue import CatalogueService, course_asset_url
from ..content import Catalogue, Course, Module
from ..db import Database
from ..security import can_author
from . import generation as content_generation
from . import overlay
from .db_session import current_session
from .notices import ModuleUpdate, module_updates

log = logging.getLogger(__name__)


def published_overlay(catalogue: Catalogue, *, database: Database, service: CatalogueService) -> Catalogue:
    """The catalogue with published browser versions laid over the files."""
    if service.root is None:  # the catalogue is not set up yet: nothing to lay over
        return catalogue
    try:
        with Session(database.engine) as session:
            return overlay.overlay(session, catalogue, service.root, asset_url=course_asset_url)
    except Exception:  # e.g. before `flask db upgrade`: show the files rather than nothing
        log.exception("could not apply published web versions; showing course files only")
        return catalogue


def current_generation(*, database: Database) -> int:
    with Session(database.engine) as session:
        return content_generation.generation(session)


def author_navigation(user: Any) -> dict[str, Any] | None:
    """The "Author" item of the service navigation, for people who may author."""
    if user.is_authenticated and can_author(user):
        return {"href": url_for("authoring.index"), "text": _("Author"),
                "active": (request.blueprint or "") == "authoring"}
    return None


def _updates(course: Course, module_slug: str | None = None) -> list[ModuleUpdate]:
    if not current_user.is_authenticated:
        return []
    try:
        return module_updates(current_session(), current_user.id, course, module_slug)
    except Exception:  # never break a learner page over a notice
        log.exception("could not work out module update notices")
        return []


def course_updates_panel(course: Course, progress: Any) -> Markup | None:
    """On the course page: the modules the learner should review after a major change."""
    updates = _updates(course)
    if not updates:
        return None
    return Markup(render_template("authoring/_module_updated.html", course=course, updates=updates))


def module_update_notice(course: Course, module: Module) -> Markup | str:
    """On a module's pages: what changed in it since the learner completed it."""
    updates = _updates(course, module.slug)
    if not updates:
        return ""
    return Markup(render_template("authoring/_module_updated.html", course=course, updates=updates,
                                  single=True))


def template_helpers() -> dict[str, Any]:
    return {"module_update_notice": module_update_notice}
