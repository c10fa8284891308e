"""The Open Badges 3.0 credential for a certificate, signed as a VC-JWT.

``build_credential`` makes the OpenBadgeCredential (W3C VC data model 2.0)
JSON; ``sign_credential`` wraps it in a compact JWS (EdDSA / Ed25519) whose
payload is the credential itself plus the registered JWT claims (iss, sub,
jti, nbf, exp). Anyone can verify it with the issuer's public keys at
``/.well-known/jwks.json`` (see docs/certificates.md).

Pure functions: the caller passes the base URL, the key and the time.
"""
from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timezone

import jwt

from .keys import SigningKey
from .models import REVOKED, WITHDRAWN, Certificate

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
ISSUER_NAME = "Leadership Essentials"
OUTCOMES_FRAMEWORK = "Local government digitalisation outcomes (LGA, Socitm, Solace)"
OUTCOMES_URL = ("https://www.local.gov.uk/our-support/cyber-digital-and-technology/"
                "12-local-government-digitalisation-outcomes")
MEDIA_TYPE = "application/vc+jwt"


def iso(when: datetime) -> str:
    """Naive UTC (as stored) → XML Schema dateTimeStamp with Z."""
    return when.replace(tzinfo=None, microsecond=0).isoformat() + "Z"


def epoch(when: datetime) -> int:
    return int(when.replace(tzinfo=timezone.utc).timestamp())


class Urls:
    """Where the issuer's documents live, from one public base URL."""

    def __init__(self, base: str):
        self.base = base.rstrip("/")

    def issuer(self) -> str:
        return f"{self.base}/issuer"

    def verify(self, code: str) -> str:
        return f"{self.base}/verify/{code}"

    def credential(self, code: str) -> str:
        return f"{self.base}/verify/{code}/credential"

    def status(self, code: str) -> str:
        return f"{self.base}/verify/{code}/status"

    def course(self, slug: str) -> str:
        return f"{self.base}/courses/{slug}"

    def achievement(self, slug: str) -> str:
        return f"{self.base}/courses/{slug}#achievement"

    def jwks(self) -> str:
        return f"{self.base}/.well-known/jwks.json"


def identity_salt(secret: str, code: str) -> str:
    """A per-certificate salt, stable across downloads, unguessable without the app secret."""
    return hmac.new(secret.encode(), f"credential-salt:{code}".encode(), hashlib.sha256).hexdigest()[:32]


def identity_hash(email: str, salt: str) -> str:
    """OB3 IdentityObject hash: ``sha256$`` + hex(SHA-256(email + salt)), email lower-cased."""
    return "sha256$" + hashlib.sha256((email.strip().lower() + salt).encode("utf-8")).hexdigest()


def outcome_alignments(course) -> list[dict]:
    """The shared digital outcomes this course covers, as OB3 Alignment objects.

    The outcomes named by the course's modules (in the course.yaml order); when no
    module names any, every outcome listed in course.yaml.
    """
    if course is None:
        return []
    names = dict(course.outcomes)
    used = {oid for m in course.modules for oid in m.outcomes}
    ids = [oid for oid, _ in course.outcomes if oid in used] + sorted(used - names.keys())
    if not used:
        ids = [oid for oid, _ in course.outcomes]
    return [{
        "type": ["Alignment"],
        "targetName": names.get(oid, oid),
        "targetCode": oid,
        "targetFramework": OUTCOMES_FRAMEWORK,
        "targetUrl": OUTCOMES_URL,
    } for oid in ids]


def issuer_profile(urls: Urls) -> dict:
    return {"id": urls.issuer(), "type": ["Profile"], "name": ISSUER_NAME, "url": urls.base or "/"}


def build_credential(cert: Certificate, *, course, email: str | None, urls: Urls, secret: str,
                     wording: str | None = None) -> dict:
    """The OpenBadgeCredential for ``cert``. ``course`` may be None (retired course)."""
    title = cert.course_title
    description = (f"{cert.holder_name} {wording.strip()}" if wording
                   else f"Completed the Leadership Essentials course “{title}”.")
    pass_mark = getattr(course, "pass_mark", None)
    narrative = (f"Complete every required module of “{title}”: read each page and pass each "
                 f"module's quiz" + (f" (pass mark {pass_mark}%)." if pass_mark else "."))
    achievement = {
        "id": urls.achievement(cert.course_slug),
        "type": ["Achievement"],
        "achievementType": "Course",
        "name": title,
        "description": f"The Leadership Essentials course “{title}” for councillors in England and Wales.",
        "criteria": {"id": urls.course(cert.course_slug), "narrative": narrative},
        "creator": issuer_profile(urls),
        "inLanguage": "en" if cert.language == "bilingual" else cert.language,
        "version": cert.course_edition or cert.content_version,
    }
    if course is not None and course.summary:
        achievement["description"] = course.summary
    alignment = outcome_alignments(course)
    if alignment:
        achievement["alignment"] = alignment
    subject: dict = {"type": ["AchievementSubject"], "achievement": achievement}
    if email:
        salt = identity_salt(secret, cert.code)
        subject["identifier"] = [{
            "type": "IdentityObject", "identityHash": identity_hash(email, salt),
            "identityType": "emailAddress", "hashed": True, "salt": salt,
        }]
    credential = {
        "@context": [VC_CONTEXT, OB3_CONTEXT],
        "id": urls.credential(cert.code),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": title,
        "description": description,
        "issuer": issuer_profile(urls),
        "validFrom": iso(cert.issued_at),
        "credentialSubject": subject,
        "credentialStatus": {"id": urls.status(cert.code), "type": "1EdTechRevocationList"},
        "evidence": [{
            "id": urls.verify(cert.code), "type": ["Evidence"],
            "name": "Certificate verification page",
            "narrative": f"Certificate {cert.display_code}, content version {cert.content_version}.",
        }],
    }
    if cert.expires_at is not None:
        credential["validUntil"] = iso(cert.expires_at)
    return credential


def sign_credential(credential: dict, key: SigningKey) -> str:
    """Compact VC-JWT: header {alg EdDSA, kid, typ vc+jwt}; payload = credential + JWT claims."""
    claims = dict(credential)
    claims["iss"] = credential["issuer"]["id"]
    claims["jti"] = credential["id"]
    subject_id = credential["credentialSubject"].get("id")
    if subject_id:
        claims["sub"] = subject_id
    valid_from = datetime.fromisoformat(credential["validFrom"].rstrip("Z"))
    claims["nbf"] = epoch(valid_from)
    claims["iat"] = epoch(valid_from)
    if credential.get("validUntil"):
        claims["exp"] = epoch(datetime.fromisoformat(credential["validUntil"].rstrip("Z")))
    return jwt.encode(claims, key.private_key, algorithm="EdDSA",
                      headers={"kid": key.kid, "typ": "vc+jwt"})


def status_document(cert: Certificate, *, urls: Urls, now: datetime | None = None) -> dict:
    """The document behind ``credentialStatus.id``: a one-entry 1EdTech-style revocation list
    plus a plain ``status`` (valid | expired | revoked | withdrawn) for simple clients."""
    status = cert.status(now)
    revoked = []
    if status in (REVOKED, WITHDRAWN):
        revoked.append({
            "id": urls.credential(cert.code), "revoked": True,
            "revocationReason": ("Revoked by the issuer." if status == REVOKED
                                 else "Withdrawn at the holder's request."),
        })
    doc = {
        "id": urls.status(cert.code),
        "type": "1EdTechRevocationList",
        "issuer": urls.issuer(),
        "credentialId": urls.credential(cert.code),
        "status": status,
        "revokedCredentials": revoked,
    }
    if status == REVOKED and cert.revoked_at is not None:
        doc["revokedAt"] = iso(cert.revoked_at)
    if cert.expires_at is not None:
        doc["validUntil"] = iso(cert.expires_at)
    return doc
