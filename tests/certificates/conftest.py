"""Certificate fixtures: the app served over real HTTP (for the independent verifiers)."""
from __future__ import annotations

import pytest

from cert_helpers import serve


@pytest.fixture(scope="session")
def live(make_app):
    """The app on the real courses, served over HTTP: (app, base, origin)."""
    with serve(make_app) as served:
        yield served
