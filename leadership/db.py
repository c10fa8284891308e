"""Database plumbing: one SQLAlchemy engine per app, one scoped session per request.

Plain SQLAlchemy 2 (no Flask-SQLAlchemy): domain functions receive a ``Session``
and never reach for Flask globals, so they run the same in a request, a CLI
command, a benchmark or a test.
"""
from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session, sessionmaker

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    """Timezone-aware now; stored as naive UTC so SQLite and PostgreSQL agree."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def make_engine(url: str) -> sa.Engine:
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # pragma: no cover - trivial
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    return sa.create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


class Database:
    """Holds the engine and the request-scoped session for one app."""

    def __init__(self) -> None:
        self.engine: sa.Engine | None = None
        self.session: scoped_session[Session] | None = None

    def init_app(self, app) -> None:
        # One app per process in production. Tests and benchmarks build several: each
        # rebinds this object, so close the previous pool rather than leave its
        # connections to the garbage collector.
        self.dispose()
        self.engine = make_engine(app.config["DATABASE_URL"])
        factory = sessionmaker(bind=self.engine, expire_on_commit=False)
        self.session = scoped_session(factory)
        app.extensions["database"] = self

        @app.teardown_appcontext
        def _remove_session(exc):
            if self.session is not None:
                if exc is not None:
                    self.session.rollback()
                self.session.remove()

    def dispose(self) -> None:
        if self.session is not None:
            self.session.remove()
        if self.engine is not None:
            self.engine.dispose()
