"""Helpers for the jobs tests (imported as ``jobhelp``; never import a conftest by name)."""
from __future__ import annotations

import os
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def redis_available() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except Exception:
        return False


def need_redis():
    if not redis_available():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI has Redis, but {REDIS_URL} does not answer")
        pytest.skip(f"Redis is not running at {REDIS_URL}")


def run_due(app, now: datetime, *extra: str):
    result = app.test_cli_runner().invoke(args=["jobs", "run-due", "--now", now.isoformat(), *extra])
    return result


def issue(app, user, *, issued_at: datetime | None = None, months: int | None = None, language="en"):
    """Issue the digital-leadership certificate to ``user`` (as completing the course does)."""
    from leadership.catalogue import catalogue_service
    from leadership.certificates import service
    from leadership.extensions import db

    with app.app_context():
        course = catalogue_service.get().course("digital-leadership")
        cert = service.issue_certificate(db.session, user.id, course, language=language, now=issued_at)
        if months is not None:
            cert.expires_at = service.add_months(cert.issued_at, months)
            db.session.commit()
        db.session.expunge(cert)
        db.session.remove()
    return cert


def set_locale(app, user, locale):
    from leadership.auth.models import User
    from leadership.extensions import db

    with app.app_context():
        db.session.execute(sa.update(User).where(User.id == user.id).values(locale=locale))
        db.session.commit()
        db.session.remove()


def at(day: datetime, hour=8, minute=0) -> datetime:
    return day.replace(hour=hour, minute=minute, second=0, microsecond=0)


def days(n: int) -> timedelta:
    return timedelta(days=n)
