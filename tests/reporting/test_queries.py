"""The aggregation functions against the hand-computed dataset (see conftest.py)."""
from __future__ import annotations

from datetime import date

import pytest

from leadership.reporting import queries
from tests.reporting.conftest import MODULES


@pytest.fixture
def session(app):
    from leadership.extensions import db

    with app.app_context():
        yield db.session
        db.session.remove()


def rows_by_code(rows):
    return {r.code: r for r in rows if r.code in ("CRF", "MAN", "KEN")}


def test_per_council_counts_and_programme_totals(dataset, session):
    rows = queries.council_rows(session, queries.Filters(), module_slugs=tuple(MODULES))
    by = rows_by_code(rows)
    assert (by["CRF"].registered, by["CRF"].started, by["CRF"].completed) == (3, 2, 2)
    assert (by["MAN"].registered, by["MAN"].started, by["MAN"].completed) == (2, 2, 0)
    assert (by["KEN"].registered, by["KEN"].started, by["KEN"].completed) == (1, 0, 0)
    assert by["CRF"].rate == pytest.approx(2 / 3)
    assert by["CRF"].modules["introduction"] == 3  # ann, ben and the deleted dan still count
    assert by["CRF"].modules["digitalisation"] == 1 and by["MAN"].modules["digitalisation"] == 1
    assert by["CRF"].modules["cyber-security"] == 1 and by["MAN"].modules["cyber-security"] == 0
    others = [r for r in rows if r.code not in by]
    assert others and all(r.registered == r.started == r.completed == 0 for r in others)
    t = queries.totals(rows)
    assert (t.registered, t.started, t.completed) == (6, 4, 2)
    assert t.rate == pytest.approx(1 / 3)


def test_filters_nation_region_type_search(dataset, session):
    wales = queries.council_rows(session, queries.Filters(nation="Wales"))
    assert {r.nation for r in wales} == {"Wales"} and "CRF" in {r.code for r in wales}
    assert queries.totals(wales).registered == 3
    nw = queries.council_rows(session, queries.Filters(region="North West"))
    assert queries.totals(nw).registered == 2
    county = queries.council_rows(session, queries.Filters(council_type="County"))
    assert queries.totals(county).registered == 1
    found = queries.council_rows(session, queries.Filters(search="manchester"))
    assert [r.code for r in found] == ["MAN"]
    assert [r.code for r in queries.council_rows(session, queries.Filters(search="crf"))] == ["CRF"]
    assert queries.council_rows(session, queries.Filters(search="100%_")) == []


def test_module_filter_and_date_cohort(dataset, session):
    by = rows_by_code(queries.council_rows(session, queries.Filters(module="digitalisation")))
    # started = registered learners with a page view in the module; completed = module completions
    assert (by["CRF"].started, by["CRF"].completed) == (2, 1)
    assert (by["MAN"].started, by["MAN"].completed) == (1, 1)
    cohort = rows_by_code(queries.council_rows(session, queries.Filters(date_from=date(2026, 2, 1),
                                                                         date_to=date(2026, 4, 30))))
    # Registered Feb–Apr: ben, cat (CRF), eve (MAN). The erased holder's registration date is unknown.
    assert (cohort["CRF"].registered, cohort["CRF"].started, cohort["CRF"].completed) == (2, 1, 0)
    assert (cohort["MAN"].registered, cohort["KEN"].registered) == (1, 0)


def test_scope_limits_everything_to_one_council(dataset, session, app):
    from tests.conftest import get_council

    crf = get_council("CRF")
    rows = queries.council_rows(session, queries.Filters(nation="England", council_id=crf.id))
    assert rows == []  # scope and filter disagree: nothing, never another council
    rows = queries.council_rows(session, queries.Filters(council_id=crf.id))
    assert [r.code for r in rows] == ["CRF"]


def test_sorting_and_pagination(dataset, session):
    rows = queries.council_rows(session, queries.Filters(), sort="registered", descending=True)
    assert [r.code for r in rows[:3]] == ["CRF", "MAN", "KEN"]
    rows = queries.council_rows(session, queries.Filters(), sort="rate", descending=True)
    assert rows[0].code == "CRF"
    names = [r.name for r in queries.council_rows(session, queries.Filters(), sort="name")]
    assert names == sorted(names, key=lambda n: n) or names[0] <= names[-1]
    with pytest.raises(ValueError):
        queries.council_rows(session, queries.Filters(), sort="id; drop table council")
    d = queries.dashboard(session, queries.Filters(nation="Wales"), sort="name", page=2, per_page=5)
    assert d.councils.page == 2 and len(d.councils.items) == 5 and d.councils.total == 22
    assert d.councils.pages == 5
    assert d.councils.items[0].name == sorted(r.name for r in d.all_councils)[5]


def test_completions_by_month(dataset, session):
    months = queries.completions_by_month(session, queries.Filters(), today=date(2026, 11, 25))
    assert len(months) == 18 and months[-1][0] == "2026-11" and months[0][0] == "2025-06"
    found = dict(months)
    assert found["2026-06"] == 1  # ann; fay's June certificate is revoked
    assert found["2026-04"] == 1  # the erased holder
    assert sum(found.values()) == 2
    mod = dict(queries.completions_by_month(session, queries.Filters(module="digitalisation"),
                                            today=date(2026, 11, 25)))
    assert mod["2026-06"] == 1 and mod["2026-07"] == 1


def test_council_learners(dataset, session, app):
    from leadership.catalogue import catalogue_service
    from tests.conftest import get_council

    with app.app_context():
        course = catalogue_service.get().course("digital-leadership")
    crf = get_council("CRF")
    learners = queries.council_learners(session, queries.Filters(council_id=crf.id), course, sort="progress",
                                        descending=True)
    assert [r.email for r in learners] == ["ann@example.org", "ben@example.org", "cat@example.org"]
    ann, ben, cat = learners
    assert ann.progress == 100 and ann.modules_completed == 9
    assert ann.certificate_code == "AAAAA-BBBBB-CCCCC" and ann.certificate_status == "valid"
    assert 0 < ben.progress < 100 and ben.modules_completed == 1
    assert cat.progress == 0 and cat.last_activity is None and cat.certificate_code is None
    found = queries.council_learners(session, queries.Filters(council_id=crf.id, search="BOWEN"), course)
    assert [r.name for r in found] == ["Ben Bowen"]


def test_query_count_is_constant(app, make_user, session):
    """The dashboard runs the same number of queries with 3 councils' data as with 30."""
    import sqlalchemy as sa
    from sqlalchemy import event

    from leadership.councils.models import Council
    from leadership.extensions import db
    from leadership.learning.models import PageView
    from leadership.learning.progress import record_course_start

    codes = list(session.scalars(sa.select(Council.code).where(Council.current.is_(True))
                                 .order_by(Council.code).limit(30)))
    session.remove()

    from leadership.auth.models import User

    def add(codes_):
        with app.app_context():
            for code in codes_:
                council_id = db.session.scalar(sa.select(Council.id).where(Council.code == code))
                u = User(email=f"qc-{code}@example.org", name=f"Learner {code}", council_id=council_id)
                db.session.add(u)
                db.session.flush()
                db.session.add(PageView(user_id=u.id, course_slug="digital-leadership", module_slug="introduction",
                                        page_number=1, content_version="v1"))
                record_course_start(db.session, user_id=u.id, course_slug="digital-leadership")
            db.session.commit()
            db.session.remove()

    def count():
        n = 0

        def listener(*_args):
            nonlocal n
            n += 1

        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", listener)
            try:
                d = queries.dashboard(db.session, queries.Filters(), module_slugs=tuple(MODULES))
            finally:
                event.remove(db.engine, "before_cursor_execute", listener)
            db.session.remove()
        return n, d.totals.started

    add(codes[:3])
    few, started_few = count()
    add(codes[3:30])
    many, started_many = count()
    assert (started_few, started_many) == (3, 30)
    assert few == many
    assert few <= 4
