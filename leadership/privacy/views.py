"""Routes: download your data, delete your account, the staff audit log (LGA admins)."""
from __future__ import annotations

import json

import sqlalchemy as sa
from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..audit import AuditEvent
from ..auth import service as accounts
from ..auth.models import Role, User
from ..extensions import db, limiter
from ..links import public_url
from ..security import end_session, requires, signed_in
from . import bp, service
from .forms import DeleteAccountForm

AUDIT_PAGE_SIZE = 50


def _verify_url(code: str) -> str:
    return public_url("verify.verify", code=code)


@bp.get("/account/data")
@signed_in
@limiter.limit("10 per hour")
def export():
    user = db.session.get(User, current_user.id)
    data = service.export_data(db.session, user, verify_url=_verify_url)
    body = json.dumps(data, indent=2, ensure_ascii=False)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": 'attachment; filename="leadership-essentials-my-data.json"',
        "Cache-Control": "no-store",
    })


@bp.route("/account/delete", methods=["GET", "POST"])
@requires(Role.LEARNER)
@limiter.limit("5 per minute", methods=["POST"])
def delete_account():
    user = db.session.get(User, current_user.id)
    form = DeleteAccountForm()
    if form.validate_on_submit():
        if user.password_hash and not accounts.authenticate(db.session, user.email, form.password.data):
            form.password.errors = [_("Your password is not right")]
        else:
            service.erase_account(db.session, user)
            end_session()
            flash(_("Your account has been deleted. We have erased your personal details."), "success")
            return redirect(url_for("main.start"))
    return render_template("privacy/delete_account.html", form=form), (400 if form.errors else 200)


@bp.get("/admin/audit-log")
@requires(Role.LGA_ADMIN)
def audit_log():
    page = request.args.get("page", "1")
    page = int(page) if page.isdigit() and 0 < len(page) < 7 else 1
    total = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) or 0
    pages = max(1, -(-total // AUDIT_PAGE_SIZE))
    page = min(page, pages)
    events = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
                                .offset((page - 1) * AUDIT_PAGE_SIZE).limit(AUDIT_PAGE_SIZE)).all()
    return render_template("privacy/audit_log.html", events=events, page=page, pages=pages, total=total)
