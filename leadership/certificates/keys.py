"""The issuer's Ed25519 signing key and its public JWK set.

With no configuration the key is generated into ``instance/credential-signing-key.pem``
(mode 0600) on first use; ``CREDENTIAL_SIGNING_KEY_FILE`` (config or environment)
points at another PEM file. The key id (``kid``) is the RFC 7638 JWK thumbprint,
so it is stable and derivable from the public key alone.

Rotation: put the old public keys' PEM files in ``CREDENTIAL_RETIRED_KEY_FILES``
(config list or ``os.pathsep``-separated environment variable) so credentials
signed before a rotation still verify; they are published but never used to sign.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

KEY_FILENAME = "credential-signing-key.pem"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


@dataclass(frozen=True)
class SigningKey:
    private_key: Ed25519PrivateKey
    kid: str
    jwk: dict  # public JWK, with kid/alg/use


def public_jwk(public_key: Ed25519PublicKey) -> dict:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    core = {"crv": "Ed25519", "kty": "OKP", "x": b64url(raw)}
    # RFC 7638: required members only, lexicographic order, no whitespace, SHA-256.
    thumbprint = b64url(hashlib.sha256(json.dumps(core, separators=(",", ":"), sort_keys=True)
                                       .encode("utf-8")).digest())
    return {**core, "kid": thumbprint, "alg": "EdDSA", "use": "sig"}


def _read_or_create_pem(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    # O_EXCL: when two workers start at once, one creates, the other reads.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes()
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    return pem


def key_path(app) -> Path:
    configured = app.config.get("CREDENTIAL_SIGNING_KEY_FILE") or os.environ.get("CREDENTIAL_SIGNING_KEY_FILE")
    return Path(configured) if configured else Path(app.instance_path) / KEY_FILENAME


def signing_key(app) -> SigningKey:
    """The app's signing key, loaded (or created) once per app."""
    cached = app.extensions.get("credential_signing_key")
    if cached is not None:
        return cached
    private_key = serialization.load_pem_private_key(_read_or_create_pem(key_path(app)), password=None)
    if not isinstance(private_key, Ed25519PrivateKey):
        raise RuntimeError(f"{key_path(app)} is not an Ed25519 private key")
    jwk = public_jwk(private_key.public_key())
    key = SigningKey(private_key=private_key, kid=jwk["kid"], jwk=jwk)
    app.extensions["credential_signing_key"] = key
    return key


def _retired_public_keys(app) -> list[dict]:
    files = app.config.get("CREDENTIAL_RETIRED_KEY_FILES")
    if files is None:
        files = [f for f in os.environ.get("CREDENTIAL_RETIRED_KEY_FILES", "").split(os.pathsep) if f]
    out = []
    for name in files:
        data = Path(name).read_bytes()
        try:
            key = serialization.load_pem_public_key(data)
        except ValueError:
            key = serialization.load_pem_private_key(data, password=None).public_key()
        if isinstance(key, Ed25519PublicKey):
            out.append(public_jwk(key))
    return out


def jwks(app) -> dict:
    """The public JWK set served at ``/.well-known/jwks.json``."""
    current = signing_key(app).jwk
    keys = [current] + [k for k in _retired_public_keys(app) if k["kid"] != current["kid"]]
    return {"keys": keys}
