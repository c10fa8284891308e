"""Reporting pages: access control on every route, numbers on screen, exports."""
from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from support import text

from tests.reporting.conftest import sign_in_as as login_as

REPORT_URLS = ["/reports/", "/reports/export.csv", "/reports/export.xlsx", "/reports/councils/CRF",
               "/reports/councils/CRF/export.csv", "/reports/councils/CRF/export.xlsx",
               "/reports/councils/CRF/certificates.zip", "/reports/api-tokens"]


def test_anonymous_is_sent_to_sign_in(client, dataset):
    for url in REPORT_URLS:
        response = client.get(url)
        assert response.status_code == 302 and "/sign-in" in response.headers["Location"], url


def test_learner_gets_403_everywhere(client, dataset):
    login_as(client, dataset["ann"])
    for url in REPORT_URLS:
        assert client.get(url).status_code == 403, url
    assert "Reports" not in text(client.page("/courses/"))


def test_lga_dashboard_shows_hand_computed_numbers(client, dataset):
    login_as(client, dataset["lga"])
    soup = client.page("/reports/?nation=Wales")
    totals = {dd["data-total"]: dd.get_text(strip=True) for dd in soup.select("#totals dd")}
    assert totals == {"registered": "3", "started": "2", "completed": "2", "rate": "66.7%"}
    row = soup.select_one('tr[data-council="CRF"]')
    cells = [c.get_text(strip=True) for c in row.find_all(["th", "td"])]
    assert cells[:9] == ["City of Cardiff Council", "CRF", "Wales", "Welsh unitary authority", "Wales",
                         "3", "2", "2", "66.7%"]
    assert not soup.select('tr[data-council="MAN"]')
    # Charts: accessible SVG with a title, a description stating values, and a data table.
    svg = soup.select_one("svg#chart-months")
    assert svg["role"] == "img" and svg["aria-labelledby"] == "chart-months-title chart-months-desc"
    assert svg.find("title").get_text() and "2026-06: 1" in svg.find("desc").get_text()
    assert soup.select_one("#months-table") and soup.select_one("#rates-table")
    # Sortable headers are links with aria-sort.
    th = soup.select_one('#council-table th[aria-sort="ascending"] a')
    assert "sort=name" in th["href"] and "dir=desc" in th["href"] and "nation=Wales" in th["href"]
    assert "Reports" in text(soup.select_one(".govuk-service-navigation"))


def test_dashboard_sort_search_pagination_and_bad_input(client, dataset):
    login_as(client, dataset["lga"])
    soup = client.page("/reports/?sort=registered&dir=desc")
    first = [tr["data-council"] for tr in soup.select("#council-table tbody tr")[:3]]
    assert first == ["CRF", "MAN", "KEN"]
    assert soup.select_one('th[aria-sort="descending"]')
    soup = client.page("/reports/?q=kent")
    assert [tr["data-council"] for tr in soup.select("#council-table tbody tr")] == ["KEN"]
    soup = client.page("/reports/?page=2")
    assert soup.select_one(".govuk-pagination") and len(soup.select("#council-table tbody tr")) == 50
    assert client.get("/reports/?sort=password").status_code == 400
    assert client.get("/reports/?page=x").status_code == 400
    soup = client.page("/reports/?from=2026-13-01&nation=Atlantis", status=400)
    assert "must be a real date" in text(soup.select_one(".govuk-error-summary"))
    assert soup.title.get_text().startswith("Error:")


def test_council_admin_is_limited_to_their_council(client, dataset):
    login_as(client, dataset["crf_admin"])
    response = client.get("/reports/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/reports/councils/CRF")
    response = client.get("/reports/export.csv?nation=England")
    assert response.status_code == 302 and "/reports/councils/CRF/export.csv" in response.headers["Location"]
    soup = client.page("/reports/councils/crf")
    assert [tr["data-learner"] for tr in soup.select("#learner-table tbody tr")]
    body = text(soup)
    assert "Ann Atkins" in body and "Eve Evans" not in body and "AAAAA-BBBBB-CCCCC" in body
    for url in ["/reports/councils/MAN", "/reports/councils/MAN/export.csv", "/reports/councils/MAN/export.xlsx",
                "/reports/councils/MAN/certificates.zip", "/reports/councils/NOPE", "/reports/api-tokens"]:
        response = client.get(url)
        assert response.status_code in (403, 404), url
        assert b"Eve Evans" not in response.data and b"Fay Fox" not in response.data


def test_csv_export_matches_screen_and_neutralises_formulas(client, dataset):
    login_as(client, dataset["crf_admin"])
    response = client.get("/reports/councils/CRF/export.csv?sort=name")
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    assert "learners-" in disposition and "council-crf" in disposition and disposition.endswith('.csv"')
    raw = response.data.decode("utf-8")
    assert raw.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(raw.lstrip("\ufeff"))))
    names = [r[0] for r in rows[1:]]
    assert names == ["'=HYPERLINK(\"http://evil\")", "Ann Atkins", "Ben Bowen"] or set(names) == {
        "'=HYPERLINK(\"http://evil\")", "Ann Atkins", "Ben Bowen"}
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_xlsx_export_neutralises_formulas(client, dataset):
    login_as(client, dataset["crf_admin"])
    response = client.get("/reports/councils/CRF/export.xlsx")
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.data)).active
    values = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert "'=HYPERLINK(\"http://evil\")" in values
    assert not any(v.startswith("=") for v in values)
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)


def test_lga_export_file_name_and_rows(client, dataset):
    login_as(client, dataset["lga"])
    response = client.get("/reports/export.csv?nation=Wales&page=3")
    assert response.status_code == 200
    name = response.headers["Content-Disposition"]
    assert "completions-" in name and "nation-wales" in name
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert len(rows) == 1 + 22  # every page, same filter
    crf = next(r for r in rows if r[1] == "CRF")
    assert crf[5:9] == ["3", "2", "2", "66.7"]
    xlsx = client.get("/reports/export.xlsx?nation=Wales")
    assert xlsx.status_code == 200 and "nation-wales" in xlsx.headers["Content-Disposition"]


def test_lga_can_open_any_council(client, dataset):
    login_as(client, dataset["lga"])
    soup = client.page("/reports/councils/MAN")
    assert "Eve Evans" in text(soup)
    assert client.get("/reports/councils/ZZZZ").status_code == 404


def test_certificates_zip_for_own_council(client, dataset):
    import zipfile

    login_as(client, dataset["crf_admin"])
    response = client.get("/reports/councils/CRF/certificates.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    assert names == ["ann-atkins-AAAAA-BBBBB-CCCCC.pdf"]  # not the erased holder's
    assert zipfile.ZipFile(io.BytesIO(response.data)).read(names[0]).startswith(b"%PDF")
