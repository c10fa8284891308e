"""Quiz fixtures: an app serving the tiny quiz course, and helpers to take its quizzes."""
from __future__ import annotations

from pathlib import Path

import pytest
from quizhelp import COURSE

import leadership.models  # noqa: F401  (loads auth before security; importing security first is circular)

from tests.conftest import Client

COURSES = Path(__file__).parent / "fixtures" / "courses"


@pytest.fixture(scope="session")
def quiz_course():
    from leadership.content import load_catalogue

    catalogue = load_catalogue(COURSES)
    assert not catalogue.problems, catalogue.problems
    return catalogue.course(COURSE)


@pytest.fixture(scope="session")
def _quiz_app(make_app):
    qapp = make_app(COURSES_DIR=str(COURSES))
    yield qapp
    qapp.extensions["database"].dispose()


@pytest.fixture
def quiz_app(_quiz_app, app):
    """The quiz-course app. The catalogue service is process-wide, so point it at the
    fixture course for this test and put the previous state back afterwards."""
    from leadership.catalogue import catalogue_service

    saved = (catalogue_service.root, catalogue_service._catalogue, catalogue_service.watch)
    catalogue_service.root, catalogue_service.watch = COURSES, False
    catalogue_service.reload()
    yield _quiz_app
    catalogue_service.root, catalogue_service._catalogue, catalogue_service.watch = saved


@pytest.fixture
def qclient(quiz_app, learner):
    client = Client(quiz_app.test_client())
    client.sign_in(learner.email)
    return client


@pytest.fixture
def qsession(quiz_app):
    from leadership.extensions import db

    with quiz_app.app_context():
        yield db.session
        db.session.remove()
