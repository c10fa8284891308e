"""Accounts: register, sign in (password or emailed link), reset, profile. Routes only."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from .. import mail
from ..councils.loader import council_choices, resolve_council
from ..extensions import db, limiter
from ..security import is_safe_next, public, signed_in
from . import bp, service
from .forms import (ChangePasswordForm, ConfirmForm, EmailOnlyForm, NewPasswordForm, ProfileForm,
                    RegisterForm, SignInForm)
from .models import User


def _external(endpoint: str, **values) -> str:
    base = current_app.config.get("PUBLIC_BASE_URL")
    if base:
        return base.rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def _send(to: str, subject: str, body: str) -> bool:
    try:
        mail.send(current_app.config, mail.Mail(to=to, subject=subject, body=body))
        return True
    except mail.MailError:
        flash(_("We could not send the email just now. Please try again in a few minutes."), "error")
        return False


def _start_session(user: User) -> None:
    """Sign in with a fresh session (no fixation) and the user's language."""
    next_url = session.get("next")
    session.clear()
    login_user(user)
    if user.locale:
        session["locale"] = user.locale
    service.touch(db.session, user, every_seconds=0)
    return next_url if is_safe_next(next_url) else None


def _token_error_message(reason: str) -> str:
    return {
        "expired": _("This link has expired. Links only work for a short time, so ask for a new one."),
        "used": _("This link has already been used. Each link works once, so ask for a new one."),
    }.get(reason, _("This link is not valid. Check you copied the whole link from the email, or ask for a new one."))


@bp.route("/register", methods=["GET", "POST"])
@public
@limiter.limit("10 per hour", methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("learning.dashboard"))
    form = RegisterForm()
    matches = []
    if form.validate_on_submit():
        council, matches = resolve_council(db.session, form.council.data, form.council_code.data)
        if council is None:
            if matches:
                form.council_code.choices = [(c.code, c.name) for c in matches]
                form.council_code.errors = [_("Choose your council from the list")]
            else:
                form.council.errors = [_("We could not find a council called ‘%(q)s’. Check the spelling, or enter part of the name", q=form.council.data[:100])]
        else:
            try:
                user = service.create_user(db.session, name=form.name.data, email=form.email.data,
                                           password=form.password.data, council=council)
            except service.AccountError as err:
                getattr(form, err.field).errors = [err.message]
            else:
                _start_session(user)
                flash(_("Your account has been created. You can start the course now."), "success")
                return redirect(url_for("learning.dashboard"))
    status = 400 if form.errors or (request.method == "POST" and (form.council.errors or form.council_code.errors or matches)) else 200
    return render_template("auth/register.html", form=form, matches=matches,
                           council_names=council_choices(db.session),
                           matches_items=[{"value": c.code, "text": c.name} for c in matches]), status


@bp.route("/sign-in", methods=["GET", "POST"])
@public
@limiter.limit("10 per minute; 50 per hour", methods=["POST"])
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("learning.dashboard"))
    nxt = request.args.get("next")
    if is_safe_next(nxt):
        session["next"] = nxt
    form = SignInForm()
    if form.validate_on_submit():
        user = service.authenticate(db.session, form.email.data, form.password.data)
        if user is not None:
            target = _start_session(user)
            return redirect(target or url_for("learning.dashboard"))
        form.email.errors = [_("The email address or password is not right")]
    return render_template("auth/sign_in.html", form=form), (400 if form.errors else 200)


@bp.route("/sign-in/email-link", methods=["GET", "POST"])
@public
@limiter.limit("5 per minute; 20 per hour", methods=["POST"])
def request_sign_in_link():
    form = EmailOnlyForm()
    if form.validate_on_submit():
        user = service.find_user_by_email(db.session, form.email.data)
        minutes = current_app.config["SIGN_IN_LINK_MINUTES"]
        if user is not None:
            raw = service.issue_token(db.session, user, service.SIGN_IN, minutes)
            link = _external("auth.sign_in_with_link", token=raw)
            if not _send(user.email, _("Your sign-in link for Leadership Essentials"),
                         render_template("emails/sign_in_link.txt", user=user, link=link, minutes=minutes)):
                return render_template("auth/request_link.html", form=form), 503
        # Same answer whether or not the email is registered.
        return render_template("auth/check_email.html", email=form.email.data, minutes=minutes,
                               purpose="sign_in")
    return render_template("auth/request_link.html", form=form), (400 if form.errors else 200)


@bp.route("/sign-in/link/<token>", methods=["GET", "POST"])
@public
@limiter.limit("20 per minute", methods=["POST"])
def sign_in_with_link(token: str):
    # A GET only shows a button: mail scanners that follow links must not use the token up.
    form = ConfirmForm()
    try:
        service.peek_token(db.session, token, service.SIGN_IN)
        if form.validate_on_submit():
            user = service.consume_token(db.session, token, service.SIGN_IN)
            target = _start_session(user)
            return redirect(target or url_for("learning.dashboard"))
    except service.TokenError as err:
        return render_template("auth/link_problem.html", message=_token_error_message(err.reason),
                               retry_endpoint="auth.request_sign_in_link"), 400 if err.reason == "invalid" else 410
    return render_template("auth/confirm_link.html", form=form)


@bp.route("/forgot-password", methods=["GET", "POST"])
@public
@limiter.limit("5 per minute; 20 per hour", methods=["POST"])
def forgot_password():
    form = EmailOnlyForm()
    if form.validate_on_submit():
        user = service.find_user_by_email(db.session, form.email.data)
        minutes = current_app.config["PASSWORD_RESET_MINUTES"]
        if user is not None:
            raw = service.issue_token(db.session, user, service.RESET_PASSWORD, minutes)
            link = _external("auth.reset_password", token=raw)
            if not _send(user.email, _("Reset your Leadership Essentials password"),
                         render_template("emails/reset_password.txt", user=user, link=link, minutes=minutes)):
                return render_template("auth/forgot_password.html", form=form), 503
        return render_template("auth/check_email.html", email=form.email.data, minutes=minutes,
                               purpose="reset")
    return render_template("auth/forgot_password.html", form=form), (400 if form.errors else 200)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@public
@limiter.limit("20 per minute", methods=["POST"])
def reset_password(token: str):
    form = NewPasswordForm()
    try:
        reset = service.peek_token(db.session, token, service.RESET_PASSWORD)
        if form.validate_on_submit():
            user = db.session.get(User, reset.user_id)
            problem = service.password_problem(form.password.data, email=user.email or "", name=user.name)
            if problem:
                form.password.errors = [problem]
            else:
                user = service.consume_token(db.session, token, service.RESET_PASSWORD)
                service.set_password(db.session, user, form.password.data)
                _start_session(user)
                flash(_("Your password has been changed."), "success")
                return redirect(url_for("learning.dashboard"))
    except service.TokenError as err:
        return render_template("auth/link_problem.html", message=_token_error_message(err.reason),
                               retry_endpoint="auth.forgot_password"), 400 if err.reason == "invalid" else 410
    return render_template("auth/reset_password.html", form=form), (400 if form.errors else 200)


@bp.route("/sign-out", methods=["POST"])
@public
def sign_out():
    logout_user()
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale
    flash(_("You have signed out."), "success")
    return redirect(url_for("main.start"))


@bp.route("/account", methods=["GET", "POST"])
@signed_in
def account():
    form = ProfileForm(obj=current_user) if request.method == "GET" else ProfileForm()
    if form.validate_on_submit():
        email = service.normalise_email(form.email.data)
        other = service.find_user_by_email(db.session, email)
        if other is not None and other.id != current_user.id:
            form.email.errors = [_("An account already uses this email address")]
        else:
            user = db.session.get(User, current_user.id)
            user.name = form.name.data.strip()
            user.email = email
            db.session.commit()
            flash(_("Your details have been saved."), "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/account.html", form=form), (400 if form.errors else 200)


@bp.route("/account/password", methods=["GET", "POST"])
@signed_in
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = db.session.get(User, current_user.id)
        if not user.password_hash or not service.authenticate(db.session, user.email, form.current_password.data):
            form.current_password.errors = [_("Your current password is not right")]
        else:
            try:
                service.set_password(db.session, user, form.password.data)
            except service.AccountError as err:
                form.password.errors = [err.message]
            else:
                _start_session(user)  # rotate: the new session carries the new version
                flash(_("Your password has been changed. You have been signed out on other devices."), "success")
                return redirect(url_for("auth.account"))
    return render_template("auth/change_password.html", form=form), (400 if form.errors else 200)


@bp.route("/account/sign-out-everywhere", methods=["POST"])
@signed_in
def sign_out_everywhere():
    user = db.session.get(User, current_user.id)
    service.sign_out_everywhere(db.session, user)
    logout_user()
    session.clear()
    flash(_("You have been signed out on every device."), "success")
    return redirect(url_for("auth.sign_in"))
