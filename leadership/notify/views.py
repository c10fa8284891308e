"""One-click unsubscribe: ``/unsubscribe/<token>`` (no sign-in needed; the token is signed).

GET shows what the link stops and a button (a GET never changes anything: mail scanners
follow links). POST stops it; mail clients POST ``List-Unsubscribe=One-Click`` here
(RFC 8058) with no CSRF token, so this one endpoint is exempt from CSRF: the signed token
names the recipient, and the only change it can make is to that recipient's preference.
"""
from __future__ import annotations

from flask import abort, current_app, render_template, request

from ..extensions import db
from ..security import public
from . import bp, optout


def _token_or_404(token: str) -> tuple[str, str]:
    found = optout.read_token(current_app.config["SECRET_KEY"], token)
    if found is None:
        abort(404)
    return found


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@public
def unsubscribe(token: str):
    recipient, kind = _token_or_404(token)
    what = optout.OPTIONAL_KINDS[kind]
    if request.method == "POST":
        if request.form.get("action") == "resubscribe":
            optout.opt_in(db.session, recipient, kind)
            return render_template("notify/unsubscribe.html", token=token, what=what, stopped=False, changed=True)
        optout.opt_out(db.session, recipient, kind)
        return render_template("notify/unsubscribe.html", token=token, what=what, stopped=True, changed=True)
    stopped = optout.is_opted_out(db.session, recipient, kind)
    return render_template("notify/unsubscribe.html", token=token, what=what, stopped=stopped, changed=False)
