"""Quiz fixtures: an app serving the tiny quiz course, and helpers to take its quizzes."""
from __future__ import annotations

from pathlib import Path

import pytest
from quizhelp import COURSE

import leadership.models  # noqa: F401  (loads auth before security; importing security first is circular)

from support import Client

COURSES = Path(__file__).parent / "fixtures" / "courses"


@pytest.fixture(scope="session")
def quiz_course():
    from leadership.content import load_catalogue

    catalogue = load_catalogue(COURSES)
    assert not catalogue.problems, catalogue.problems
    return catalogue.course(COURSE)


@pytest.fixture(scope="session")
def _quiz_app(make_app):
    from leadership.extensions import db

    # ``db`` is one Database shared by every app: building another app rebinds it to a new
    # engine, and the old engine's pooled connections would be garbage-collected while open
    # (a ResourceWarning on PostgreSQL). Close them first.
    if db.engine is not None:
        db.session.remove()
        db.engine.dispose()
    qapp = make_app(COURSES_DIR=str(COURSES))
    yield qapp


@pytest.fixture
def quiz_app(_quiz_app, app):
    """The app serving the tiny quiz course (each app has its own catalogue)."""
    return _quiz_app


@pytest.fixture
def qclient(quiz_app, learner):
    client = Client(quiz_app.test_client())
    client.sign_in(learner.email)
    return client


@pytest.fixture
def qsession(quiz_app):
    """A database session of its own (no app context is held open, so requests made
    by the test client get fresh ``g`` and sign-in state)."""
    from sqlalchemy.orm import Session

    session = Session(quiz_app.extensions["database"].engine, expire_on_commit=False)
    yield session
    session.close()
