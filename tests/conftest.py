"""Shared fixtures: a real app on a real database (SQLite file, or PostgreSQL when
TEST_DATABASE_URL is set), real HTTP through the Flask test client, and factories.

The schema is built once per test session by the Alembic migrations (so the
migrations themselves are tested); after each test every table except the
council list is emptied.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
import sqlalchemy as sa

from leadership import create_app
from leadership.config import normalise_database_url

ROOT = Path(__file__).resolve().parent.parent
from support import (DEFAULT_PASSWORD, Client, _current_app, get_council, link_in, login_as,  # noqa: F401
                     outbox_messages, text)


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return normalise_database_url(url)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    url = _database_url(tmp_path_factory)
    engine = sa.create_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def instance_path(tmp_path_factory):
    return tmp_path_factory.mktemp("instance")


def base_config(database_url: str, instance_path: Path) -> dict:
    return {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-key-not-for-production",
        # scrypt costs ~0.1-0.3 s per hash; production keeps it (test_production_passwords_are_hashed_with_salted_scrypt).
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "WTF_CSRF_ENABLED": True,
        "RATELIMIT_ENABLED": False,
        "MAIL_OUTBOX_DIR": str(instance_path / "outbox"),
        "PUBLIC_BASE_URL": "http://localhost",
        "SERVER_NAME": None,
        "MAIL_SMTP_HOST": "",
        "NOTIFY_API_KEY": "",
    }


@pytest.fixture(scope="session")
def _schema(database_url, instance_path):
    """Migrate an empty database to head once, and load the councils."""
    os.environ["LEADERSHIP_INSTANCE_PATH"] = str(instance_path)
    app = create_app(base_config(database_url, instance_path))
    with app.app_context():
        from leadership.cli import upgrade_database
        from leadership.councils.loader import load_councils
        from leadership.extensions import db

        upgrade_database()
        load_councils(db.session)
        db.session.remove()
    yield app
    from leadership.extensions import db

    db.dispose()  # close pooled connections before the interpreter's garbage collection


@pytest.fixture(scope="session")
def make_app(_schema, database_url, instance_path):
    """Build another app on the same database with extra configuration."""
    def factory(**overrides):
        return create_app({**base_config(database_url, instance_path), **overrides})

    return factory


@pytest.fixture(scope="session")
def app(_schema):
    return _schema


KEEP_TABLES = {"council", "alembic_version"}


@pytest.fixture(autouse=True)
def _clean_tables(request, database_url, instance_path):
    yield
    if "_schema" not in request.fixturenames and "app" not in request.fixturenames:
        return
    from leadership.db import Base
    from leadership import models  # noqa: F401

    engine = sa.create_engine(database_url)
    with engine.begin() as conn:
        existing = set(sa.inspect(conn).get_table_names())
        tables = [t for t in reversed(Base.metadata.sorted_tables)
                  if t.name not in KEEP_TABLES and t.name in existing]
        if engine.dialect.name == "postgresql":
            # audit_event is append-only (a trigger refuses UPDATE/DELETE/TRUNCATE): replica mode
            # skips triggers for this cleanup transaction only.
            conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
            conn.execute(sa.text("TRUNCATE " + ", ".join(f'"{t.name}"' for t in tables) + " RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())
    engine.dispose()
    outbox = instance_path / "outbox"
    if outbox.exists():
        for f in outbox.glob("*.eml"):
            f.unlink()


@pytest.fixture(autouse=True)
def _restore_shared_database(request):
    """``make_app`` rebinds the process-wide ``db`` extension to a new engine. After each test,
    put the original back and dispose of the new one, so its pooled connections are closed
    (not garbage-collected while open, which PostgreSQL turns into ResourceWarnings)."""
    if not {"app", "_schema", "make_app"} & set(request.fixturenames):
        yield
        return
    from leadership.extensions import db

    saved = (db.engine, db.session)
    yield
    if db.engine is not saved[0]:
        if db.session is not None:
            db.session.remove()
        db.engine.dispose()
        db.engine, db.session = saved


@pytest.fixture
def db_session(app):
    """A session of the test's own (no app context is held open, so requests made
    through the test client get their own context and session, as in production)."""
    from sqlalchemy.orm import Session

    from leadership.extensions import db

    session = Session(bind=db.engine, expire_on_commit=False)
    yield session
    session.rollback()
    session.close()


@pytest.fixture
def council(app):
    return get_council("CRF")


@pytest.fixture
def other_council(app):
    return get_council("MAN")


@pytest.fixture(autouse=True)
def _remember_app(request):
    if "app" in request.fixturenames or "_schema" in request.fixturenames:
        _current_app["app"] = request.getfixturevalue("app")
    yield



@pytest.fixture
def make_user(app):
    """Create a user: make_user(role="learner", council="CRF", email=None, name=None, password=...)."""
    from leadership.auth import service
    from leadership.auth.models import Role
    from leadership.extensions import db

    counter = {"n": 0}

    def factory(role="learner", council="CRF", email=None, name=None, password=DEFAULT_PASSWORD, mfa=None):
        """Staff get TEST_TOTP_SECRET (two-step verification is required for them) unless mfa=False;
        a learner gets it with mfa=True."""
        counter["n"] += 1
        with app.app_context():
            c = get_council(council)
            c = db.session.merge(c)
            user = service.create_user(db.session, name=name or f"Test User {counter['n']}",
                                       email=email or f"user{counter['n']}-{role}@example.org",
                                       password=password, council=c, role=Role(role))
            if mfa if mfa is not None else Role(role).is_staff:
                from leadership.db import utcnow
                from support import TEST_TOTP_SECRET

                user.totp_secret, user.mfa_enabled_at = TEST_TOTP_SECRET, utcnow()
                db.session.commit()
            db.session.expunge(user)
            db.session.remove()
            return user

    return factory


@pytest.fixture
def learner(make_user):
    return make_user("learner", name="Cllr Ada Lovelace", email="ada@example.org")


@pytest.fixture
def client(app):
    return Client(app.test_client())


@pytest.fixture
def signed_in(client, learner):
    client.sign_in(learner.email)
    return client


