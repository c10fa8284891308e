"""The VC-JWT form of the Open Badges 3.0 credential, checked the way OB 3.0 §8.2 says and by
verifiers that are not the signing code: `jose` (npm) in a node process and joserfc (Python)."""
import base64
import hashlib
import json
import re

import pytest
from joserfc import jwt as jose_jwt
from joserfc.errors import BadSignatureError, JoseError
from joserfc.jwk import KeySet

from cert_helpers import fetch, live_issue, node_verify

UUID_URN = re.compile(r"^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def _b64json(part: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def _joserfc_verify(token: str, jwks_json: dict, issuer: str):
    """A third party in Python, with joserfc (not PyJWT): key by kid, RS256 only, OB 3.0's
    required claims, typ JWT."""
    decoded = jose_jwt.decode(token, KeySet.import_key_set(jwks_json), algorithms=["RS256"])
    assert decoded.header["typ"] == "JWT"
    jose_jwt.JWTClaimsRegistry(iss={"essential": True, "value": issuer}, sub={"essential": True},
                               jti={"essential": True}, nbf={"essential": True}).validate(decoded.claims)
    return decoded


def test_jwks_publishes_the_rsa_and_ed25519_public_keys_with_dereferenceable_kids(live, client):
    _app, base, _origin = live
    status, content_type, body = fetch(live, "/.well-known/jwks.json")
    assert status == 200 and content_type.startswith("application/jwk-set+json")
    keys = json.loads(body)["keys"]
    rsa = [k for k in keys if k["kty"] == "RSA"]
    okp = [k for k in keys if k["kty"] == "OKP"]
    assert len(rsa) == 1 and len(okp) == 1
    assert rsa[0]["alg"] == "RS256" and okp[0]["alg"] == "EdDSA" and okp[0]["crv"] == "Ed25519"
    assert len(base64.urlsafe_b64decode(rsa[0]["n"] + "==")) * 8 >= 2048
    for key in keys:
        assert key["use"] == "sig" and "d" not in key and "p" not in key  # never the private part
        members = {"RSA": ("e", "kty", "n"), "OKP": ("crv", "kty", "x")}[key["kty"]]
        core = json.dumps({m: key[m] for m in members}, separators=(",", ":"))
        thumbprint = base64.urlsafe_b64encode(hashlib.sha256(core.encode()).digest()).rstrip(b"=").decode()
        assert key["kid"] == f"{base}/.well-known/jwks.json#{thumbprint}"  # RFC 7638 thumbprint as fragment


def test_signing_keys_live_in_instance_with_private_permissions(app):
    import os
    from pathlib import Path

    from leadership.certificates.keys import key_path, rsa_key_path, rsa_signing_key, signing_key

    signing_key(app), rsa_signing_key(app)
    for path in (Path(key_path(app)), Path(rsa_key_path(app))):
        assert path.parent == Path(app.instance_path)
        assert oct(os.stat(path).st_mode & 0o777) == "0o600"
    assert rsa_signing_key(app).private_key.key_size >= 2048


def test_the_vc_jwt_follows_ob3_section_8_2(live, learner, tmp_path):
    app, base, _origin = live
    cert = live_issue(live, learner)
    status, content_type, body = fetch(live, f"/verify/{cert.code}/credential")
    assert status == 200 and content_type.startswith("application/vc+jwt")
    token = body.decode()
    header_part, payload_part, _sig = token.split(".")
    header = _b64json(header_part)
    assert header["typ"] == "JWT" and header["alg"] == "RS256"
    assert header["kid"].startswith(f"{base}/.well-known/jwks.json#")
    payload = _b64json(payload_part)
    did = "did:web:localhost%3A" + base.rsplit(":", 1)[1]
    assert payload["iss"] == payload["issuer"]["id"] == did
    assert payload["jti"] == payload["id"] == f"{base}/verify/{cert.code}/credential"
    assert payload["sub"] == payload["credentialSubject"]["id"] and UUID_URN.match(payload["sub"])
    assert payload["nbf"] == payload["iat"] and payload["exp"] > payload["nbf"]
    assert "ada@example.org" not in token and "ada@example.org" not in json.dumps(payload)

    # jose (npm), with the key found through the kid in the live app's JWK set.
    verdict = node_verify("jwt", token, live, tmp_path)
    assert verdict["ok"] is True, verdict
    assert verdict["header"] == header
    assert verdict["checks"] == {"kidIsUri": True, "subMatchesSubject": True, "issMatchesIssuer": True,
                                 "jtiMatchesId": True}
    # joserfc (Python), with the JWK set fetched from the app.
    jwks_json = json.loads(fetch(live, "/.well-known/jwks.json")[2])
    decoded = _joserfc_verify(token, jwks_json, did)
    assert decoded.claims["credentialSubject"]["id"] == payload["sub"]


def test_the_credential_carries_a_subject_id_beside_the_salted_identity_hash(live, learner):
    from leadership.certificates.models import Certificate
    from leadership.extensions import db

    app, base, _origin = live
    cert = live_issue(live, learner)
    payload = _b64json(fetch(live, f"/verify/{cert.code}/credential")[2].decode().split(".")[1])
    subject = payload["credentialSubject"]
    with app.app_context():
        stored = db.session.get(Certificate, cert.id).subject_id
        db.session.remove()
    assert subject["id"] == stored  # stored, so every download carries the same id
    assert payload["sub"] == _b64json(fetch(live, f"/verify/{cert.code}/credential")[2].decode().split(".")[1])["sub"]
    (identity,) = subject["identifier"]
    assert identity["identityType"] == "emailAddress" and identity["hashed"] is True
    assert identity["identityHash"] == "sha256$" + hashlib.sha256(
        ("ada@example.org" + identity["salt"]).encode()).hexdigest()
    achievement = subject["achievement"]
    assert achievement["id"] == f"{base}/achievements/digital-leadership"
    assert achievement["criteria"]["id"] == f"{base}/achievements/digital-leadership/criteria"
    assert achievement["image"] == {"id": f"{base}/achievements/digital-leadership/badge.png", "type": "Image",
                                    "caption": "The Leadership Essentials badge for “Digital leadership for councillors”"}
    assert achievement["version"] == "2026.1"
    assert "security-and-resilience" in {a["targetCode"] for a in achievement["alignment"]}
    position = payload["credentialStatus"]["statusListIndex"]
    assert payload["credentialStatus"] == {
        "id": f"{base}/credentials/status/1#{position}", "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation", "statusListIndex": position,
        "statusListCredential": f"{base}/credentials/status/1"}


@pytest.mark.parametrize("tamper", ["payload", "signature", "alg-none", "hs256-with-public-key"])
def test_a_tampered_vc_jwt_fails_both_verifiers(live, learner, tamper, tmp_path):
    app, base, _origin = live
    cert = live_issue(live, learner)
    token = fetch(live, f"/verify/{cert.code}/credential")[2].decode()
    header, payload, signature = token.split(".")
    enc = lambda obj: base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()  # noqa: E731
    if tamper == "payload":
        claims = _b64json(payload)
        claims["credentialSubject"]["achievement"]["name"] = "Something grander"
        forged = f"{header}.{enc(claims)}.{signature}"
    elif tamper == "signature":
        flipped = bytearray(base64.urlsafe_b64decode(signature + "=="))
        flipped[10] ^= 1
        forged = f"{header}.{payload}.{base64.urlsafe_b64encode(bytes(flipped)).rstrip(b'=').decode()}"
    elif tamper == "alg-none":
        forged = f"{enc({**_b64json(header), 'alg': 'none'})}.{payload}."
    else:
        import hmac

        jwk_n = next(k for k in json.loads(fetch(live, "/.well-known/jwks.json")[2])["keys"] if k["kty"] == "RSA")["n"]
        head = enc({**_b64json(header), "alg": "HS256"})
        mac = hmac.new(jwk_n.encode(), f"{head}.{payload}".encode(), hashlib.sha256).digest()
        forged = f"{head}.{payload}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"
    verdict = node_verify("jwt", forged, live, tmp_path)
    assert verdict["ok"] is False and verdict["code"] in (
        "ERR_JWS_SIGNATURE_VERIFICATION_FAILED", "ERR_JOSE_ALG_NOT_ALLOWED", "ERR_JWS_INVALID",
        "ERR_JOSE_NOT_SUPPORTED"), verdict
    did = "did:web:localhost%3A" + base.rsplit(":", 1)[1]
    with pytest.raises((BadSignatureError, JoseError, ValueError)):
        _joserfc_verify(forged, json.loads(fetch(live, "/.well-known/jwks.json")[2]), did)


def test_an_expired_credential_is_refused_by_jose(live, learner, tmp_path):
    from datetime import datetime

    from cert_helpers import real_course

    app, _base, _origin = live
    cert = live_issue(live, learner, real_course(app, valid_for_months=12), now=datetime(2020, 5, 1))
    verdict = node_verify("jwt", fetch(live, f"/verify/{cert.code}/credential")[2].decode(), live, tmp_path)
    assert verdict == {"ok": False, "code": "ERR_JWT_EXPIRED", "error": '"exp" claim timestamp check failed'}


def test_download_and_withdrawn(client, learner, app):
    from cert_helpers import issue
    from leadership.certificates import service
    from leadership.extensions import db

    cert = issue(app, learner)
    response = client.get(f"/verify/{cert.code}/credential?download=1")
    assert response.status_code == 200 and response.mimetype == "application/vc+jwt"
    assert f'filename="leadership-essentials-{cert.display_code}.jwt"' in response.headers["Content-Disposition"]
    with app.app_context():
        service.withdraw_certificates(db.session, learner.id)
        db.session.commit()
        db.session.remove()
    assert client.get(f"/verify/{cert.code}/credential").status_code == 410
    assert client.get(f"/verify/{cert.code}/credential.json").status_code == 410


def test_retired_keys_stay_published_and_older_jwts_still_verify(make_app, tmp_path, learner):
    """Rotate both keys: the JWK set and the DID document keep the old public keys, and a
    credential signed before the rotation still verifies with joserfc against the new JWK set."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.asymmetric.rsa import generate_private_key

    from cert_helpers import issue
    from support import Client

    def pem(key, path):
        path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
        return str(path)

    old_rsa, old_ed = pem(generate_private_key(65537, 2048), tmp_path / "old-rsa.pem"), \
        pem(Ed25519PrivateKey.generate(), tmp_path / "old-ed.pem")
    before = make_app(CREDENTIAL_RSA_KEY_FILE=old_rsa, CREDENTIAL_SIGNING_KEY_FILE=old_ed)
    cert = issue(before, learner)
    old_token = Client(before.test_client()).get(f"/verify/{cert.code}/credential").get_data(as_text=True)
    old_kids = {k["kid"] for k in Client(before.test_client()).get("/.well-known/jwks.json").get_json()["keys"]}

    after = make_app(CREDENTIAL_RSA_KEY_FILE=pem(generate_private_key(65537, 2048), tmp_path / "new-rsa.pem"),
                     CREDENTIAL_SIGNING_KEY_FILE=pem(Ed25519PrivateKey.generate(), tmp_path / "new-ed.pem"),
                     CREDENTIAL_RETIRED_KEY_FILES=[old_rsa, old_ed])
    client = Client(after.test_client())
    jwks_json = client.get("/.well-known/jwks.json").get_json()
    kids = [k["kid"] for k in jwks_json["keys"]]
    assert len(kids) == 4 and old_kids <= set(kids) and kids[:2] != list(old_kids)
    _joserfc_verify(old_token, jwks_json, "did:web:localhost")
    new_token = client.get(f"/verify/{cert.code}/credential").get_data(as_text=True)
    assert _b64json(new_token.split(".")[0])["kid"] == kids[0] and kids[0] not in old_kids
    did_doc = client.get("/.well-known/did.json").get_json()
    assert len(did_doc["verificationMethod"]) == 2 and did_doc["assertionMethod"] == [
        m["id"] for m in did_doc["verificationMethod"]]

