"""F7 (security test): a typed date outside the supported range is a clear 400, never a 500.

The report's reproduction was ``GET /reports/?to=9999-12-31`` (OverflowError adding a day);
every route that reads a typed date is tried with both ends of the calendar, as lga_admin
and as council_admin, in both the "from" and the "to" field.
"""
from __future__ import annotations

import pytest

from support import text

from tests.reporting.conftest import sign_in_as

ROUTES = ["/reports/", "/reports/export.csv", "/reports/export.xlsx", "/reports/councils/CRF",
          "/reports/councils/CRF/export.csv", "/reports/councils/CRF/export.xlsx"]
OUT_OF_RANGE = ["9999-12-31", "0001-01-01", "1999-12-31", "2100-01-01"]
MESSAGE = "must be between 1 January 2000 and 31 December 2099"


@pytest.mark.parametrize("who", ["lga", "crf_admin"])
def test_out_of_range_dates_are_a_clear_400_on_every_report_route(client, dataset, who):
    sign_in_as(client, dataset[who])
    problems = []
    # A council_admin's dashboard is their council page (the dashboard redirects without filters).
    for route in ROUTES if who == "lga" else [r for r in ROUTES if r != "/reports/"]:
        for field in ("from", "to"):
            for value in OUT_OF_RANGE:
                response = client.get(f"{route}?{field}={value}", follow_redirects=True)
                body = response.get_data(as_text=True)
                if response.status_code != 400 or MESSAGE not in body:
                    problems.append(f"{route}?{field}={value}: {response.status_code}")
    assert not problems, "\n".join(problems)


def test_the_message_names_the_field_and_the_range(client, dataset):
    sign_in_as(client, dataset["lga"])
    soup = client.page("/reports/?to=9999-12-31", status=400)
    summary = text(soup.select_one(".govuk-error-summary"))
    assert "End date must be between 1 January 2000 and 31 December 2099" in summary
    assert client.get("/reports/?from=2000-01-01&to=2099-12-31").status_code == 200
    assert client.get("/reports/?to=9999-12-30").status_code == 400


def test_the_range_is_welsh_too(client, dataset):
    sign_in_as(client, dataset["lga"])
    client.get("/language/cy?next=/reports/")
    soup = client.page("/reports/?to=9999-12-31", status=400)
    assert "fod rhwng 1 Ionawr 2000 a 31 Rhagfyr 2099" in text(soup.select_one(".govuk-error-summary"))
    assert MESSAGE not in text(soup)
