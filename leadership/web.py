"""Wiring: extensions, templates, locale, headers, blueprints and CLI commands."""
from __future__ import annotations

import secrets

from flask import Flask, g, has_request_context, request, session
from flask_login import current_user
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader

from .catalogue import catalogue_service
from .extensions import babel, csrf, db, limiter, login_manager


def role_label(role: str) -> str:
    from flask_babel import gettext as _

    return {
        "learner": _("Learner"), "trainer": _("Trainer"),
        "council_admin": _("Council administrator"), "lga_admin": _("LGA administrator"),
    }.get(role, role)


def select_locale() -> str:
    supported = ("en", "cy")
    if not has_request_context():
        return "en"
    asked = request.args.get("lang")
    if asked in supported:
        return asked
    if session.get("locale") in supported:
        return session["locale"]
    if current_user and current_user.is_authenticated and current_user.locale in supported:
        return current_user.locale
    return request.accept_languages.best_match(supported) or "en"


def _load_user(session_id: str):
    """The signed-in user: the cookie's session id must name a live server-side session
    (``auth.sessions``), loaded with its user in one query."""
    from .auth import sessions
    from .db import utcnow

    found = sessions.load(db.session, session_id)
    if found is None:
        return None
    user, row = found
    if not user.is_active:
        return None
    if row.expires_at <= utcnow():
        g.session_ended = "staff" if user.role_enum.is_staff else "learner"  # enforce_session_timeouts says so
        return None
    g.user_session = row
    return user


def init_app(app: Flask) -> None:
    db.init_app(app)
    from .auth import service as account_service

    account_service.configure(app.config["PASSWORD_HASH_METHOD"])
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.user_loader(_load_user)
    login_manager.login_view = "auth.sign_in"
    # "basic", not "strong": strong drops the session whenever the client's IP or user agent
    # changes, which signs councillors out on mobile networks and council VPNs/proxies. Our
    # sessions are rotated on sign-in, live on the server (auth/sessions.py) and time out (security.py).
    login_manager.session_protection = "basic"
    from flask_babel import lazy_gettext as _l

    login_manager.login_message = _l("Sign in to continue.")
    login_manager.login_message_category = "info"
    catalogue_service.init_app(app)
    # Features add service-navigation items: callables(user) -> {'href','text','active'} | None
    app.extensions["navigation"] = []
    # Features add panels to the course page: callables(course, progress) -> Markup | None
    app.extensions["course_panels"] = []
    # Features add links to the account page: callables(user) -> {'href','text'} | None
    app.extensions["account_links"] = []
    app.jinja_env.tests["contains"] = lambda seq, item: item in (seq or ())
    WTFormsHelpers(app)

    app.jinja_loader = ChoiceLoader([
        FileSystemLoader(app.template_folder),
        PrefixLoader({
            "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
            "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
        }),
    ])
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.before_request
    def _nonce():
        g.csp_nonce = secrets.token_urlsafe(16)

    @app.after_request
    def _security_headers(response):
        nonce = getattr(g, "csp_nonce", "")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self' 'nonce-%s'; style-src 'self'; img-src 'self' data:; "
            "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
            % nonce,
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if current_user and getattr(current_user, "is_authenticated", False):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.context_processor
    def _template_globals():
        from flask_babel import get_locale

        return {
            "csp_nonce": getattr(g, "csp_nonce", ""),
            "current_locale": str(get_locale() or "en"),
            "service_name": app.config["SERVICE_NAME"],
            "extra_navigation": _extra_navigation,
            "course_panels": _course_panels,
            "account_links": _account_links,
            "role_label": role_label,
        }

    def _collect(key, *args):
        return [item for item in (provider(*args) for provider in app.extensions[key]) if item]

    def _extra_navigation(user):
        return _collect("navigation", user)

    def _course_panels(course, progress):
        return _collect("course_panels", course, progress)

    def _account_links(user):
        return _collect("account_links", user)

    from . import errors
    from .auth import bp as auth_bp
    from .learning import bp as learning_bp
    from .main import bp as main_bp

    errors.init_app(app)
    from . import security

    security.init_app(app)  # NUL/UTF-8 guard, staff session time-outs, optional ProxyFix
    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(learning_bp)
    from .authoring import init_app as init_authoring

    init_authoring(app)
    from .api import bp as api_bp
    from .reporting import bp as reporting_bp

    app.register_blueprint(reporting_bp)
    app.register_blueprint(api_bp)
    from .certificates import bp as certificates_bp, verify_bp

    app.register_blueprint(certificates_bp)
    app.register_blueprint(verify_bp)
    from .quizzes import bp as quizzes_bp

    app.register_blueprint(quizzes_bp)
    from .privacy import bp as privacy_bp

    app.register_blueprint(privacy_bp)
    from . import jobs, notify

    notify.init_app(app)  # send log, certificate emails, /unsubscribe
    jobs.init_app(app)  # Huey queue, `flask jobs`, work enqueued when a certificate is issued

    from . import cli

    cli.init_app(app)
