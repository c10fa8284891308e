"""Reporting routes: thin wrappers around :mod:`.queries` with access checks."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date, gettext as _
from flask_login import current_user

from ..auth.models import Role
from ..catalogue import catalogue_service
from ..councils.models import Council
from ..dates import EARLIEST, LATEST, DateProblem, parse_date
from ..db import utcnow
from ..extensions import db
from ..security import REPORT_ROLES, can_view_council, report_scope, requires
from . import bp, charts, exports, queries
from .cache import cached
from .forms import IssueTokenForm, RevokeTokenForm


# Request parsing ------------------------------------------------------------------------------

def report_course():
    slug = current_app.config.get("REPORTING_COURSE", queries.DEFAULT_COURSE)
    course = catalogue_service.get().course(slug)
    if course is None:
        abort(404)
    return course


def _parse_date(name: str, label: str, errors: list) -> date | None:
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return parse_date(raw)
    except DateProblem as problem:
        if problem.kind == "range":
            text = _("%(label)s must be between %(earliest)s and %(latest)s", label=label,
                     earliest=format_date(EARLIEST, "d MMMM yyyy"), latest=format_date(LATEST, "d MMMM yyyy"))
        else:
            text = _("%(label)s must be a real date, like 2026-03-31", label=label)
        errors.append({"href": f"#{name}", "text": text})
        return None


def parse_filters(course, errors: list, *, scope: int | None) -> tuple[queries.Filters, dict]:
    choices = queries.filter_choices(db.session)
    args = request.args

    def pick(name, allowed, label):
        value = (args.get(name) or "").strip()
        if value and value not in allowed:
            errors.append({"href": f"#{name}", "text": _("Choose a %(label)s from the list", label=label)})
            return None
        return value or None

    date_from = _parse_date("from", _("Start date"), errors)
    date_to = _parse_date("to", _("End date"), errors)
    if date_from and date_to and date_from > date_to:
        errors.append({"href": "#to", "text": _("End date must be the same as or after the start date")})
    search = (args.get("q") or "").strip()[:100] or None
    return queries.Filters(
        course_slug=course.slug,
        nation=pick("nation", choices["nations"], _("nation")),
        council_type=pick("type", choices["types"], _("council type")),
        region=pick("region", choices["regions"], _("region")),
        date_from=date_from, date_to=date_to,
        module=pick("module", [m.slug for m in course.modules], _("module")),
        search=search, council_id=scope,
    ), choices


def parse_sort(allowed: tuple[str, ...], default: str) -> tuple[str, bool]:
    sort = request.args.get("sort") or default
    if sort not in allowed:
        abort(400, description=_("Sort by one of: %(keys)s", keys=", ".join(allowed)))
    return sort, request.args.get("dir") == "desc"


def parse_page() -> int:
    try:
        page = int(request.args.get("page", "1"))
    except ValueError:
        abort(400, description=_("Page must be a whole number"))
    if page < 1 or page > 100000:
        abort(400, description=_("Page must be a whole number"))
    return page


RESERVED_ARGS = ("code", "fmt")


def args_with(**changes) -> dict:
    """The current query string with some values changed (None removes one)."""
    args = {k: v for k, v in request.args.items() if v and k not in RESERVED_ARGS}
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value
    return args


def module_titles(course) -> dict[str, str]:
    return {m.slug: m.title for m in course.modules}


def get_council_or_404(code: str) -> Council:
    council = db.session.scalar(sa.select(Council).where(Council.code == code.upper()))
    if council is None or not can_view_council(current_user, council.id):
        # A council_admin asking for another council learns nothing, not even that it exists.
        abort(404)
    return council


def percent(value: float) -> str:
    return f"{value * 100:.1f}%"


# Dashboard ----------------------------------------------------------------------------------

def _dashboard_data(course, *, per_page=queries.PAGE_SIZE):
    errors: list = []
    f, choices = parse_filters(course, errors, scope=None)
    sort, desc = parse_sort(queries.COUNCIL_SORTS, "name")
    page = parse_page()
    seconds = current_app.config.get("REPORTING_CACHE_SECONDS", 0 if current_app.testing else 60)
    data = cached(("dashboard", f, sort, desc, page, per_page, course.content_version), seconds,
                  lambda: queries.dashboard(db.session, f, module_slugs=tuple(m.slug for m in course.modules),
                                            sort=sort, descending=desc, page=page, per_page=per_page))
    return data, choices, errors


@bp.get("/")
@requires(*REPORT_ROLES)
def dashboard():
    scope = report_scope(current_user)
    if scope is not None:
        return redirect(url_for("reporting.council", code=current_user.council.code))
    course = report_course()
    data, choices, errors = _dashboard_data(course)
    titles = module_titles(course)
    month_chart = charts.column_chart(
        "chart-months", _("Course completions by month"), data.months,
        desc_intro=_("Certificates issued in each of the last %(n)d months.", n=len(data.months)))
    if data.filters.module:
        rate_points = [(r, t.rate, percent(t.rate)) for r, t in data.regions]
        rate_title = _("Completion rate of the module by region")
    else:
        rate_points = [(titles.get(slug, slug), queries.rate(n, data.totals.registered),
                        percent(queries.rate(n, data.totals.registered))) for slug, n in data.modules]
        rate_title = _("Completion rate by module")
    rate_chart = charts.bar_chart("chart-rates", rate_title, rate_points, maximum=1.0,
                                  desc_intro=_("Share of registered learners who completed each one."))
    status = 400 if errors else 200
    return render_template("reporting/dashboard.html", data=data, choices=choices, course=course,
                           titles=titles, errors=errors, month_chart=month_chart, rate_chart=rate_chart,
                           rate_points=rate_points, rate_title=rate_title, page_has_errors=bool(errors),
                           args_with=args_with, percent=percent), status


def _council_table(data, titles) -> tuple[list[str], list[list]]:
    slugs = [slug for slug, _n in data.modules]
    headers = [_("Council"), _("Code"), _("Nation"), _("Type"), _("Region"), _("Registered"), _("Started"),
               _("Completed"), _("Completion rate (%%)")] + [titles.get(s, s) for s in slugs]
    rows = [[r.name, r.code, r.nation, r.type, r.region, r.registered, r.started, r.completed,
             round(r.rate * 100, 1)] + [r.modules.get(s, 0) for s in slugs] for r in data.all_councils]
    return headers, rows


def _download(kind: str, fmt: str, f: queries.Filters, headers, rows, *, extra=()) -> Response:
    name = exports.file_name(kind, utcnow().date(), list(extra) + f.describe(), fmt)
    if fmt == "csv":
        body, mimetype = exports.to_csv(headers, rows), "text/csv; charset=utf-8"
    else:
        body = exports.to_xlsx(headers, rows, sheet_title=kind)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.get("/export.<any(csv, xlsx):fmt>")
@requires(*REPORT_ROLES)
def export(fmt: str):
    """The dashboard's council table (every page, same filters and sort)."""
    scope = report_scope(current_user)
    if scope is not None:
        return redirect(url_for("reporting.council_export", code=current_user.council.code, fmt=fmt,
                                **args_with()))
    course = report_course()
    data, _choices, errors = _dashboard_data(course)
    if errors:
        abort(400, description=" ".join(e["text"] for e in errors))
    headers, rows = _council_table(data, module_titles(course))
    return _download("completions", fmt, data.filters, headers, rows)


# Council drill-down ---------------------------------------------------------------------------

def _council_data(council: Council, course):
    errors: list = []
    f, _choices = parse_filters(course, errors, scope=council.id)
    summary_filters = queries.Filters(course_slug=f.course_slug, council_id=council.id, date_from=f.date_from,
                                      date_to=f.date_to, module=f.module)
    rows = queries.council_rows(db.session, summary_filters, module_slugs=tuple(m.slug for m in course.modules))
    row = rows[0] if rows else None
    sort, desc = parse_sort(queries.LEARNER_SORTS, "name")
    learners = queries.council_learners(db.session, f, course, sort=sort, descending=desc)
    return f, row, learners, sort, desc, errors


@bp.get("/councils/<code>")
@requires(*REPORT_ROLES)
def council(code: str):
    council = get_council_or_404(code)
    course = report_course()
    f, row, learners, sort, desc, errors = _council_data(council, course)
    page = queries.paginate(learners, parse_page())
    titles = module_titles(course)
    registered = row.registered if row else 0
    module_points = [(titles[m.slug], queries.rate(row.modules.get(m.slug, 0) if row else 0, registered),
                      f"{row.modules.get(m.slug, 0) if row else 0} ({percent(queries.rate(row.modules.get(m.slug, 0) if row else 0, registered))})")
                     for m in course.modules]
    module_chart = charts.bar_chart("chart-modules", _("Module completions in %(council)s", council=council.name),
                                    module_points, maximum=1.0,
                                    desc_intro=_("Learners who completed each module, and the share of registered learners."))
    return render_template("reporting/council.html", council=council, course=course, row=row, page=page,
                           filters=f, sort=sort, desc=desc, errors=errors, page_has_errors=bool(errors),
                           titles=titles, module_chart=module_chart, module_points=module_points,
                           args_with=lambda **ch: {"code": council.code, **args_with(**ch)}, percent=percent,
                           is_lga=current_user.role_enum is Role.LGA_ADMIN), 400 if errors else 200


def _learner_table(learners, titles) -> tuple[list[str], list[list]]:
    headers = [_("Name"), _("Email"), _("Progress (%%)"), _("Modules completed"), _("Completed modules"),
               _("Last activity"), _("Certificate"), _("Certificate status")]
    rows = [[r.name, r.email, r.progress, r.modules_completed,
             "; ".join(titles.get(s, s) for s in r.completed_modules), r.last_activity,
             r.certificate_code, r.certificate_status] for r in learners]
    return headers, rows


@bp.get("/councils/<code>/export.<any(csv, xlsx):fmt>")
@requires(*REPORT_ROLES)
def council_export(code: str, fmt: str):
    council = get_council_or_404(code)
    course = report_course()
    f, _row, learners, _sort, _desc, errors = _council_data(council, course)
    if errors:
        abort(400, description=" ".join(e["text"] for e in errors))
    headers, rows = _learner_table(learners, module_titles(course))
    return _download("learners", fmt, f, headers, rows, extra=[("council", council.code)])


@bp.get("/councils/<code>/certificates.zip")
@requires(*REPORT_ROLES)
def council_certificates(code: str):
    """Every current certificate held by this council's learners, as one ZIP of PDFs."""
    council = get_council_or_404(code)
    from .certificate_zip import certificates_zip

    course = report_course()
    body, count = certificates_zip(db.session, council.id, course.slug)
    if count == 0:
        flash(_("There are no certificates to download yet."), "info")
        return redirect(url_for("reporting.council", code=council.code))
    name = exports.file_name("certificates", utcnow().date(), [("council", council.code)], "zip")
    response = Response(body, mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# API tokens ---------------------------------------------------------------------------------

def _token_form():
    form = IssueTokenForm()
    councils = db.session.execute(sa.select(Council.id, Council.name, Council.code)
                                  .where(Council.current.is_(True)).order_by(Council.name)).all()
    form.council.choices = [("", _("Every council (LGA token)"))] + [
        (str(cid), f"{name} ({code})") for cid, name, code in councils]
    return form


@bp.route("/api-tokens", methods=["GET", "POST"])
@requires(Role.LGA_ADMIN)
def api_tokens():
    from ..api.tokens import issue_token, list_tokens

    form = _token_form()
    new_token = None
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template("reporting/api_tokens.html", form=form, tokens=list_tokens(db.session),
                                   revoke_form=RevokeTokenForm(), new_token=None), 400
        council_id = int(form.council.data) if form.council.data else None
        token, new_token = issue_token(db.session, name=form.name.data, council_id=council_id, actor=current_user)
        form = _token_form()
        form.name.data = ""
    return render_template("reporting/api_tokens.html", form=form, tokens=list_tokens(db.session),
                           revoke_form=RevokeTokenForm(), new_token=new_token)


@bp.post("/api-tokens/<int:token_id>/revoke")
@requires(Role.LGA_ADMIN)
def revoke_api_token(token_id: int):
    from ..api.models import ApiToken
    from ..api.tokens import revoke_token

    form = RevokeTokenForm()
    if not form.validate_on_submit():
        abort(400)
    token = db.session.get(ApiToken, token_id)
    if token is None:
        abort(404)
    if revoke_token(db.session, token, actor=current_user):
        flash(_("Token “%(name)s” revoked. It no longer works.", name=token.name), "success")
    return redirect(url_for("reporting.api_tokens"))
