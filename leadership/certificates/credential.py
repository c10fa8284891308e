"""The Open Badges 3.0 credential for a certificate, in its two secured forms.

``build_credential`` makes the OpenBadgeCredential (W3C VC data model 2.0) JSON. The same
credential is then secured either way:

* ``sign_jwt``: a **VC-JWT** exactly as OB 3.0 §8.2 says: header ``{alg: RS256, typ: JWT,
  kid: <dereferenceable URI>}``, payload = the credential plus ``iss``, ``sub``, ``jti``,
  ``nbf``, ``iat`` and ``exp``;
* ``integrity.sign``: an embedded **Data Integrity** proof, ``eddsa-rdfc-2022``.

The issuer is a ``did:web`` DID derived from the public base URL (see ``did.py``); its public
keys are in ``/.well-known/jwks.json`` and ``/.well-known/did.json``. Revocation is a W3C
Bitstring Status List entry (``statuslist.py``).

Pure functions: the caller passes the base URL, the keys, the settings and the time.
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timezone

import jwt

from .did import did_web
from .keys import SigningKey
from .models import REVOKED, WITHDRAWN, Certificate
from .statuslist import LIST_SIZE, PURPOSE, list_of

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OUTCOMES_FRAMEWORK = "Local government digitalisation outcomes (LGA, Socitm, Solace)"
OUTCOMES_URL = ("https://www.local.gov.uk/our-support/cyber-digital-and-technology/"
                "12-local-government-digitalisation-outcomes")
MEDIA_TYPE = "application/vc+jwt"
JSONLD_MEDIA_TYPE = "application/vc+ld+json"


def iso(when: datetime) -> str:
    """Naive UTC (as stored) → XML Schema dateTimeStamp with Z."""
    return when.replace(tzinfo=None, microsecond=0).isoformat() + "Z"


def epoch(when: datetime) -> int:
    return int(when.replace(tzinfo=timezone.utc).timestamp())


class Urls:
    """Where the issuer's documents live, from one public base URL."""

    def __init__(self, base: str):
        self.base = base.rstrip("/")

    @property
    def did(self) -> str:
        return did_web(self.base)

    def issuer(self) -> str:
        return f"{self.base}/issuer"

    def verify(self, code: str) -> str:
        return f"{self.base}/verify/{code}"

    def credential(self, code: str) -> str:
        return f"{self.base}/verify/{code}/credential"

    def credential_json(self, code: str) -> str:
        return f"{self.base}/verify/{code}/credential.json"

    def status(self, code: str) -> str:
        return f"{self.base}/verify/{code}/status"

    def status_list(self, number: int) -> str:
        return f"{self.base}/credentials/status/{number}"

    def achievement(self, slug: str) -> str:
        return f"{self.base}/achievements/{slug}"

    def criteria(self, slug: str) -> str:
        return f"{self.base}/achievements/{slug}/criteria"

    def badge(self, slug: str, ext: str = "png") -> str:
        return f"{self.base}/achievements/{slug}/badge.{ext}"

    def jwks(self) -> str:
        return f"{self.base}/.well-known/jwks.json"

    def did_document(self) -> str:
        return f"{self.base}/.well-known/did.json"


@dataclass(frozen=True)
class Issuer:
    """The issuing organisation, from settings (``CREDENTIAL_ISSUER_NAME`` / ``_URL``)."""

    name: str
    url: str = ""
    email: str = ""


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


def issuer_profile(urls: Urls, issuer: Issuer) -> dict:
    profile = {"id": urls.did, "type": ["Profile"], "name": issuer.name, "url": issuer.url or urls.base or "/"}
    if issuer.email:
        profile["email"] = issuer.email
    return profile


def pass_rules(course, title: str) -> str:
    pass_mark = getattr(course, "pass_mark", None)
    return (f"Complete every required module of “{title}”: read each page and pass each "
            f"module's quiz" + (f" (pass mark {pass_mark}%)." if pass_mark else "."))


def status_entry(urls: Urls, position: int) -> dict:
    number, index = list_of(position)
    return {"id": f"{urls.status_list(number)}#{index}", "type": "BitstringStatusListEntry",
            "statusPurpose": PURPOSE, "statusListIndex": str(index),
            "statusListCredential": urls.status_list(number)}


def _evidence(cert: Certificate, urls: Urls, studied) -> list[dict]:
    edition = cert.course_edition or "—"
    if cert.course_fingerprint:
        summary = f"Edition {edition}; course fingerprint {cert.course_fingerprint}."
    else:
        summary = (f"Edition {edition}; module versions not recorded (course content version "
                   f"{cert.content_version} when issued).")
    evidence = [{"id": urls.verify(cert.code), "type": ["Evidence"], "name": "Certificate verification page",
                 "description": summary,
                 "narrative": f"Certificate {cert.display_code}. {summary}"}]
    for m in studied:
        version = (f"version {m.version_number}" if m.version_number else "the course files' version")
        evidence.append({
            "id": f"{urls.verify(cert.code)}#{m.anchor}", "type": ["Evidence"], "name": m.title,
            "genre": "Module completion",
            # OB 3.0 has no Evidence property for a version or a date; this line has a fixed
            # format ("Content version <hash>; completed <dateTime>"), see docs/certificates.md.
            "description": f"Content version {m.content_version}; completed {iso(m.completed_at)}",
            "narrative": (f"Completed the module “{m.title}” on {m.completed_at:%-d %B %Y}, on content "
                          f"version {m.content_version} ({version})."),
        })
    return evidence


def build_credential(cert: Certificate, *, course, email: str | None, urls: Urls, secret: str,
                     issuer: Issuer, status_position: int | None, studied=(),
                     wording: str | None = None) -> dict:
    """The OpenBadgeCredential for ``cert``. ``course`` may be None (retired course);
    ``studied`` is the list from ``studied.studied_modules``."""
    title = cert.course_title
    description = (f"{cert.holder_name} {wording.strip()}" if wording
                   else f"Completed the Leadership Essentials course “{title}”.")
    profile = issuer_profile(urls, issuer)
    achievement = {
        "id": urls.achievement(cert.course_slug),
        "type": ["Achievement"],
        "achievementType": "Course",
        "name": title,
        "description": f"The Leadership Essentials course “{title}” for councillors in England and Wales.",
        "criteria": {"id": urls.criteria(cert.course_slug), "narrative": pass_rules(course, title)},
        "image": {"id": urls.badge(cert.course_slug), "type": "Image",
                  "caption": f"The Leadership Essentials badge for “{title}”"},
        "creator": profile,
        "inLanguage": "en" if cert.language == "bilingual" else cert.language,
        "version": cert.course_edition or cert.content_version,
    }
    if course is not None and course.summary:
        achievement["description"] = course.summary
    alignment = outcome_alignments(course)
    if alignment:
        achievement["alignment"] = alignment
    subject: dict = {"type": ["AchievementSubject"], "achievement": achievement}
    if cert.subject_id:
        subject = {"id": cert.subject_id, **subject}
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
        "issuer": profile,
        "validFrom": iso(cert.issued_at),
        "credentialSubject": subject,
        "evidence": _evidence(cert, urls, studied),
    }
    if status_position is not None:
        credential["credentialStatus"] = status_entry(urls, status_position)
    if cert.expires_at is not None:
        credential["validUntil"] = iso(cert.expires_at)
    return credential


def status_list_credential(urls: Urls, number: int, bits: list[int], *, valid_from: datetime) -> dict:
    """The BitstringStatusListCredential for list ``number`` (unsigned)."""
    from .statuslist import encode

    url = urls.status_list(number)
    return {
        "@context": [VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "name": f"Leadership Essentials revocation list {number}",
        "description": f"Bit i is 1 when the certificate with statusListIndex i in this list "
                       f"({LIST_SIZE} entries) is revoked or withdrawn.",
        "issuer": urls.did,
        "validFrom": iso(valid_from),
        "credentialSubject": {"id": f"{url}#list", "type": "BitstringStatusList",
                              "statusPurpose": PURPOSE, "encodedList": encode(bits)},
    }


def sign_jwt(credential: dict, key: SigningKey, kid: str) -> str:
    """Compact VC-JWT (OB 3.0 §8.2): header {alg RS256, typ JWT, kid}; payload = credential +
    registered claims. ``iss`` is the issuer's id, ``jti`` the credential's, ``sub`` the
    subject's, ``nbf``/``iat`` its ``validFrom`` and ``exp`` its ``validUntil``."""
    claims = dict(credential)
    issuer = credential["issuer"]
    claims["iss"] = issuer["id"] if isinstance(issuer, dict) else issuer
    claims["jti"] = credential["id"]
    subject_id = credential["credentialSubject"].get("id")
    if subject_id:
        claims["sub"] = subject_id
    valid_from = datetime.fromisoformat(credential["validFrom"].rstrip("Z"))
    claims["nbf"] = epoch(valid_from)
    claims["iat"] = epoch(valid_from)
    if credential.get("validUntil"):
        claims["exp"] = epoch(datetime.fromisoformat(credential["validUntil"].rstrip("Z")))
    return jwt.encode(claims, key.private_key, algorithm="RS256", headers={"kid": kid, "typ": "JWT"})


def status_document(cert: Certificate, *, urls: Urls, now: datetime | None = None) -> dict:
    """The document at ``/verify/<code>/status`` (kept as it was for simple clients): a
    one-entry 1EdTech-style revocation list plus a plain ``status`` (valid | expired | revoked |
    withdrawn). Credentials now point at the Bitstring Status List instead."""
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
