from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def in_fixtures(monkeypatch):
    """Run with cwd = fixtures/ so problem paths are short and exact."""
    monkeypatch.chdir(FIXTURES)
    return FIXTURES
