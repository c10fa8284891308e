from flask import Blueprint

bp = Blueprint("quizzes", __name__, url_prefix="/courses")


@bp.record_once
def _account_link(state):
    from flask import url_for
    from flask_babel import gettext as _

    def transcript_link(user):
        return {"href": url_for("quizzes.transcript"), "text": _("Your transcript of modules and scores")}

    state.app.extensions.setdefault("account_links", []).append(transcript_link)


from . import views  # noqa: E402,F401
