"""Fixtures for background jobs and notifications: apps with a queue of their own."""
from __future__ import annotations

import uuid

import pytest


@pytest.fixture
def queue_config(tmp_path):
    """A queue nobody else uses: its own Huey name (Redis key prefix) and SQLite file."""
    return {"JOBS_NAME": f"test-jobs-{uuid.uuid4().hex[:10]}", "JOBS_SQLITE_PATH": str(tmp_path / "jobs.sqlite3")}


@pytest.fixture
def jobs_app(make_app, queue_config):
    """An app whose jobs run in-process when enqueued (what a worker would do, without one)."""
    return make_app(JOBS_IMMEDIATE=True, **queue_config)


@pytest.fixture
def queued_app(make_app, queue_config):
    """An app whose jobs wait in its own SQLite queue until a worker or run-due takes them."""
    return make_app(**queue_config)
