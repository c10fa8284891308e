from support import text


def test_healthz_reports_ok_when_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_start_page_names_service_and_course(client):
    page = client.page("/")
    assert page.title.get_text().endswith("– Leadership Essentials")
    assert page.select_one("h1").get_text(strip=True) == "Learn to lead digital change in your council"
    assert "Digital leadership" in text(page)


def test_security_headers_on_every_page(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "'unsafe-inline'" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_unknown_page_is_a_helpful_404(client):
    page = client.page("/no-such-page", status=404)
    assert page.select_one("h1").get_text(strip=True) == "Page not found"
