"""JSON-LD processing with bundled contexts only.

pyld does the JSON-LD → RDF conversion and the RDF Dataset Canonicalization (RDFC-1.0, the
algorithm pyld calls ``URDNA2015``; RDFC-1.0 is its standardised name). Its document loader
here serves the files in ``contexts/`` and raises for any other URL: the app never fetches a
context from the network, and an unknown context is a loud error, not a silent guess.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from pyld import jsonld

CONTEXT_DIR = Path(__file__).parent / "contexts"
CONTEXT_FILES = {
    "https://www.w3.org/ns/credentials/v2": "credentials-v2.jsonld",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": "ob-v3p0-context-3.0.3.jsonld",
    "https://www.w3.org/ns/did/v1": "did-v1.jsonld",
    "https://w3id.org/security/multikey/v1": "multikey-v1.jsonld",
}


class UnknownContext(jsonld.JsonLdError):
    pass


@lru_cache(maxsize=None)
def bundled_context(url: str) -> dict:
    name = CONTEXT_FILES.get(url)
    if name is None:
        raise UnknownContext(f"JSON-LD context {url!r} is not bundled with the app (see "
                             "leadership/certificates/contexts/README.md); it will not be fetched",
                             "jsonld.LoadDocumentError", code="loading document failed")
    return json.loads((CONTEXT_DIR / name).read_text(encoding="utf-8"))


def document_loader(url: str, options=None) -> dict:
    return {"contextUrl": None, "documentUrl": url, "document": bundled_context(url)}


class DroppedTerms(ValueError):
    """Some values of a document have no meaning under its contexts and would not be signed."""


def _input_values(node) -> int:
    if isinstance(node, dict):
        return sum(_input_values(v) for k, v in node.items() if k != "@context")
    if isinstance(node, list):
        return sum(_input_values(v) for v in node)
    return 0 if node is None else 1


def _expanded_values(node) -> int:
    if isinstance(node, list):
        return sum(_expanded_values(v) for v in node)
    if not isinstance(node, dict):
        return 0
    if "@value" in node:
        return 1
    count = ("@id" in node) + len(node.get("@type", []))
    return count + sum(_expanded_values(v) for k, v in node.items() if k not in ("@id", "@type"))


def check_no_dropped_terms(document: dict) -> None:
    """JSON-LD silently drops a property its contexts do not define, so a signature would not
    cover it. Verifiers such as Digital Bazaar's run in "safe mode" and reject such documents;
    refuse them here too (pyld has no safe mode): every JSON value must survive expansion."""
    expanded = _loudly(lambda: jsonld.expand(document, {"documentLoader": document_loader}))
    kept, given = _expanded_values(expanded), _input_values(document)
    if kept != given:
        raise DroppedTerms(f"{given - kept} value(s) of the document are not defined by its JSON-LD "
                           "contexts and would be dropped")


def _unknown_context_in(error: BaseException) -> UnknownContext | None:
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, UnknownContext):
            return error
        seen.add(id(error))
        error = error.__cause__ or getattr(error, "cause", None)
    return None


def _loudly(call):
    """pyld wraps a loader's error in its own; surface ours, which says which URL and why."""
    try:
        return call()
    except jsonld.JsonLdError as err:
        unknown = _unknown_context_in(err)
        if unknown is not None:
            raise unknown from err
        raise


def canonical_nquads(document: dict) -> str:
    """The RDFC-1.0 canonical N-Quads of ``document`` (its contexts must be bundled)."""
    return _loudly(lambda: jsonld.normalize(document, {
        "algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": document_loader}))
