"""The issuer as a ``did:web`` DID, derived from the public base URL.

did:web (W3C CCG did:web method): the host, with a port percent-encoded (``:`` → ``%3A``), then
any path segments joined by ``:``. ``https://learn.example.org`` → ``did:web:learn.example.org``
(document at ``/.well-known/did.json``); ``http://localhost:5000`` → ``did:web:localhost%3A5000``;
``https://example.org/learn`` → ``did:web:example.org:learn`` (document at ``/learn/did.json``).
A resolver always fetches over HTTPS, so a DID is only resolvable by others when the service is
served over HTTPS at ``PUBLIC_BASE_URL``.
"""
from __future__ import annotations

from urllib.parse import quote, urlsplit

from .keys import PublicKey

DID_CONTEXT = "https://www.w3.org/ns/did/v1"
MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"


def did_web(base: str) -> str:
    parts = urlsplit(base)
    if not parts.hostname:
        raise ValueError(f"cannot derive a did:web from {base!r}: no host")
    host = parts.hostname.lower()
    if parts.port is not None:
        host = f"{host}%3A{parts.port}"
    segments = [quote(s, safe="") for s in parts.path.split("/") if s]
    return ":".join(["did", "web", host, *segments])


def did_document_path(base: str) -> str:
    """Where a did:web resolver looks for the document, relative to the host."""
    path = urlsplit(base).path.rstrip("/")
    return f"{path}/did.json" if path else "/.well-known/did.json"


def verification_method_id(did: str, key: PublicKey) -> str:
    return f"{did}#{key.thumbprint}"


def did_document(did: str, keys: list[PublicKey]) -> dict:
    """Multikey verification methods for every published Ed25519 key (current first, then
    retired), all listed under ``assertionMethod`` so older proofs still verify."""
    ed_keys = [k for k in keys if k.is_ed25519]
    methods = [{"id": verification_method_id(did, k), "type": "Multikey", "controller": did,
                "publicKeyMultibase": k.multibase} for k in ed_keys]
    ids = [m["id"] for m in methods]
    return {"@context": [DID_CONTEXT, MULTIKEY_CONTEXT], "id": did, "verificationMethod": methods,
            "assertionMethod": ids}
