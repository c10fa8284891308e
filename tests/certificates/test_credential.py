import base64
import hashlib
import json

import jwt
import pytest

from cert_helpers import issue


def _verify(token: str, jwks_json: dict) -> dict:
    """What a third party does: only the public JWK set and PyJWT."""
    header = jwt.get_unverified_header(token)
    key = next(k for k in jwks_json["keys"] if k["kid"] == header["kid"])
    return jwt.decode(token, jwt.PyJWK(key).key, algorithms=["EdDSA"], options={"verify_aud": False})


def test_jwks_publishes_the_ed25519_public_key(app, client):
    response = client.get("/.well-known/jwks.json")
    assert response.status_code == 200
    (key,) = response.get_json()["keys"]
    assert key["kty"] == "OKP" and key["crv"] == "Ed25519" and key["alg"] == "EdDSA" and key["use"] == "sig"
    assert "d" not in key  # never the private part
    core = json.dumps({"crv": key["crv"], "kty": key["kty"], "x": key["x"]}, separators=(",", ":"))
    assert key["kid"] == base64.urlsafe_b64encode(hashlib.sha256(core.encode()).digest()).rstrip(b"=").decode()


def test_signing_key_lives_in_instance_with_private_permissions(app):
    import os
    from pathlib import Path

    from leadership.certificates.keys import key_path, signing_key

    signing_key(app)
    path = Path(key_path(app))
    assert path.parent == Path(app.instance_path)
    assert oct(os.stat(path).st_mode & 0o777) == "0o600"


def test_the_credential_verifies_with_only_the_jwks(app, client, learner):
    cert = issue(app, learner)
    response = client.get(f"/verify/{cert.code}/credential?download=1")
    assert response.status_code == 200 and response.mimetype == "application/vc+jwt"
    assert "attachment" in response.headers["Content-Disposition"]
    token = response.get_data(as_text=True)
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "EdDSA" and header["typ"] == "vc+jwt"
    vc = _verify(token, client.get("/.well-known/jwks.json").get_json())

    assert vc["@context"] == ["https://www.w3.org/ns/credentials/v2",
                              "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
    assert vc["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert vc["issuer"]["name"] == "Leadership Essentials" and vc["issuer"]["id"] == "http://localhost/issuer"
    assert vc["iss"] == vc["issuer"]["id"] and vc["jti"] == vc["id"]
    assert vc["validFrom"].endswith("Z") and vc["validUntil"].endswith("Z") and "exp" in vc
    subject = vc["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    (identity,) = subject["identifier"]
    assert identity["identityType"] == "emailAddress" and identity["hashed"] is True
    expected = "sha256$" + hashlib.sha256(("ada@example.org" + identity["salt"]).encode()).hexdigest()
    assert identity["identityHash"] == expected
    assert "ada@example.org" not in token and "ada@example.org" not in json.dumps(vc)
    achievement = subject["achievement"]
    assert achievement["name"] == "Digital leadership for councillors"
    assert achievement["criteria"]["narrative"]
    codes = {a["targetCode"] for a in achievement["alignment"]}
    assert "security-and-resilience" in codes
    assert all(a["targetUrl"].startswith("https://") for a in achievement["alignment"])
    assert vc["credentialStatus"] == {"id": f"http://localhost/verify/{cert.code}/status",
                                      "type": "1EdTechRevocationList"}


def test_a_tampered_credential_fails_verification(app, client, learner):
    cert = issue(app, learner)
    token = client.get(f"/verify/{cert.code}/credential").get_data(as_text=True)
    jwks_json = client.get("/.well-known/jwks.json").get_json()
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["credentialSubject"]["achievement"]["name"] = "Something grander"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    with pytest.raises(jwt.InvalidSignatureError):
        _verify(f"{header}.{forged}.{signature}", jwks_json)
    # and a token signed by someone else's key is refused too
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    other = jwt.encode(claims, Ed25519PrivateKey.generate(), algorithm="EdDSA",
                       headers={"kid": jwt.get_unverified_header(token)["kid"]})
    with pytest.raises(jwt.InvalidSignatureError):
        _verify(other, jwks_json)


def test_issuer_profile_is_published(app, client):
    profile = client.get("/issuer").get_json()
    assert profile["type"] == ["Profile"] and profile["jwks"] == "http://localhost/.well-known/jwks.json"
