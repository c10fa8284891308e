"""Accounts: register, sign in (password or emailed link, then a second factor when
needed), reset, profile, two-step verification. Routes only."""
from __future__ import annotations

import time

from flask import (abort, after_this_request, current_app, flash, redirect, render_template, request, session,
                   url_for)
from flask_babel import get_locale, gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user, logout_user

from ..councils.loader import council_choices, resolve_council
from ..deferred import after_response
from ..extensions import db, limiter
from ..security import end_session, public, requires, safe_redirect_target, signed_in
from . import bp, devices, emails, mfa, service, sessions
from .forms import (ChangePasswordForm, ConfirmForm, EmailOnlyForm, NewPasswordForm, NewRecoveryCodesForm,
                    PasswordConfirmForm, ProfileForm, RegisterForm, SetUpTwoFactorForm, SignInForm,
                    TwoFactorForm)
from .models import Role, User

# How long a password-verified sign-in may wait for its second factor.
PENDING_SECONDS = 10 * 60


def _account_key() -> str:
    """Rate-limit key for per-account throttling: the email being tried (whatever the IP)."""
    email = service.normalise_email(request.form.get("email", ""))[:254]
    return f"account:{email}" if email else f"ip:{get_remote_address()}"


def _typed_email() -> str:
    return service.normalise_email(request.form.get("email", ""))[:254]


def _known_device() -> bool:
    """This browser has signed in to the account being tried before (devices.py, pen test F9)."""
    return devices.is_known(_typed_email())


def _failed(response) -> bool:
    """A sign-in attempt that did not get through (a successful one redirects)."""
    return response.status_code != 302


def _known_device_key() -> str:
    return f"known-device:{_typed_email()}"


def _pending_key() -> str:
    pending = session.get("mfa_pending") or {}
    return f"mfa:{pending.get('uid')}" if pending.get("uid") else f"ip:{get_remote_address()}"


def _sent(ok: bool) -> None:
    """Tell a signed-in user when an email sent in the request had to be queued."""
    if not ok:
        flash(_("We could not send the email just now. We will keep trying, so it may arrive a little late. "
                "If it has not arrived in %(n)d minutes, ask for a new one.", n=15), "warning")


def _audit(user: User, action: str) -> None:
    """An account event in the audit log, labelled without the address (it outlives erasure)."""
    from .. import audit

    audit.record(db.session, actor=user, action=action, target=f"user:{user.id}", actor_label="account holder")
    db.session.commit()


def _email_proved(user: User) -> None:
    """The user has just used a link sent to their address: record it, and issue any
    certificate held back until the address was confirmed."""
    if service.mark_email_verified(db.session, user):
        from ..catalogue import catalogue_service
        from ..quizzes.completion import update_completion

        for course in catalogue_service.get().courses_for("en"):
            update_completion(db.session, user.id, course)


def _start_session(user: User, *, mfa_done: bool = False) -> str | None:
    """Sign in with a fresh session (no fixation) and the user's language.

    ``mfa_done`` records that this session passed the second factor; staff sessions
    without it are refused by ``@requires``. Sign-in and last-seen times drive the
    idle and absolute time-outs (``leadership.security``).
    """
    next_url = session.get("next")
    pending = session.get("mfa_pending") or {}
    next_url = next_url or pending.get("next")
    sessions.close(db.session, session.get("_user_id"))  # a session being replaced ends on the server too
    session.clear()
    sessions.open_session(db.session, user, sessions.lifetime_for(
        user, learner_days=int(current_app.config["LEARNER_SESSION_DAYS"]),
        staff_hours=int(current_app.config["SESSION_ABSOLUTE_HOURS"])))
    login_user(user)
    now = int(time.time())
    session["auth_at"] = now
    session["seen_at"] = now
    session["mfa"] = bool(mfa_done)
    if user.locale:
        session["locale"] = user.locale
    service.touch(db.session, user, every_seconds=0)
    if user.email:
        email = user.email

        @after_this_request
        def _remember_device(response):  # this browser now has its own sign-in limit (devices.py)
            devices.remember(response, email)
            return response
    return safe_redirect_target(next_url)


def begin_sign_in(user: User):
    """First factor passed (password, emailed link or reset): finish, or ask for the second factor."""
    if not user.needs_mfa:
        target = _start_session(user)
        return redirect(target or url_for("learning.dashboard"))
    next_url = session.get("next")
    locale = session.get("locale")
    sessions.close(db.session, session.get("_user_id"))
    session.clear()  # nothing from before the password survives, and nobody is signed in yet
    if locale:
        session["locale"] = locale
    session["mfa_pending"] = {"uid": user.id, "ver": user.session_version, "at": int(time.time()),
                              "next": safe_redirect_target(next_url)}
    return redirect(url_for("auth.two_factor" if user.has_mfa else "auth.two_factor_setup"))


def require_second_factor():
    """Called by ``@requires`` when a signed-in session lacks the second factor it needs."""
    user = db.session.get(User, current_user.id)
    sessions.close(db.session, session.get("_user_id"))
    logout_user()
    back = safe_redirect_target(request.full_path.rstrip("?")) if request.method == "GET" else None
    if back:
        session["next"] = back
    return begin_sign_in(user)


def _pending_user() -> User | None:
    pending = session.get("mfa_pending")
    if not pending:
        return None
    if int(time.time()) - int(pending.get("at", 0)) > PENDING_SECONDS:
        session.pop("mfa_pending", None)
        return None
    user = db.session.get(User, pending.get("uid"))
    if user is None or not user.is_active or user.session_version != pending.get("ver"):
        session.pop("mfa_pending", None)
        return None
    return user


def _token_error_message(reason: str) -> str:
    return {
        "expired": _("This link has expired. Links only work for a short time, so ask for a new one."),
        "used": _("This link has already been used. Each link works once, so ask for a new one."),
    }.get(reason, _("This link is not valid. Check you copied the whole link from the email, or ask for a new one."))


@bp.route("/register", methods=["GET", "POST"])
@public
@limiter.limit("10 per hour", methods=["POST"])
@limiter.limit("5 per hour", key_func=_account_key, methods=["POST"])
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
            problem = service.password_problem(form.password.data, email=form.email.data, name=form.name.data)
            if problem:
                form.password.errors = [problem]
            else:
                # The same work and the same answer whether or not the address has an account
                # (pen tests F10, F12): the lookup and the email happen after the response.
                after_response(emails.process_registration, name=form.name.data.strip(),
                               email=service.normalise_email(form.email.data), council_id=council.id,
                               password_hash=service.hash_password(form.password.data), locale=str(get_locale()))
                return render_template("auth/check_email.html", email=form.email.data, purpose="register",
                                       hours=int(current_app.config["EMAIL_CONFIRMATION_HOURS"]))
    status = 400 if form.errors or (request.method == "POST" and (form.council.errors or form.council_code.errors or matches)) else 200
    return render_template("auth/register.html", form=form, matches=matches,
                           council_names=council_choices(db.session),
                           matches_items=[{"value": c.code, "text": c.name} for c in matches]), status


@bp.route("/register/confirm/<token>", methods=["GET", "POST"])
@public
@limiter.limit("20 per minute", methods=["POST"])
def confirm_registration(token: str):
    """The link sent to a new address: confirms it, creates the account and signs the councillor
    in. A GET only shows a button (mail scanners that follow links must not use it up)."""
    form = ConfirmForm()
    try:
        service.peek_registration(db.session, token)
        if form.validate_on_submit():
            try:
                user = service.complete_registration(db.session, token)
            except service.AccountError:
                flash(_("You already have an account with this email address. Sign in to continue."), "info")
                return redirect(url_for("auth.sign_in"))
            _audit(user, "account.register")
            target = begin_sign_in(user)
            flash(_("Your email address is confirmed and your account is ready. You can start the course now."),
                  "success")
            return target
    except service.TokenError as err:
        return render_template("auth/link_problem.html", message=_token_error_message(err.reason),
                               retry_endpoint="auth.register"), 400 if err.reason == "invalid" else 410
    return render_template("auth/confirm_registration.html", form=form)


@bp.route("/sign-in", methods=["GET", "POST"])
@public
@limiter.limit("10 per minute; 50 per hour", methods=["POST"])
# Per account, failed attempts only: strangers' (unknown devices) are counted together, so they
# cannot lock out a browser that has signed in to the account before, which has its own count.
@limiter.limit("20 per hour", key_func=_account_key, methods=["POST"], exempt_when=_known_device,
               deduct_when=_failed)
@limiter.limit("20 per hour", key_func=_known_device_key, methods=["POST"], exempt_when=lambda: not _known_device(),
               deduct_when=_failed)
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("learning.dashboard"))
    nxt = safe_redirect_target(request.args.get("next"))
    if nxt:
        session["next"] = nxt
    form = SignInForm()
    if form.validate_on_submit():
        user = service.authenticate(db.session, form.email.data, form.password.data)
        if user is not None:
            return begin_sign_in(user)
        form.email.errors = [_("The email address or password is not right")]
    return render_template("auth/sign_in.html", form=form), (400 if form.errors else 200)


def _email_link(email: str, *, purpose: str, minutes: int):
    """Email a single-use link if the address is registered; answer the same, after the same
    work, either way: looking the address up, issuing the token and sending the mail happen
    after the response (pen test F10)."""
    after_response(emails.send_link, purpose=purpose, email=service.normalise_email(email), locale=str(get_locale()))
    return render_template("auth/check_email.html", email=email, minutes=minutes,
                           purpose="sign_in" if purpose == service.SIGN_IN else "reset")


@bp.route("/sign-in/email-link", methods=["GET", "POST"])
@public
@limiter.limit("5 per minute; 20 per hour", methods=["POST"])
@limiter.limit("5 per hour", key_func=_account_key, methods=["POST"])
def request_sign_in_link():
    form = EmailOnlyForm()
    if form.validate_on_submit():
        return _email_link(form.email.data, purpose=service.SIGN_IN,
                           minutes=int(current_app.config["SIGN_IN_LINK_MINUTES"]))
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
            _email_proved(user)
            return begin_sign_in(user)  # an emailed link is one factor: staff still need their code
    except service.TokenError as err:
        return render_template("auth/link_problem.html", message=_token_error_message(err.reason),
                               retry_endpoint="auth.request_sign_in_link"), 400 if err.reason == "invalid" else 410
    return render_template("auth/confirm_link.html", form=form)


@bp.route("/forgot-password", methods=["GET", "POST"])
@public
@limiter.limit("5 per minute; 20 per hour", methods=["POST"])
@limiter.limit("5 per hour", key_func=_account_key, methods=["POST"])
def forgot_password():
    form = EmailOnlyForm()
    if form.validate_on_submit():
        return _email_link(form.email.data, purpose=service.RESET_PASSWORD,
                           minutes=int(current_app.config["PASSWORD_RESET_MINUTES"]))
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
                _email_proved(user)
                _audit(user, "account.password.reset")
                emails.send_notice(user, "password_reset")
                flash(_("Your password has been changed."), "success")
                return begin_sign_in(user)  # a reset link does not replace the second factor
    except service.TokenError as err:
        return render_template("auth/link_problem.html", message=_token_error_message(err.reason),
                               retry_endpoint="auth.forgot_password"), 400 if err.reason == "invalid" else 410
    return render_template("auth/reset_password.html", form=form), (400 if form.errors else 200)


@bp.route("/sign-out", methods=["POST"])
@public
def sign_out():
    end_session()
    flash(_("You have signed out."), "success")
    return redirect(url_for("main.start"))


def _signed_in_key() -> str:
    """Rate-limit key for a signed-in user's own forms (not the address: councils share one)."""
    return f"user:{current_user.id}" if current_user.is_authenticated else f"ip:{get_remote_address()}"


@bp.route("/account", methods=["GET", "POST"])
@signed_in
@limiter.limit("10 per hour", key_func=_signed_in_key, methods=["POST"])  # each try checks the password
def account():
    """Name and email address. A new address needs the current password, and changes only
    when the link sent to it is used; the old address is told, with a way to undo it (F5, F12)."""
    form = ProfileForm(obj=current_user) if request.method == "GET" else ProfileForm()
    if form.validate_on_submit():
        user = db.session.get(User, current_user.id)
        email = service.normalise_email(form.email.data)
        changing = email != user.email
        if changing and not form.current_password.data:
            form.current_password.errors = [_("Enter your current password to change your email address")]
        elif changing and not (user.password_hash and service.authenticate(db.session, user.email,
                                                                            form.current_password.data)):
            form.current_password.errors = [_("Your current password is not right")]
        elif changing and (other := service.find_user_by_email(db.session, email)) is not None \
                and other.id != user.id:
            form.email.errors = [_("An account already uses this email address")]
        else:
            user.name = form.name.data.strip()
            db.session.commit()
            if changing:
                _sent(emails.send_email_change_link(user, email))
                _sent(emails.send_notice(user, "email", new_email=email))
                _audit(user, "account.email_change.request")
                flash(_("We have sent a link to %(new)s. Your email address changes when you open it; until then "
                        "your account keeps %(old)s.", new=email, old=user.email), "success")
            else:
                flash(_("Your details have been saved."), "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/account.html", form=form), (400 if form.errors else 200)


@bp.route("/account/email/<token>", methods=["GET", "POST"])
@public
@limiter.limit("20 per minute", methods=["POST"])
def confirm_email_change(token: str):
    """The link sent to a new address: the account's address becomes it. Public: the link
    proves the new mailbox, and the change was asked for by the signed-in owner with their
    password. A GET only shows a button."""
    form = ConfirmForm()
    try:
        service.peek_token(db.session, token, service.CHANGE_EMAIL)
        if form.validate_on_submit():
            try:
                user, _old = service.apply_email_change(db.session, token)
            except service.AccountError as err:
                return render_template("auth/link_problem.html", message=err.message,
                                       retry_endpoint="auth.account"), 409
            _audit(user, "account.email_change.confirm")
            _email_proved(user)
            flash(_("Your email address is now %(email)s.", email=user.email), "success")
            if current_user.is_authenticated and current_user.id == user.id:
                return redirect(url_for("auth.account"))
            return redirect(url_for("auth.sign_in"))
    except service.TokenError as err:
        return render_template("auth/link_problem.html", message=_token_error_message(err.reason),
                               retry_endpoint="auth.account"), 400 if err.reason == "invalid" else 410
    return render_template("auth/confirm_email_change.html", form=form)


@bp.route("/account/not-me/<token>", methods=["GET", "POST"])
@public
@limiter.limit("20 per minute", methods=["POST"])
def not_me(token: str):
    """"This wasn't me", from a notice about a change to the account: sign it out everywhere,
    undo the change where that is safe, then choose a new password (pen test F5)."""
    form = ConfirmForm()
    try:
        service.peek_token(db.session, token, service.NOT_ME)
        if form.validate_on_submit():
            user = service.secure_account(db.session, token)
            _audit(user, "account.not_me")
            end_session()
            raw = service.issue_token(db.session, user, service.RESET_PASSWORD,
                                      int(current_app.config["PASSWORD_RESET_MINUTES"]))
            flash(_("We have signed your account out on every device. Now choose a new password, so that only you "
                    "can sign in."), "success")
            return redirect(url_for("auth.reset_password", token=raw))
    except service.TokenError as err:
        return render_template("auth/link_problem.html", message=_token_error_message(err.reason),
                               retry_endpoint="auth.forgot_password"), 400 if err.reason == "invalid" else 410
    return render_template("auth/not_me.html", form=form)


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
                _start_session(user, mfa_done=session.get("mfa", False))  # rotate: new session, new version
                _audit(user, "account.password.change")
                _sent(emails.send_notice(user, "password"))
                flash(_("Your password has been changed. You have been signed out on other devices."), "success")
                return redirect(url_for("auth.account"))
    return render_template("auth/change_password.html", form=form), (400 if form.errors else 200)


@bp.route("/account/sign-out-everywhere", methods=["POST"])
@signed_in
def sign_out_everywhere():
    user = db.session.get(User, current_user.id)
    service.sign_out_everywhere(db.session, user)
    end_session()
    flash(_("You have been signed out on every device."), "success")
    return redirect(url_for("auth.sign_in"))


# Two-step verification -----------------------------------------------------------------------

@bp.route("/sign-in/two-factor", methods=["GET", "POST"])
@public
@limiter.limit("10 per minute", methods=["POST"])
@limiter.limit("5 per minute; 30 per hour", key_func=_pending_key, methods=["POST"])
def two_factor():
    """Second step of sign-in: a code from the authenticator app, or a recovery code."""
    if current_user.is_authenticated and session.get("mfa"):
        return redirect(url_for("learning.dashboard"))
    user = _pending_user()
    if user is None:
        flash(_("Sign in again to continue."), "info")
        return redirect(url_for("auth.sign_in"))
    if not user.has_mfa:
        return redirect(url_for("auth.two_factor_setup"))
    form = TwoFactorForm()
    if form.validate_on_submit():
        code = form.code.data
        if mfa.is_totp_shape(code):
            ok, recovery = mfa.verify_totp(db.session, user, code), False
        else:
            ok, recovery = mfa.use_recovery_code(db.session, user, code), True
        if ok:
            target = _start_session(user, mfa_done=True)
            if recovery:
                left = mfa.recovery_codes_left(db.session, user)
                flash(_("You used a recovery code. You have %(n)d left. If you have lost your phone, set up "
                        "your authenticator app again from your account page.", n=left), "warning")
            return redirect(target or url_for("learning.dashboard"))
        form.code.errors = [_("The security code is not right, or has already been used. Wait for the next "
                              "code in your app and try again")]
    return render_template("auth/two_factor.html", form=form), (400 if form.errors else 200)


@bp.route("/sign-in/two-factor/set-up", methods=["GET", "POST"])
@public
@limiter.limit("10 per minute", methods=["POST"])
def two_factor_setup():
    """Set up an authenticator app: staff before anything else, learners from their account page."""
    pending = _pending_user() if not current_user.is_authenticated else None
    if current_user.is_authenticated:
        user = db.session.get(User, current_user.id)
        if user.needs_mfa and not session.get("mfa"):
            return require_second_factor()
    elif pending is not None:
        user = pending
        if user.has_mfa:
            return redirect(url_for("auth.two_factor"))
    else:
        flash(_("Sign in again to continue."), "info")
        return redirect(url_for("auth.sign_in"))
    secret = session.get("mfa_setup_secret")
    if not secret:
        secret = session["mfa_setup_secret"] = mfa.new_secret()
    form = SetUpTwoFactorForm()
    # Signed in (not the set-up step of a sign-in that has just checked the password): the
    # password is asked for again before an authenticator is set up or replaced.
    reauth = current_user.is_authenticated
    if form.validate_on_submit():
        if reauth and not form.password.data:
            form.password.errors = [_("Enter your password")]
        elif reauth and not (user.password_hash and service.authenticate(db.session, user.email,
                                                                          form.password.data)):
            form.password.errors = [_("Your password is not right")]
        else:
            replacing = user.has_mfa
            codes = mfa.enable(db.session, user, secret, form.code.data)
            if codes is not None:
                from .. import audit

                if current_user.is_authenticated:
                    target = None
                    session.pop("mfa_setup_secret", None)
                    session["mfa"] = True
                else:
                    target = _start_session(user, mfa_done=True)
                audit.record(db.session, actor=user, action="mfa.replace" if replacing else "mfa.enable",
                             target=f"user:{user.id}")
                db.session.commit()
                _sent(emails.send_notice(user, "mfa_replaced" if replacing else "mfa_on"))
                return render_template("auth/recovery_codes.html", codes=codes, new_setup=True,
                                       next_url=target or url_for("learning.dashboard"))
            form.code.errors = [_("The code is not right. Check the time on your phone is set automatically, "
                                  "then enter the code your app shows now")]
    uri = mfa.provisioning_uri(secret, user.email or str(user.id), current_app.config["SERVICE_NAME"])
    return render_template("auth/two_factor_setup.html", form=form, qr=mfa.qr_data_uri(uri),
                           secret=mfa.grouped(secret), required=user.role_enum.is_staff,
                           pending=pending is not None, reauth=reauth,
                           replacing=user.has_mfa), (400 if form.errors else 200)


@bp.route("/account/two-factor", methods=["GET"])
@signed_in
def account_two_factor():
    user = db.session.get(User, current_user.id)
    return render_template("auth/account_two_factor.html", user=user,
                           codes_left=mfa.recovery_codes_left(db.session, user) if user.has_mfa else 0,
                           codes_form=NewRecoveryCodesForm(), off_form=PasswordConfirmForm())


@bp.route("/account/two-factor/recovery-codes", methods=["POST"])
@signed_in
@limiter.limit("5 per minute", methods=["POST"])
def new_recovery_codes():
    user = db.session.get(User, current_user.id)
    if not user.has_mfa:
        abort(404)
    form = NewRecoveryCodesForm()
    if form.validate_on_submit():
        if mfa.verify_totp(db.session, user, form.code.data):
            codes = mfa.new_recovery_codes(db.session, user)
            return render_template("auth/recovery_codes.html", codes=codes, new_setup=False,
                                   next_url=url_for("auth.account_two_factor"))
        form.code.errors = [_("The security code is not right, or has already been used")]
    return render_template("auth/account_two_factor.html", user=user, codes_form=form, form=form,
                           codes_left=mfa.recovery_codes_left(db.session, user),
                           off_form=PasswordConfirmForm()), 400


@bp.route("/account/two-factor/turn-off", methods=["POST"])
@requires(Role.LEARNER)  # staff must keep a second factor
@limiter.limit("5 per minute", methods=["POST"])
def turn_off_two_factor():
    user = db.session.get(User, current_user.id)
    if not user.has_mfa:
        return redirect(url_for("auth.account_two_factor"))
    form = PasswordConfirmForm()
    if form.validate_on_submit():
        if user.password_hash and service.authenticate(db.session, user.email, form.password.data):
            mfa.disable(db.session, user)
            _start_session(user)
            _audit(user, "mfa.disable")
            _sent(emails.send_notice(user, "mfa_off"))
            flash(_("Two-step verification is off."), "success")
            return redirect(url_for("auth.account_two_factor"))
        form.password.errors = [_("Your password is not right")]
    return render_template("auth/account_two_factor.html", user=user, codes_form=NewRecoveryCodesForm(),
                           codes_left=mfa.recovery_codes_left(db.session, user), off_form=form, form=form), 400
