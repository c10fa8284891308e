from pathlib import Path

import pytest

from content_paths import FIXTURES  # noqa: F401


@pytest.fixture
def in_fixtures(monkeypatch):
    """Run with cwd = fixtures/ so problem paths are short and exact."""
    monkeypatch.chdir(FIXTURES)
    return FIXTURES
