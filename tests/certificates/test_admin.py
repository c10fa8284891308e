from support import Client

from cert_helpers import audit_events, issue, page_text, reload


def _client(app, user):
    c = Client(app.test_client())
    c.sign_in(user.email)
    return c


def test_name_correction_end_to_end(app, make_user, signed_in, learner, client):
    cert = issue(app, learner)
    url = f"/certificates/{cert.code}/correct-name"
    assert signed_in.post(url, {"requested_name": "", "reason": ""}).status_code == 400
    response = signed_in.post(url, {"requested_name": "Cllr Ada King-Lovelace", "reason": "Spelling"})
    assert response.status_code == 302
    assert signed_in.post(url, {"requested_name": "Other", "reason": "again"}).status_code == 409
    assert reload(app, cert).holder_name == "Cllr Ada Lovelace"  # nothing changes until approved
    assert "asked for the name to be corrected" in page_text(signed_in.page("/certificates"))

    someone = make_user("learner")
    assert _client(app, someone).get(url).status_code == 403
    assert _client(app, make_user("council_admin")).get("/admin/name-corrections").status_code == 403

    admin = _client(app, make_user("lga_admin"))
    soup = admin.page("/admin/name-corrections")
    assert "Cllr Ada King-Lovelace" in page_text(soup)
    action = soup.find("form", action=lambda a: a and "/admin/name-corrections/" in a)["action"]
    response = admin.post(action, {"decision": "approve"}, token_from="/admin/name-corrections")
    assert response.status_code == 302
    after = reload(app, cert)
    assert after.holder_name == "Cllr Ada King-Lovelace" and after.code == cert.code
    (event,) = audit_events(app, "certificate.name_correction.approve")
    assert event.target == f"certificate:{cert.code}"
    assert event.detail["from"] == "Cllr Ada Lovelace" and event.detail["to"] == "Cllr Ada King-Lovelace"
    assert "Cllr Ada King-Lovelace" in page_text(client.page(f"/verify/{cert.code}"))
    assert admin.post(action, {"decision": "approve"}, token_from="/admin/name-corrections").status_code == 409


def test_only_lga_admin_can_revoke(app, make_user, learner, client):
    cert = issue(app, learner)
    url = f"/admin/certificates/{cert.code}/revoke"
    for role in ("learner", "council_admin", "trainer"):
        assert _client(app, make_user(role)).get(url).status_code == 403
    holder = _client(app, learner)
    assert holder.get(url).status_code == 403

    admin = _client(app, make_user("lga_admin"))
    soup = admin.page(f"/admin/certificates?code={cert.display_code}")
    assert "ada@example.org" in page_text(soup)  # staff see who holds it
    assert admin.page("/admin/certificates?code=nope", status=400)
    assert admin.page("/admin/certificates?code=ABCDE-FGHJK-MNPQR", status=404)
    assert "govuk-warning-text" in str(admin.page(url))
    assert admin.post(url, {"reason": "Issued in error"}).status_code == 400  # must confirm
    assert reload(app, cert).revoked_at is None
    response = admin.post(url, {"reason": "Issued in error", "confirm": "y"})
    assert response.status_code == 302
    assert reload(app, cert).revoked_reason == "Issued in error"
    (event,) = audit_events(app, "certificate.revoke")
    assert event.detail["reason"] == "Issued in error"
    assert "This certificate has been revoked" in page_text(client.page(f"/verify/{cert.code}"))


def test_my_certificates_and_course_panel(app, signed_in, learner):
    assert "do not have any certificates" in page_text(signed_in.page("/certificates"))
    cert = issue(app, learner)
    text = page_text(signed_in.page("/certificates"))
    assert cert.display_code in text and "Current" in text and "LinkedIn" in text
    soup = signed_in.page("/courses/digital-leadership")
    assert soup.find(class_="govuk-panel") is not None and "Course complete" in page_text(soup)
    nav = [a.get_text(strip=True) for a in soup.select(".govuk-service-navigation a")]
    assert "Certificates" in nav


def test_an_expired_certificate_offers_the_refresher(app, signed_in, learner):
    from datetime import datetime

    from cert_helpers import real_course

    issue(app, learner, real_course(app, valid_for_months=6), now=datetime(2021, 1, 1))
    soup = signed_in.page("/certificates")
    assert "Take the refresher course" in page_text(soup)
    assert "expired" in page_text(signed_in.page("/courses/digital-leadership"))
