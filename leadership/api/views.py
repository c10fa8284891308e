"""API v1 routes. Each docstring's YAML (after ``---``) is its OpenAPI operation (see spec.py).

Every route is ``@public`` as far as browser sessions go (no cookie, no CSRF) and
wears ``@token_required``, which accepts only a live bearer token; the token's
council scope is applied in each query.
"""
from __future__ import annotations

import hashlib
import re
from functools import wraps

import sqlalchemy as sa
from flask import abort, current_app, g, jsonify, render_template, request, url_for
from werkzeug.exceptions import Unauthorized

from ..councils.models import Council
from ..extensions import db
from ..reporting import queries
from ..security import public
from . import bp
from ..dates import EARLIEST, LATEST, DateProblem, parse_date_time_utc
from .completions import BadCursor, Cursor, completions_page
from .tokens import authenticate


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _sep, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def rate_limit_key() -> str:
    token = bearer_token()
    if token:
        return "api-token:" + hashlib.sha256(token.encode()).hexdigest()[:32]
    return "api-ip:" + (request.remote_addr or "unknown")


class TokenRequired(Unauthorized):
    description = "Send a valid API token: Authorization: Bearer <token>."

    def get_headers(self, environ=None, scope=None):
        return [("WWW-Authenticate", 'Bearer realm="api"')]


def token_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        token = authenticate(db.session, bearer_token() or "")
        if token is None:
            raise TokenRequired()
        g.api_token = token
        return view(*args, **kwargs)

    return wrapped


def _council_json(c: Council) -> dict:
    return {"code": c.code, "name": c.name, "nation": c.nation, "type": c.type, "region": c.region,
            "gss_code": c.gss_code}


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    """A whole-number query parameter; absent means ``default``, present but empty is a 400 (the
    OpenAPI document says integer: an empty string is not one)."""
    raw = request.args.get(name)
    if raw is None:
        return default
    if not re.fullmatch(r"[0-9]{1,9}", raw) or not low <= int(raw) <= high:
        abort(400, description=f"{name} must be a whole number between {low} and {high}")
    return int(raw)


def _course_slug() -> str:
    return current_app.config.get("REPORTING_COURSE", queries.DEFAULT_COURSE)


@bp.get("/councils")
@public
@token_required
def councils():
    """List councils (for a council token, just its own).
    ---
    get:
      operationId: listCouncils
      summary: List councils with their official codes
      tags: [Councils]
      parameters:
        - {name: page, in: query, schema: {type: integer, minimum: 1, maximum: 100000, default: 1}}
        - {name: per_page, in: query, schema: {type: integer, minimum: 1, maximum: 500, default: 100}}
      responses:
        "200":
          description: A page of councils, ordered by code
          content:
            application/json:
              schema: {$ref: "#/components/schemas/CouncilList"}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "429": {$ref: "#/components/responses/TooManyRequests"}
    """
    page = _int_arg("page", 1, 1, 100000)
    per_page = _int_arg("per_page", 100, 1, 500)
    conds = [Council.current.is_(True)]
    if g.api_token.council_id is not None:
        conds = [Council.id == g.api_token.council_id]
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Council).where(*conds))
    rows = db.session.scalars(sa.select(Council).where(*conds).order_by(Council.code)
                              .limit(per_page).offset((page - 1) * per_page)).all()
    more = page * per_page < total
    return jsonify({
        "data": [_council_json(c) for c in rows], "page": page, "per_page": per_page, "total": total,
        "links": {"next": url_for(".councils", page=page + 1, per_page=per_page) if more else None,
                  "prev": url_for(".councils", page=page - 1, per_page=per_page) if page > 1 else None},
    })


@bp.get("/councils/<code>/summary")
@public
@token_required
def council_summary(code: str):
    """Registered, started and completed counts for one council, with per-module completions.
    ---
    get:
      operationId: getCouncilSummary
      summary: One council's completion summary
      tags: [Councils]
      parameters:
        - {name: code, in: path, required: true, schema: {type: string}, description: "Council code, for example CRF"}
      responses:
        "200":
          description: The council's summary for the course
          content:
            application/json:
              schema: {$ref: "#/components/schemas/CouncilSummary"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "403": {$ref: "#/components/responses/Forbidden"}
        "404": {$ref: "#/components/responses/NotFound"}
        "429": {$ref: "#/components/responses/TooManyRequests"}
    """
    from ..catalogue import catalogue_service

    council = db.session.scalar(sa.select(Council).where(Council.code == code.upper()))
    if council is None:
        abort(404, description=f"No council with code {code!r}")
    if g.api_token.council_id is not None and g.api_token.council_id != council.id:
        abort(403, description="This token can only read its own council's data")
    course = catalogue_service.get().course(_course_slug())
    modules = course.modules if course else ()
    f = queries.Filters(course_slug=_course_slug(), council_id=council.id)
    rows = queries.council_rows(db.session, f, module_slugs=tuple(m.slug for m in modules))
    row = rows[0]
    return jsonify({
        "council": _council_json(council), "course": f.course_slug, "registered": row.registered,
        "started": row.started, "completed": row.completed, "rate": round(row.rate, 4),
        "modules": [{"slug": m.slug, "title": m.title, "completed": row.modules.get(m.slug, 0)} for m in modules],
    })


@bp.get("/completions")
@public
@token_required
def completions():
    """Per-learner module and course completions in the token's scope, oldest change first.
    ---
    get:
      operationId: listCompletions
      summary: Completions feed for incremental pulls
      description: >-
        Keyset-paginated: follow next_cursor (or links.next) until it is null. Store the
        largest updated_at you saw and pass it as since= next time; records are returned
        again when they change (for example, a certificate is revoked).
      tags: [Completions]
      parameters:
        - {name: since, in: query,
           schema: {type: string, format: date-time, minLength: 20, maxLength: 32, pattern: "^20[0-9]{2}-"},
           description: "Only records changed at or after this RFC 3339 time (Z or an offset; years 2000-2099)"}
        - {name: cursor, in: query, schema: {type: string, minLength: 1, maxLength: 200, pattern: "^[A-Za-z0-9_-]+$"},
           description: next_cursor from the previous page}
        - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 1000, default: 100}}
      responses:
        "200":
          description: A page of completion records
          content:
            application/json:
              schema: {$ref: "#/components/schemas/CompletionList"}
        "400": {$ref: "#/components/responses/BadRequest"}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "429": {$ref: "#/components/responses/TooManyRequests"}
    """
    limit = _int_arg("limit", 100, 1, 1000)
    since = None
    if "since" in request.args:
        try:
            since = parse_date_time_utc(request.args["since"])
        except DateProblem as problem:
            if problem.kind == "range":
                abort(400, description=f"since must be between {EARLIEST.isoformat()}T00:00:00Z and "
                                       f"{LATEST.isoformat()}T23:59:59Z")
            abort(400, description="since must be an RFC 3339 date-time with Z or an offset, "
                                   "e.g. 2026-01-31T00:00:00Z")
    cursor = None
    if "cursor" in request.args:
        try:
            cursor = Cursor.decode(request.args["cursor"])
        except BadCursor as err:
            abort(400, description=str(err))
    records, next_cursor = completions_page(db.session, council_id=g.api_token.council_id, cursor=cursor,
                                            since=since, limit=limit)
    token = next_cursor.encode() if next_cursor else None
    next_args = {"cursor": token, "limit": limit}
    if "since" in request.args:
        next_args["since"] = request.args["since"]
    return jsonify({"data": records, "next_cursor": token,
                    "links": {"next": url_for(".completions", **next_args) if token else None}})


@bp.get("/openapi.json")
@public
def openapi():
    """The OpenAPI 3.1 document for this API (no token needed)."""
    spec = current_app.extensions.get("openapi_spec")
    if spec is None:
        from .spec import build_spec

        spec = current_app.extensions["openapi_spec"] = build_spec(current_app)
    return jsonify(spec)


@bp.get("/docs")
@public
def docs():
    """A human-readable page describing the API (generated from the same document)."""
    from .spec import build_spec

    spec = current_app.extensions.get("openapi_spec") or build_spec(current_app)
    return render_template("reporting/api_docs.html", spec=spec)
