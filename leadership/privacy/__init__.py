"""Privacy (UK GDPR): download your data, delete your account, retention, audit log view."""
from flask import Blueprint

bp = Blueprint("privacy", __name__)


@bp.record_once
def _account_links(state):
    from flask import url_for
    from flask_babel import gettext as _

    def audit_link(user):
        if getattr(user, "role", None) == "lga_admin":
            return {"href": url_for("privacy.audit_log"), "text": _("Audit log of staff actions")}
        return None

    state.app.extensions.setdefault("account_links", []).append(audit_link)


from . import views  # noqa: E402,F401
