"""Authoring fixtures: an app on a temporary COPY of the tiny fixture course, and signed-in clients."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

FIXTURE = Path(__file__).resolve().parent.parent / "content" / "fixtures" / "good" / "courses" / "tiny"
COURSE = "tiny-course"


@pytest.fixture
def courses_dir(tmp_path):
    root = tmp_path / "courses"
    shutil.copytree(FIXTURE, root / "tiny")
    return root


@pytest.fixture
def new_app(make_app):
    """make_app that closes each app's database pool afterwards (no connections left for the GC)."""
    engines = []

    from leadership.extensions import db

    def factory(**cfg):
        if db.session is not None:
            db.session.remove()  # the shared ``db`` is about to be rebound to a new engine
        app = make_app(**cfg)
        engines.append(app.extensions["database"].engine)
        return app

    yield factory
    if db.session is not None:
        db.session.remove()
    for engine in engines:
        engine.dispose()


@pytest.fixture
def author_app(new_app, courses_dir, tmp_path):
    return new_app(COURSES_DIR=str(courses_dir), AUTHORING_UPLOAD_DIR=str(tmp_path / "uploads"),
                   CONTENT_GENERATION_CHECK_SECONDS=0)


@pytest.fixture
def trainer(make_user):
    return make_user("trainer", email="trainer@example.org", name="Tess Trainer")


@pytest.fixture
def trainer2(make_user):
    return make_user("trainer", email="trainer2@example.org", name="Tom Trainer")


@pytest.fixture
def client_for(client):
    """client_for(app, user=None) -> a test client (the suite's Client wrapper) on ``app``."""
    def factory(app, user=None):
        c = type(client)(app.test_client())
        if user is not None:
            c.sign_in(user.email)
        return c

    return factory


@pytest.fixture
def author(author_app, trainer, client_for):
    return client_for(author_app, trainer)
