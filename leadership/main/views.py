"""Start page, health check, static information pages and the language switch."""
from __future__ import annotations

import sqlalchemy as sa
from flask import jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user

from ..auth.models import User
from ..catalogue import catalogue_service
from ..content import LANGUAGES
from ..extensions import db
from ..security import public, safe_redirect_target
from . import bp


@bp.get("/")
@public
def start():
    from flask_babel import get_locale

    catalogue = catalogue_service.get()
    courses = catalogue.courses_for(str(get_locale()))
    return render_template("main/start.html", courses=courses)


@bp.get("/healthz")
@public
def healthz():
    try:
        db.session.execute(sa.text("SELECT 1"))
    except Exception:
        db.session.rollback()
        return jsonify({"status": "unavailable", "database": "down"}), 503
    return jsonify({"status": "ok"})


@bp.get("/accessibility")
@public
def accessibility():
    return render_template("main/accessibility.html")


@bp.get("/privacy")
@public
def privacy():
    return render_template("main/privacy.html")


@bp.get("/cookies")
@public
def cookies():
    return render_template("main/cookies.html")


@bp.get("/language/<code>")
@public
def set_language(code: str):
    """Switch language and return to the same page (works without JavaScript)."""
    target = safe_redirect_target(request.args.get("next")) or url_for("main.start")
    if code in LANGUAGES:
        session["locale"] = code
        if current_user.is_authenticated:
            db.session.execute(sa.update(User).where(User.id == current_user.id).values(locale=code))
            db.session.commit()
    return redirect(target)
