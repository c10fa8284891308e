"""Completion reporting for the LGA and councils: dashboards, drill-downs, exports, API tokens."""
from flask import Blueprint, url_for

bp = Blueprint("reporting", __name__, url_prefix="/reports")


def _nav_item(user):
    from flask import request
    from flask_babel import gettext as _

    from ..security import can_view_reports

    if not can_view_reports(user):
        return None
    return {"href": url_for("reporting.dashboard"), "text": _("Reports"), "active": request.blueprint == "reporting"}


@bp.record_once
def _register(state):
    state.app.extensions["navigation"].append(_nav_item)


from . import views  # noqa: E402,F401
