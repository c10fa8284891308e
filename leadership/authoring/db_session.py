"""The request's database session, typed as the ``Session`` the domain functions take."""
from __future__ import annotations

from sqlalchemy.orm import Session

from ..extensions import db


def current_session() -> Session:
    """The app's request-scoped session (what ``db.session`` proxies to in this context)."""
    if db.session is None:
        raise RuntimeError("the database is not set up; create_app() sets it up")
    return db.session()
