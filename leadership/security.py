"""Who may use what: role predicates (plain functions) and the decorators views wear.

Every view function carries an ``access`` tag, set by exactly one of
``@public`` or ``@requires(...)``; a test walks ``app.view_functions`` and fails
if any endpoint has none, so a new route cannot forget its rule.
"""
from __future__ import annotations

from functools import wraps

from flask import abort, request
from flask_login import current_user

from .auth.models import Role, User

ALL_ROLES = tuple(Role)
STAFF_ROLES = (Role.TRAINER, Role.COUNCIL_ADMIN, Role.LGA_ADMIN)
AUTHOR_ROLES = (Role.TRAINER, Role.LGA_ADMIN)
REPORT_ROLES = (Role.COUNCIL_ADMIN, Role.LGA_ADMIN)


def public(view):
    """Anyone, signed in or not."""
    view.access = "public"
    return view


def requires(*roles: Role):
    """Signed-in users whose role is one of ``roles`` (all roles when none given)."""
    allowed = frozenset(roles or ALL_ROLES)

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            from .extensions import login_manager

            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role_enum not in allowed:
                abort(403)
            return view(*args, **kwargs)

        wrapped.access = allowed
        return wrapped

    return decorator


signed_in = requires()


def is_safe_next(target: str | None) -> bool:
    """Only same-site relative paths may be used as a post-sign-in redirect."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    return "\n" not in target and "\r" not in target


# Predicates, usable without a request ---------------------------------------------------

def can_author(user: User) -> bool:
    return user.role_enum in AUTHOR_ROLES


def can_view_reports(user: User) -> bool:
    return user.role_enum in REPORT_ROLES


def can_view_council(user: User, council_id: int) -> bool:
    if user.role_enum is Role.LGA_ADMIN:
        return True
    return user.role_enum is Role.COUNCIL_ADMIN and user.council_id == council_id


def report_scope(user: User) -> int | None:
    """The council a reporting user is limited to, or None for the whole programme."""
    if user.role_enum is Role.LGA_ADMIN:
        return None
    if user.role_enum is Role.COUNCIL_ADMIN:
        return user.council_id
    abort(403)


def wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"
