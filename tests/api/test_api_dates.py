"""F7 (security test) for the API: ``since`` outside the supported range is a clear 400, never a
500 (a date-time near year 9999 or 1 with an offset overflowed when converted to UTC)."""
from __future__ import annotations

import pytest

from tests.api.test_api import auth


@pytest.mark.parametrize("since", ["9999-12-31T23:59:59Z", "9999-12-31T23:59:59-01:00",
                                   "0001-01-01T00:00:00Z", "0001-01-01T00:00:00+01:00"])
def test_api_since_out_of_range_is_a_clear_400(client, dataset, check, issue, since):
    from urllib.parse import quote

    response = client.get(f"/api/v1/completions?since={quote(since)}", headers=auth(issue()))
    body = check(response, "/completions", 400)
    assert "since must be between 2000-01-01T00:00:00Z and 2099-12-31T23:59:59Z" in body["detail"]
