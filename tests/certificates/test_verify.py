from datetime import datetime

from cert_helpers import issue, page_text, real_course


def _revoke(app, cert, reason="Issued in error"):
    from leadership.certificates import service
    from leadership.extensions import db

    with app.app_context():
        service.revoke_certificate(db.session, service.find_by_code(db.session, cert.code), actor=None, reason=reason)
        db.session.remove()


def test_a_valid_certificate_is_shown_publicly_without_the_email(app, client, learner):
    cert = issue(app, learner)
    for url in (f"/verify/{cert.code}", f"/verify/{cert.display_code.lower()}"):
        response = client.get(url)
        assert response.status_code == 200
        assert b"ada@example.org" not in response.data and b"@example.org" not in response.data
        text = page_text(client.page(url))
        assert "This certificate is valid" in text
        for shown in ("Cllr Ada Lovelace", "Cardiff", "Digital leadership for councillors", cert.display_code,
                      cert.content_version):
            assert shown in text


def test_an_expired_certificate_says_expired(app, client, learner):
    cert = issue(app, learner, real_course(app, valid_for_months=12), now=datetime(2020, 5, 1))
    text = page_text(client.page(f"/verify/{cert.code}"))
    assert "This certificate has expired" in text and "1 May 2021" in text


def test_a_revoked_certificate_says_revoked_but_not_why(app, client, learner):
    cert = issue(app, learner)
    _revoke(app, cert, reason="Secret internal reason")
    text = page_text(client.page(f"/verify/{cert.code}"))
    assert "This certificate has been revoked" in text
    assert "Secret internal reason" not in text


def test_a_withdrawn_certificate_hides_the_holder(app, client, learner):
    from leadership.certificates import service
    from leadership.extensions import db

    cert = issue(app, learner)
    with app.app_context():
        assert service.withdraw_certificates(db.session, learner.id) == 1
        db.session.commit()
        db.session.remove()
    text = page_text(client.page(f"/verify/{cert.code}"))
    assert "withdrawn" in text and "Ada Lovelace" not in text
    assert client.get(f"/verify/{cert.code}/credential").status_code == 410


def test_unknown_and_malformed_codes_get_a_helpful_404(app, client):
    for code in ("ABCDE-FGHJK-MNPQR", "not-a-code"):
        soup = client.page(f"/verify/{code}", status=404)
        assert "We could not find that certificate" in page_text(soup)


def test_the_verify_form_takes_a_typed_code(app, client, learner):
    cert = issue(app, learner)
    assert client.page("/verify").find("input", {"name": "code"}) is not None
    response = client.get(f"/verify?code={cert.display_code.lower()}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/verify/{cert.code}")
    soup = client.page("/verify?code=12345", status=400)
    assert soup.find(class_="govuk-error-summary") is not None


def test_status_document_follows_revocation(app, client, learner):
    cert = issue(app, learner)
    doc = client.get(f"/verify/{cert.code}/status").get_json()
    assert doc["status"] == "valid" and doc["revokedCredentials"] == []
    _revoke(app, cert)
    doc = client.get(f"/verify/{cert.code}/status").get_json()
    assert doc["status"] == "revoked"
    assert doc["revokedCredentials"][0]["id"] == f"http://localhost/verify/{cert.code}/credential"
