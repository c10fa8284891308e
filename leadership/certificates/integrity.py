"""Data Integrity proofs with the ``eddsa-rdfc-2022`` cryptosuite (W3C VC Data Integrity EdDSA
Cryptosuites v1.0, §3.3).

To sign a document: canonicalise it (RDFC-1.0, by pyld) and hash it with SHA-256; do the same
with the proof options (the proof without ``proofValue``, with the document's ``@context``);
sign ``hash(proof options) || hash(document)`` with Ed25519 (``cryptography``); the
``proofValue`` is the signature in multibase base58-btc (``z…``).

Pure functions: the caller passes the key, the verification method and the time.
"""
from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from datetime import datetime

import base58
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .jsonld import canonical_nquads, check_no_dropped_terms

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"
MEDIA_TYPE = "application/vc+ld+json"


def _hash_data(document: dict, options: dict) -> bytes:
    config = {"@context": document["@context"], **options}
    return (hashlib.sha256(canonical_nquads(config).encode("utf-8")).digest()
            + hashlib.sha256(canonical_nquads(document).encode("utf-8")).digest())


def sign(document: dict, private_key: Ed25519PrivateKey, *, verification_method: str, created: datetime,
         proof_purpose: str = "assertionMethod") -> dict:
    """A copy of ``document`` with an embedded ``eddsa-rdfc-2022`` proof."""
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    check_no_dropped_terms(unsecured)
    options = {
        "type": PROOF_TYPE, "cryptosuite": CRYPTOSUITE,
        "created": created.replace(tzinfo=None, microsecond=0).isoformat() + "Z",
        "verificationMethod": verification_method, "proofPurpose": proof_purpose,
    }
    signature = private_key.sign(_hash_data(unsecured, options))
    return {**unsecured, "proof": {**options, "proofValue": "z" + base58.b58encode(signature).decode("ascii")}}


def verify(secured: dict, public_key: Ed25519PublicKey) -> bool:
    """Check an embedded ``eddsa-rdfc-2022`` proof against ``public_key`` (used by the app's own
    tests of this module; the test suite checks interoperability with Digital Bazaar's verifier)."""
    proof = secured.get("proof")
    if not isinstance(proof, dict) or proof.get("cryptosuite") != CRYPTOSUITE \
            or proof.get("type") != PROOF_TYPE or not str(proof.get("proofValue", "")).startswith("z"):
        return False
    options = {k: v for k, v in proof.items() if k != "proofValue"}
    unsecured = {k: v for k, v in secured.items() if k != "proof"}
    try:
        signature = base58.b58decode(proof["proofValue"][1:])
        public_key.verify(signature, _hash_data(unsecured, options))
    except (InvalidSignature, ValueError):
        return False
    return True


class SignedCache:
    """A small thread-safe LRU of signed documents, keyed by everything they are made from (the
    unsigned document, the key and the form), so a changed credential or status list is a new
    key and is never served stale. RDF canonicalisation costs tens of milliseconds; this makes
    a repeated download cost a dictionary lookup."""

    def __init__(self, size: int = 256):
        self.size = size
        self._items: OrderedDict[tuple, object] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple, make):
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = make()
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._items)
