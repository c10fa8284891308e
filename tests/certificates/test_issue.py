import os
import threading
from datetime import datetime

import pytest
import sqlalchemy as sa

from cert_helpers import issue, real_course


def test_issue_records_what_is_printed_and_is_idempotent(app, learner):
    course = real_course(app)
    first = issue(app, learner, course, now=datetime(2026, 1, 31, 9, 0))
    again = issue(app, learner, course, now=datetime(2026, 2, 1, 9, 0))
    assert again.id == first.id and again.code == first.code
    assert first.cycle == 1
    assert first.holder_name == "Cllr Ada Lovelace"
    assert first.council_name and first.council_id == learner.council_id
    assert first.course_title == course.certificate.title
    assert first.content_version == course.content_version
    assert first.course_edition == course.edition
    assert first.expires_at == datetime(2030, 1, 31, 9, 0)  # 48 months


def test_month_arithmetic_clamps_the_day():
    from leadership.certificates.service import add_months

    assert add_months(datetime(2026, 1, 31), 1) == datetime(2026, 2, 28)
    assert add_months(datetime(2027, 12, 15), 1) == datetime(2028, 1, 15)


def test_a_new_cycle_only_after_the_previous_certificate_expired(app, learner):
    course = real_course(app, valid_for_months=12)
    first = issue(app, learner, course, now=datetime(2020, 1, 1))
    refresher = issue(app, learner, course)  # now: long after 2021-01-01
    assert refresher.cycle == 2 and refresher.code != first.code
    assert issue(app, learner, course).id == refresher.id


def test_certificates_without_validity_never_expire(app, learner):
    cert = issue(app, learner, real_course(app, valid_for_months=None), now=datetime(2000, 1, 1))
    assert cert.expires_at is None and cert.status() == "valid"


def test_the_unique_constraint_refuses_a_second_row_for_the_same_cycle(app, learner):
    from sqlalchemy.exc import IntegrityError

    from leadership.certificates.codes import new_code
    from leadership.certificates.models import Certificate
    from leadership.extensions import db

    issue(app, learner)
    with app.app_context():
        db.session.add(Certificate(code=new_code(), user_id=learner.id, course_slug="digital-leadership", cycle=1,
                                   course_title="x", content_version="x", holder_name="x"))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
        db.session.remove()


@pytest.mark.postgres
@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"),
                    reason="a true race needs PostgreSQL's row locking (SQLite serialises writers)")
def test_racing_completions_issue_exactly_one_certificate(app, learner):
    from leadership.certificates import service
    from leadership.certificates.models import Certificate
    from leadership.extensions import db

    course = real_course(app)
    barrier = threading.Barrier(8)
    codes, errors = [], []

    def complete():
        try:
            with app.app_context():
                session = db.session.session_factory()  # a separate session and connection per thread
                barrier.wait()
                codes.append(service.issue_certificate(session, learner.id, course).code)
                session.close()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=complete) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(set(codes)) == 1
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Certificate)) == 1
        db.session.remove()
