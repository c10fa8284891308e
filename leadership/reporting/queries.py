"""Reporting aggregates: every number on the dashboards, computed by grouped SQL.

Pure functions: they take a ``Session`` and a :class:`Filters` value and return
plain dataclasses. Each runs a fixed number of queries whatever the number of
councils or learners (see ``tests/reporting/test_query_count.py``).

Definitions (also in docs/reporting.md):

* **registered** – accounts with role learner, not deleted, in the council
  (and, with a date range, created in that range: a registration cohort);
* **started** – registered learners with at least one page view in the course
  (a ``CourseStart`` row, written with their first page view) or, with a module
  filter, in the chosen module;
* **completed** – holders of a non-revoked certificate for the course, counted
  by the certificate's own ``council_id`` so an erased account's completion
  still counts; with a module filter, learners with a ``ModuleCompletion`` row
  for that module (counted by the row's own ``council_id``);
* **rate** – completed / registered (0 when nobody registered).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..auth.models import Role, User
from ..certificates.models import REVOKED, VALID, WITHDRAWN, EXPIRED, Certificate
from ..councils.models import Council
from ..db import utcnow
from ..learning.models import CourseStart, PageView
from ..quizzes.models import ModuleCompletion

DEFAULT_COURSE = "digital-leadership"
PAGE_SIZE = 50
MONTHS = 18

COUNCIL_SORTS = ("name", "code", "nation", "type", "region", "registered", "started", "completed", "rate")
LEARNER_SORTS = ("name", "email", "progress", "modules", "last_activity", "certificate")


@dataclass(frozen=True)
class Filters:
    """What the person asked to see. ``council_id`` is the access scope (None = every council)."""

    course_slug: str = DEFAULT_COURSE
    nation: str | None = None
    council_type: str | None = None
    region: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    module: str | None = None
    search: str | None = None
    council_id: int | None = None

    def scoped(self, council_id: int | None) -> "Filters":
        return replace(self, council_id=council_id)

    def describe(self) -> list[tuple[str, str]]:
        """(name, value) pairs of the filters in use, for file names and captions."""
        pairs = [("nation", self.nation), ("type", self.council_type), ("region", self.region),
                 ("module", self.module), ("from", self.date_from and self.date_from.isoformat()),
                 ("to", self.date_to and self.date_to.isoformat()), ("search", self.search)]
        return [(k, v) for k, v in pairs if v]


@dataclass(frozen=True)
class Totals:
    registered: int = 0
    started: int = 0
    completed: int = 0

    @property
    def rate(self) -> float:
        return rate(self.completed, self.registered)


@dataclass(frozen=True)
class CouncilRow:
    id: int
    code: str
    name: str
    nation: str
    type: str
    region: str
    registered: int
    started: int
    completed: int
    modules: dict[str, int] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return rate(self.completed, self.registered)


@dataclass(frozen=True)
class Page:
    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


@dataclass(frozen=True)
class Dashboard:
    filters: Filters
    totals: Totals
    councils: Page  # of CouncilRow
    all_councils: list[CouncilRow]
    months: list[tuple[str, int]]  # ("2026-01", completions)
    modules: list[tuple[str, int]]  # (module slug, completions) over the filtered councils
    regions: list[tuple[str, Totals]]
    sort: str
    descending: bool


@dataclass(frozen=True)
class LearnerRow:
    id: int
    name: str
    email: str | None
    registered_at: datetime
    progress: int  # percent
    modules_completed: int
    completed_modules: tuple[str, ...]
    last_activity: datetime | None
    certificate_code: str | None
    certificate_status: str | None


def rate(completed: int, registered: int) -> float:
    return completed / registered if registered else 0.0


# Building blocks ---------------------------------------------------------------------------

def _as_start(d: date | None) -> datetime | None:
    return datetime.combine(d, time.min) if d else None


def _as_end(d: date | None) -> datetime | None:
    return datetime.combine(d + timedelta(days=1), time.min) if d else None


def _learner_conditions(f: Filters, *, include_deleted: bool = False) -> list:
    conds = [User.role == Role.LEARNER.value]
    if not include_deleted:
        conds.append(User.deleted_at.is_(None))
    if f.council_id is not None:
        conds.append(User.council_id == f.council_id)
    if f.date_from:
        conds.append(User.created_at >= _as_start(f.date_from))
    if f.date_to:
        conds.append(User.created_at < _as_end(f.date_to))
    return conds


def _council_conditions(f: Filters) -> list:
    conds = [Council.current.is_(True)] if f.council_id is None else [Council.id == f.council_id]
    if f.nation:
        conds.append(Council.nation == f.nation)
    if f.council_type:
        conds.append(Council.type == f.council_type)
    if f.region:
        conds.append(Council.region == f.region)
    if f.search:
        needle = f"%{_escape_like(f.search.strip().lower())}%"
        conds.append(sa.or_(sa.func.lower(Council.name).like(needle, escape="\\"),
                            sa.func.lower(Council.code).like(needle, escape="\\")))
    return conds


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _registered_sq(f: Filters):
    return (sa.select(User.council_id.label("council_id"), sa.func.count().label("n"))
            .where(*_learner_conditions(f)).group_by(User.council_id).subquery("registered"))


def _started_sq(f: Filters):
    if f.module:  # started this module: a page view in it (one module's rows, by index)
        seen = sa.select(sa.literal(1)).where(PageView.user_id == User.id, PageView.course_slug == f.course_slug,
                                              PageView.module_slug == f.module)
        return (sa.select(User.council_id.label("council_id"), sa.func.count().label("n"))
                .where(*_learner_conditions(f), seen.exists()).group_by(User.council_id).subquery("started"))
    # Started the course: one CourseStart row per learner, counted per council.
    if f.date_from or f.date_to:  # a registration cohort: the learner's own dates are needed
        return (sa.select(CourseStart.council_id.label("council_id"), sa.func.count().label("n"))
                .join(User, User.id == CourseStart.user_id)
                .where(CourseStart.course_slug == f.course_slug, *_learner_conditions(f))
                .group_by(CourseStart.council_id).subquery("started"))
    # Otherwise count from the index alone, minus the few rows of accounts that are not registered
    # learners (staff, erased accounts): no join over every learner.
    scope = [CourseStart.course_slug == f.course_slug]
    if f.council_id is not None:
        scope.append(CourseStart.council_id == f.council_id)
    everyone = (sa.select(CourseStart.council_id.label("council_id"), sa.func.count().label("n"))
                .where(*scope).group_by(CourseStart.council_id))
    not_registered = sa.select(User.id).where(sa.or_(User.role != Role.LEARNER.value, User.deleted_at.is_not(None)))
    others = (sa.select(CourseStart.council_id, -sa.func.count())
              .where(*scope, CourseStart.user_id.in_(not_registered)).group_by(CourseStart.council_id))
    both = sa.union_all(everyone, others).subquery("started_parts")
    return (sa.select(both.c.council_id, sa.cast(sa.func.sum(both.c.n), sa.Integer).label("n"))
            .group_by(both.c.council_id).subquery("started"))


def _certificate_conditions(f: Filters) -> list:
    conds = [Certificate.course_slug == f.course_slug, Certificate.revoked_at.is_(None),
             sa.or_(Certificate.user_id.is_(None), User.role == Role.LEARNER.value)]
    if f.council_id is not None:
        conds.append(Certificate.council_id == f.council_id)
    if f.date_from:
        conds.append(User.created_at >= _as_start(f.date_from))
    if f.date_to:
        conds.append(User.created_at < _as_end(f.date_to))
    return conds


def _completed_sq(f: Filters):
    if f.module:
        return (sa.select(User.council_id.label("council_id"), sa.func.count().label("n"))
                .select_from(ModuleCompletion).join(User, User.id == ModuleCompletion.user_id)
                .where(ModuleCompletion.course_slug == f.course_slug, ModuleCompletion.module_slug == f.module,
                       *_learner_conditions(f, include_deleted=True))
                .group_by(User.council_id).subquery("completed"))
    holder = sa.func.coalesce(Certificate.user_id, -Certificate.id)
    return (sa.select(Certificate.council_id.label("council_id"), sa.func.count(sa.distinct(holder)).label("n"))
            .select_from(Certificate).outerjoin(User, User.id == Certificate.user_id)
            .where(*_certificate_conditions(f)).group_by(Certificate.council_id).subquery("completed"))


def _sort_column(sort: str, reg, started, completed):
    r, s, c = (sa.func.coalesce(x.c.n, 0) for x in (reg, started, completed))
    return {
        "name": Council.name, "code": Council.code, "nation": Council.nation, "type": Council.type,
        "region": Council.region, "registered": r, "started": s, "completed": c,
        "rate": sa.case((r == 0, -1.0), else_=sa.cast(c, sa.Float) / sa.func.nullif(r, 0)),
    }[sort]


def _month_expr(session: Session, column):
    # Literal formats (not bound parameters) so PostgreSQL sees the same expression in GROUP BY.
    if session.get_bind().dialect.name == "postgresql":
        return sa.func.to_char(column, sa.literal_column("'YYYY-MM'"))
    return sa.func.strftime(sa.literal_column("'%Y-%m'"), column)


def month_keys(end: date, count: int = MONTHS) -> list[str]:
    """The ``count`` months ending with ``end``'s month, oldest first, as ``YYYY-MM``."""
    y, m = end.year, end.month
    keys = []
    for _ in range(count):
        keys.append(f"{y:04d}-{m:02d}")
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return keys[::-1]


# Public queries -----------------------------------------------------------------------------

def council_rows(session: Session, f: Filters, sort: str = "name", descending: bool = False,
                 module_slugs: tuple[str, ...] = ()) -> list[CouncilRow]:
    """Every council matching the filters, with its counts, sorted. Two queries."""
    if sort not in COUNCIL_SORTS:
        raise ValueError(f"unknown sort {sort!r}")
    reg, started, completed = _registered_sq(f), _started_sq(f), _completed_sq(f)
    key = _sort_column(sort, reg, started, completed)
    order = [key.desc() if descending else key.asc(), Council.name.asc(), Council.id.asc()]
    stmt = (
        sa.select(Council.id, Council.code, Council.name, Council.nation, Council.type, Council.region,
                  sa.func.coalesce(reg.c.n, 0), sa.func.coalesce(started.c.n, 0),
                  sa.func.coalesce(completed.c.n, 0))
        .select_from(Council)
        .outerjoin(reg, reg.c.council_id == Council.id)
        .outerjoin(started, started.c.council_id == Council.id)
        .outerjoin(completed, completed.c.council_id == Council.id)
        .where(*_council_conditions(f))
        .order_by(*order)
    )
    rows = session.execute(stmt).all()
    per_module = module_counts_by_council(session, f, module_slugs)
    return [CouncilRow(id=r[0], code=r[1], name=r[2], nation=r[3], type=r[4], region=r[5],
                       registered=r[6], started=r[7], completed=r[8],
                       modules={slug: per_module.get((r[0], slug), 0) for slug in module_slugs})
            for r in rows]


def module_counts_by_council(session: Session, f: Filters, module_slugs: tuple[str, ...] = ()
                             ) -> dict[tuple[int, str], int]:
    """{(council id, module slug): learners who completed it}. One grouped query.

    Counted by the completion's own ``council_id`` (the learner's council, copied when it was
    written), erased accounts included. Without a date filter it reads only the
    (course, council, module) index, minus the completions of staff accounts (a handful).
    """
    scope = [ModuleCompletion.course_slug == f.course_slug]
    if f.council_id is not None:
        scope.append(ModuleCompletion.council_id == f.council_id)
    if f.module:
        scope.append(ModuleCompletion.module_slug == f.module)
    elif module_slugs:
        scope.append(ModuleCompletion.module_slug.in_(module_slugs))
    keys = (ModuleCompletion.council_id, ModuleCompletion.module_slug)
    if f.date_from or f.date_to:  # a registration cohort: the learner's own dates are needed
        stmt = (sa.select(*keys, sa.func.count()).join(User, User.id == ModuleCompletion.user_id)
                .where(*scope, *_learner_conditions(f, include_deleted=True)).group_by(*keys))
    else:
        stmt = sa.union_all(
            sa.select(*keys, sa.func.count()).where(*scope).group_by(*keys),
            sa.select(*keys, -sa.func.count())
            .where(*scope, ModuleCompletion.user_id.in_(sa.select(User.id).where(User.role != Role.LEARNER.value)))
            .group_by(*keys))
    counts: dict[tuple[int, str], int] = {}
    for cid, slug, n in session.execute(stmt):
        counts[(cid, slug)] = counts.get((cid, slug), 0) + n
    return {key: n for key, n in counts.items() if n}


def totals(rows: list[CouncilRow]) -> Totals:
    """Programme totals: each learner belongs to one council, so council counts add up."""
    return Totals(registered=sum(r.registered for r in rows), started=sum(r.started for r in rows),
                  completed=sum(r.completed for r in rows))


def programme_totals(session: Session, f: Filters) -> Totals:
    return totals(council_rows(session, f))


def completions_by_month(session: Session, f: Filters, *, today: date | None = None,
                         months: int = MONTHS) -> list[tuple[str, int]]:
    """Completions per calendar month for the last ``months`` months (ending at ``date_to`` if given)."""
    end = f.date_to or (today or utcnow().date())
    keys = month_keys(end, months)
    start = datetime(int(keys[0][:4]), int(keys[0][5:]), 1)
    stop = _as_end(end)
    if f.module:
        when = ModuleCompletion.completed_at
        stmt = (sa.select(_month_expr(session, when), sa.func.count())
                .select_from(ModuleCompletion).join(User, User.id == ModuleCompletion.user_id)
                .join(Council, Council.id == User.council_id)
                .where(ModuleCompletion.course_slug == f.course_slug, ModuleCompletion.module_slug == f.module,
                       *_learner_conditions(f, include_deleted=True)))
    else:
        when = Certificate.issued_at
        stmt = (sa.select(_month_expr(session, when), sa.func.count())
                .select_from(Certificate).outerjoin(User, User.id == Certificate.user_id)
                .join(Council, Council.id == Certificate.council_id)
                .where(*_certificate_conditions(f), Certificate.cycle == 1))
    stmt = stmt.where(when >= start, when < stop, *_council_conditions(f)).group_by(_month_expr(session, when))
    found = {k: n for k, n in session.execute(stmt)}
    return [(k, found.get(k, 0)) for k in keys]


def dashboard(session: Session, f: Filters, *, module_slugs: tuple[str, ...] = (), sort: str = "name",
              descending: bool = False, page: int = 1, per_page: int = PAGE_SIZE,
              today: date | None = None) -> Dashboard:
    """Everything the dashboard shows, in three queries."""
    rows = council_rows(session, f, sort, descending, module_slugs)
    page = max(1, page)
    start = (page - 1) * per_page
    regions: dict[str, Totals] = {}
    for r in rows:
        t = regions.get(r.region, Totals())
        regions[r.region] = Totals(t.registered + r.registered, t.started + r.started, t.completed + r.completed)
    shown_modules = (f.module,) if f.module else module_slugs
    modules = [(slug, sum(r.modules.get(slug, 0) for r in rows)) for slug in shown_modules]
    return Dashboard(
        filters=f, totals=totals(rows), councils=Page(rows[start:start + per_page], page, per_page, len(rows)),
        all_councils=rows, months=completions_by_month(session, f, today=today), modules=modules,
        regions=sorted(regions.items()), sort=sort, descending=descending,
    )


def filter_choices(session: Session) -> dict[str, list[str]]:
    """Distinct nations, council types and regions for the filter selects (one query)."""
    rows = session.execute(sa.select(Council.nation, Council.type, Council.region)
                           .where(Council.current.is_(True)).distinct()).all()
    return {"nations": sorted({r[0] for r in rows}), "types": sorted({r[1] for r in rows}),
            "regions": sorted({r[2] for r in rows})}


def council_learners(session: Session, f: Filters, course, *, sort: str = "name", descending: bool = False
                     ) -> list[LearnerRow]:
    """The learners of ``f.council_id`` with their progress. Four queries whatever the council size."""
    if f.council_id is None:
        raise ValueError("council_learners needs a council scope")
    if sort not in LEARNER_SORTS:
        raise ValueError(f"unknown sort {sort!r}")
    conds = _learner_conditions(f)
    if f.search:
        needle = f"%{_escape_like(f.search.strip().lower())}%"
        conds.append(sa.or_(sa.func.lower(User.name).like(needle, escape="\\"),
                            sa.func.lower(User.email).like(needle, escape="\\")))
    people = session.execute(sa.select(User.id, User.name, User.email, User.created_at, User.last_active_at)
                             .where(*conds)).all()
    in_council = sa.select(User.id).where(*conds).scalar_subquery()
    seen: dict[int, dict[str, int]] = {}
    last_seen: dict[int, datetime] = {}
    for uid, slug, pages, last in session.execute(
            sa.select(PageView.user_id, PageView.module_slug, sa.func.count(), sa.func.max(PageView.last_seen_at))
            .where(PageView.course_slug == course.slug, PageView.user_id.in_(in_council))
            .group_by(PageView.user_id, PageView.module_slug)):
        seen.setdefault(uid, {})[slug] = pages
        if last and (uid not in last_seen or last > last_seen[uid]):
            last_seen[uid] = last
    done: dict[int, set[str]] = {}
    for uid, slug in session.execute(
            sa.select(ModuleCompletion.user_id, ModuleCompletion.module_slug)
            .where(ModuleCompletion.course_slug == course.slug, ModuleCompletion.user_id.in_(in_council))):
        done.setdefault(uid, set()).add(slug)
    certs: dict[int, Certificate] = {}
    for cert in session.scalars(
            sa.select(Certificate).where(Certificate.course_slug == course.slug,
                                         Certificate.user_id.in_(in_council))
            .order_by(Certificate.user_id, Certificate.cycle)):
        certs[cert.user_id] = cert  # the latest cycle wins
    required = course.required_modules or course.modules
    now = utcnow()
    out = []
    for uid, name, email, created, active in people:
        completed = done.get(uid, set())
        pct = []
        for m in required:
            total = len(m.pages) + (1 if m.has_quiz else 0)
            if m.slug in completed or not total:
                pct.append(100)
            else:
                pct.append(100 * min(seen.get(uid, {}).get(m.slug, 0), len(m.pages)) / total)
        cert = certs.get(uid)
        last = max([d for d in (active, last_seen.get(uid)) if d], default=None)
        out.append(LearnerRow(
            id=uid, name=name, email=email, registered_at=created,
            progress=round(sum(pct) / len(pct)) if pct else 0,
            modules_completed=sum(1 for m in course.modules if m.slug in completed),
            completed_modules=tuple(m.slug for m in course.modules if m.slug in completed),
            last_activity=last, certificate_code=cert.display_code if cert else None,
            certificate_status=cert.status(now) if cert else None,
        ))
    keyfuncs = {
        "name": lambda r: (r.name.lower(), r.id), "email": lambda r: ((r.email or "").lower(), r.id),
        "progress": lambda r: (r.progress, r.name.lower(), r.id),
        "modules": lambda r: (r.modules_completed, r.name.lower(), r.id),
        "last_activity": lambda r: (r.last_activity or datetime.min, r.name.lower(), r.id),
        "certificate": lambda r: (r.certificate_status or "", r.name.lower(), r.id),
    }
    out.sort(key=keyfuncs[sort], reverse=descending)
    return out


def paginate(items: list, page: int, per_page: int = PAGE_SIZE) -> Page:
    page = max(1, page)
    start = (page - 1) * per_page
    return Page(items[start:start + per_page], page, per_page, len(items))


CERTIFICATE_STATUSES = (VALID, EXPIRED, REVOKED, WITHDRAWN)
