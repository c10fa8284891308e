"""What the badge means, in public (no sign-in), in English and Welsh; the badge image; the issuer
profile from settings; and the holder's page with LinkedIn and wallet options."""
import io
from urllib.parse import parse_qs, urlsplit

import pytest

from cert_helpers import issue, page_text


def _welsh(client):
    client.get("/language/cy?next=/")
    return client


def test_the_achievement_page_is_public_and_says_what_the_course_covers(client):
    response = client.get("/achievements/digital-leadership")
    assert response.status_code == 200  # no redirect to sign-in
    text = page_text(client.page("/achievements/digital-leadership"))
    assert "Badge: Digital leadership" in text
    assert "What the course covers" in text and "Cyber security" in text
    assert "Outcomes" in text and "Security and resilience" in text
    assert "Edition 2026.1" in text
    assert client.get("/achievements/no-such-course").status_code == 404


def test_the_criteria_page_gives_the_pass_rules(client):
    text = page_text(client.page("/achievements/digital-leadership/criteria"))
    assert "Criteria and pass rules" in text
    assert "read every page of every required module" in text
    assert "The pass mark is 80% unless a module sets its own." in text
    assert "current for 48 months" in text


def test_the_public_pages_are_in_welsh(client):
    _welsh(client)
    text = page_text(client.page("/achievements/digital-leadership"))
    assert "Beth mae'r cwrs yn ymdrin ag ef" in text and "Canlyniadau" in text
    criteria = page_text(client.page("/achievements/digital-leadership/criteria"))
    assert "Meini prawf a rheolau pasio" in criteria and "Y marc pasio yw 80%" in criteria


def test_the_badge_is_served_as_png_and_svg(client):
    from defusedxml import ElementTree
    from PIL import Image

    png = client.get("/achievements/digital-leadership/badge.png")
    assert png.status_code == 200 and png.mimetype == "image/png"
    image = Image.open(io.BytesIO(png.data))
    assert image.format == "PNG" and image.size == (512, 512)
    svg = client.get("/achievements/digital-leadership/badge.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    root = ElementTree.fromstring(svg.data)
    assert root.find("{http://www.w3.org/2000/svg}title").text == "Leadership Essentials course badge"
    assert client.get("/achievements/digital-leadership/badge.gif").status_code == 404


def test_the_issuer_profile_names_the_organisation_from_settings(make_app):
    from support import Client

    client = Client(make_app(CREDENTIAL_ISSUER_NAME="Local Government Association",
                             CREDENTIAL_ISSUER_URL="https://www.local.gov.uk", CREDENTIAL_ISSUER_EMAIL="badges@example.org")
                    .test_client())
    profile = client.get("/issuer").get_json()
    assert profile["id"] == "did:web:localhost" and profile["type"] == ["Profile"]
    assert profile["name"] == "Local Government Association" and profile["url"] == "https://www.local.gov.uk"
    assert profile["email"] == "badges@example.org"
    html = client.get("/issuer", headers={"Accept": "text/html"})
    assert html.mimetype == "text/html"
    text = " ".join(html.get_data(as_text=True).split())
    assert "Local Government Association" in text and "did:web:localhost" in text


def test_credentials_name_the_configured_issuer(make_app, learner):
    from support import Client

    app = make_app(CREDENTIAL_ISSUER_NAME="Local Government Association")
    cert = issue(app, learner)
    credential = Client(app.test_client()).get(f"/verify/{cert.code}/credential.json").get_json()
    assert credential["issuer"]["name"] == "Local Government Association"
    assert credential["credentialSubject"]["achievement"]["creator"]["name"] == "Local Government Association"


def test_the_holder_page_explains_the_badge_and_offers_linkedin_and_wallets(app, signed_in, learner):
    import segno

    cert = issue(app, learner)
    assert f"/certificates/{cert.code}" in str(signed_in.page("/certificates"))
    soup = signed_in.page(f"/certificates/{cert.code}")
    text = page_text(soup)
    assert "What the digital badge is" in text and "It does not contain your email address." in text

    link = soup.find("a", string=lambda s: s and "Add to your LinkedIn profile" in s)["href"]
    parts = urlsplit(link)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "www.linkedin.com", "/profile/add")
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert query == {
        "startTask": "CERTIFICATION_NAME", "name": "Digital leadership for councillors",
        "organizationName": "Leadership Essentials",
        "issueYear": str(cert.issued_at.year), "issueMonth": str(cert.issued_at.month),
        "expirationYear": str(cert.expires_at.year), "expirationMonth": str(cert.expires_at.month),
        "certUrl": f"http://localhost/verify/{cert.code}", "certId": cert.display_code,
    }

    json_url = f"http://localhost/verify/{cert.code}/credential.json"
    assert json_url in text
    svg = soup.find("svg")
    expected = segno.make(json_url, error="m").svg_inline(scale=4, title="QR code for your digital badge")
    assert str(svg) == str(type(soup)(expected, "html.parser").find("svg"))  # the QR code encodes that URL
    download = soup.find("a", href=f"/verify/{cert.code}/credential.json?download=1")
    assert download is not None
    response = signed_in.get(download["href"])
    assert response.mimetype == "application/vc+ld+json"
    assert f'filename="leadership-essentials-{cert.display_code}.json"' in response.headers["Content-Disposition"]


def test_the_holder_page_is_in_welsh(app, signed_in, learner):
    cert = issue(app, learner)
    _welsh(signed_in)
    text = page_text(signed_in.page(f"/certificates/{cert.code}"))
    assert "Beth yw'r bathodyn digidol" in text and "Ychwanegu at eich proffil LinkedIn" in text
    assert "Ei ychwanegu at waled ddigidol" in text


@pytest.mark.parametrize("who", ["other learner", "anonymous"])
def test_only_the_holder_sees_their_badge_page(app, client, learner, make_user, who):
    cert = issue(app, learner)
    if who == "other learner":
        client.sign_in(make_user().email)
        assert client.get(f"/certificates/{cert.code}").status_code == 403
    else:
        response = client.get(f"/certificates/{cert.code}")
        assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
    assert client.get(f"/certificates/{cert.code}.pdf").status_code in (302, 403)  # the PDF route still wins
