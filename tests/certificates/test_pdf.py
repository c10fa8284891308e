import io
from datetime import datetime

from pypdf import PdfReader

from cert_helpers import issue


def read(data: bytes):
    reader = PdfReader(io.BytesIO(data))
    return reader, " ".join(reader.pages[0].extract_text().split())


def test_the_pdf_prints_name_course_code_and_verification_url(app, signed_in, learner):
    cert = issue(app, learner)
    response = signed_in.get(f"/certificates/{cert.code}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader, text = read(response.data)
    page = reader.pages[0]
    assert float(page.mediabox.width) > float(page.mediabox.height)  # landscape
    assert round(float(page.mediabox.width) / 72 * 25.4) == 297  # A4
    assert "Cllr Ada Lovelace" in text
    assert "Digital leadership for councillors" in text
    assert cert.display_code in text
    assert f"http://localhost/verify/{cert.code}" in text
    assert "Cardiff" in text
    meta = reader.metadata
    assert "Digital leadership for councillors" in meta.title
    assert meta.author == "Leadership Essentials"
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"
    assert "@" not in text  # never the email


def test_the_pdf_is_cached_and_follows_a_name_change(app, learner):
    from leadership.certificates.pdf import CertificatePrint, PdfCache

    data = CertificatePrint(code="K7QM2-XR9TB-4HWNP", holder_name="Siân Ŵyn", council_name="Cyngor Gwynedd",
                            course_title="Arweinyddiaeth ddigidol", wording="has completed the course.",
                            issued_at=datetime(2026, 3, 1), expires_at=None, course_edition="2026.1",
                            content_version="abc123def456", verify_url="http://localhost/verify/K7QM2XR9TB4HWNP",
                            language="bilingual")
    cache = PdfCache(size=2)
    with app.app_context():
        first = cache.get(data)
        assert cache.get(data) is first
        _, text = read(first)
        assert "Siân Ŵyn" in text  # Welsh letters survive, as real text
        renamed = cache.get(CertificatePrint(**{**data.__dict__, "holder_name": "Siân Ŵyn Jones"}))
        assert "Siân Ŵyn Jones" in read(renamed)[1]
        cache.invalidate("K7QM2-XR9TB-4HWNP")
        assert len(cache) == 0


def test_characters_outside_the_font_are_folded_not_dropped():
    from leadership.certificates.pdf import printable

    assert printable("Zoë Łukasz Ŷr") == "Zoë Łukasz Ŷr"
    assert printable("Ωmega") == "?mega"


def test_a_revoked_certificate_pdf_says_so(app, make_user, client):
    from leadership.certificates import service
    from leadership.extensions import db

    admin = make_user("lga_admin")
    holder = make_user("learner", name="Cllr Grace Hopper")
    cert = issue(app, holder)
    with app.app_context():
        c = service.find_by_code(db.session, cert.code)
        service.revoke_certificate(db.session, c, actor=None, reason="Issued in error")
        db.session.remove()
    client.sign_in(admin.email)
    _, text = read(client.get(f"/certificates/{cert.code}.pdf").data)
    assert "revoked" in text


def test_pdf_access_is_limited_to_holder_lga_and_own_council_admin(app, make_user, client):
    holder = make_user("learner", council="CRF")
    cert = issue(app, holder)
    url = f"/certificates/{cert.code}.pdf"
    assert client.get(url).status_code == 302  # sign in first
    for role, council, status in [("learner", "CRF", 403), ("council_admin", "MAN", 403),
                                  ("council_admin", "CRF", 200), ("lga_admin", "MAN", 200),
                                  ("trainer", "CRF", 403)]:
        other = make_user(role, council=council)
        from support import Client

        c = Client(app.test_client())
        c.sign_in(other.email)
        assert c.get(url).status_code == status, (role, council)
    assert client.get("/certificates/ABCDE-FGHJK-MNPQR.pdf").status_code in (302, 404)


def test_unknown_language_is_refused(app, signed_in, learner):
    cert = issue(app, learner)
    assert signed_in.get(f"/certificates/{cert.code}.pdf?language=fr").status_code == 400
    assert signed_in.get(f"/certificates/{cert.code}.pdf?language=cy").status_code == 200
