"""The issuer's signing keys, its JWK set and its ``did:web`` DID document.

Two keys sign credentials, each for one form:

* **RSA** (3072 bits) signs the VC-JWT with RS256, the algorithm Open Badges 3.0 §8.2 names as
  the minimum every verifier supports;
* **Ed25519** signs the Data Integrity proofs (``eddsa-rdfc-2022``) of the JSON-LD credential
  and of the status list.

With no configuration each is generated into ``instance/`` on first use (PKCS#8 PEM, mode 0600,
created with ``O_EXCL`` so concurrent workers agree): ``credential-rsa-key.pem`` and
``credential-signing-key.pem``. ``CREDENTIAL_RSA_KEY_FILE`` and ``CREDENTIAL_SIGNING_KEY_FILE``
(config or environment) point at other files.

Every key is named by its RFC 7638 JWK thumbprint. Published identifiers are built from the
public base URL: in the JWK set ``kid`` is ``<base>/.well-known/jwks.json#<thumbprint>`` (the
same string the JWT header carries, so a verifier can both fetch it and match it exactly), and
in the DID document the Ed25519 keys are ``<did>#<thumbprint>`` Multikey verification methods.

Rotation: configure the new key file and list the old key files (public or private PEM, RSA or
Ed25519) in ``CREDENTIAL_RETIRED_KEY_FILES`` (config list or ``os.pathsep``-separated environment
variable). Retired keys are published in the JWK set and the DID document, so credentials signed
before the rotation still verify, but they never sign anything new.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

import base58
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey, generate_private_key

KEY_FILENAME = "credential-signing-key.pem"  # Ed25519 (the name predates the RSA key)
RSA_KEY_FILENAME = "credential-rsa-key.pem"
RSA_BITS = 3072
MULTICODEC_ED25519_PUB = b"\xed\x01"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _int_b64(value: int) -> str:
    return b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))


def _thumbprint(core: dict) -> str:
    # RFC 7638: required members only, lexicographic order, no whitespace, SHA-256.
    return b64url(hashlib.sha256(json.dumps(core, separators=(",", ":"), sort_keys=True)
                                 .encode("utf-8")).digest())


@dataclass(frozen=True)
class PublicKey:
    """A published key: its thumbprint, its JWK (without ``kid``) and, for Ed25519, its Multikey."""

    thumbprint: str
    jwk: dict
    alg: str  # "RS256" | "EdDSA"
    key: object  # the cryptography public key
    multibase: str | None = None  # Ed25519 only: "z6Mk..."

    @property
    def is_ed25519(self) -> bool:
        return self.alg == "EdDSA"


@dataclass(frozen=True)
class SigningKey:
    private_key: object  # RSAPrivateKey | Ed25519PrivateKey
    public: PublicKey

    @property
    def thumbprint(self) -> str:
        return self.public.thumbprint


def public_key_info(public_key) -> PublicKey:
    if isinstance(public_key, Ed25519PublicKey):
        raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        core = {"crv": "Ed25519", "kty": "OKP", "x": b64url(raw)}
        return PublicKey(_thumbprint(core), core, "EdDSA", public_key,
                         "z" + base58.b58encode(MULTICODEC_ED25519_PUB + raw).decode("ascii"))
    if isinstance(public_key, RSAPublicKey):
        numbers = public_key.public_numbers()
        core = {"e": _int_b64(numbers.e), "kty": "RSA", "n": _int_b64(numbers.n)}
        return PublicKey(_thumbprint(core), core, "RS256", public_key)
    raise TypeError(f"unsupported key type {type(public_key).__name__}")


def _new_pem(kind: str) -> bytes:
    key = Ed25519PrivateKey.generate() if kind == "ed25519" else generate_private_key(65537, RSA_BITS)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _read_or_create_pem(path: Path, kind: str) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = _new_pem(kind)
    # O_EXCL: when two workers start at once, one creates, the other reads.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes()
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    return pem


def _configured(app, name: str) -> str | None:
    return app.config.get(name) or os.environ.get(name) or None


def key_path(app) -> Path:
    """The Ed25519 key file."""
    configured = _configured(app, "CREDENTIAL_SIGNING_KEY_FILE")
    return Path(configured) if configured else Path(app.instance_path) / KEY_FILENAME


def rsa_key_path(app) -> Path:
    configured = _configured(app, "CREDENTIAL_RSA_KEY_FILE")
    return Path(configured) if configured else Path(app.instance_path) / RSA_KEY_FILENAME


def _load(app, path: Path, kind: str, expected) -> SigningKey:
    private_key = serialization.load_pem_private_key(_read_or_create_pem(path, kind), password=None)
    if not isinstance(private_key, expected):
        raise RuntimeError(f"{path} is not an {kind.upper() if kind == 'rsa' else 'Ed25519'} private key")
    if isinstance(private_key, RSAPrivateKey) and private_key.key_size < 2048:
        raise RuntimeError(f"{path}: RSA keys must have at least 2048 bits (this one has {private_key.key_size})")
    return SigningKey(private_key, public_key_info(private_key.public_key()))


def signing_key(app) -> SigningKey:
    """The Ed25519 key (Data Integrity proofs), loaded or created once per app."""
    cached = app.extensions.get("credential_signing_key")
    if cached is None:
        cached = app.extensions["credential_signing_key"] = _load(app, key_path(app), "ed25519",
                                                                  Ed25519PrivateKey)
    return cached


def rsa_signing_key(app) -> SigningKey:
    """The RSA key (VC-JWT, RS256), loaded or created once per app."""
    cached = app.extensions.get("credential_rsa_key")
    if cached is None:
        cached = app.extensions["credential_rsa_key"] = _load(app, rsa_key_path(app), "rsa", RSAPrivateKey)
    return cached


def retired_public_keys(app) -> list[PublicKey]:
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
        out.append(public_key_info(key))
    return out


def published_keys(app) -> list[PublicKey]:
    """Current RSA, current Ed25519, then every retired key (each thumbprint once)."""
    keys, seen = [], set()
    for key in [rsa_signing_key(app).public, signing_key(app).public, *retired_public_keys(app)]:
        if key.thumbprint not in seen:
            seen.add(key.thumbprint)
            keys.append(key)
    return keys


def jwks_url(base: str) -> str:
    return f"{base.rstrip('/')}/.well-known/jwks.json"


def jwk_kid(base: str, key: PublicKey | SigningKey) -> str:
    """The dereferenceable key id: the JWK set's URL with the thumbprint as fragment."""
    return f"{jwks_url(base)}#{key.thumbprint}"


def jwks(app, base: str) -> dict:
    """The public JWK set served at ``/.well-known/jwks.json``."""
    return {"keys": [{**k.jwk, "kid": jwk_kid(base, k), "alg": k.alg, "use": "sig"}
                     for k in published_keys(app)]}
