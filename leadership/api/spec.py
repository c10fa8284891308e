"""The OpenAPI 3.1 document, generated from the code with apispec.

Schemas are plain JSON Schema dicts registered below; each view's operation is
the YAML after ``---`` in its docstring (``apispec.yaml_utils``), collected from
the app's URL map, so the document cannot drift from the routes.
"""
from __future__ import annotations

import re

from apispec import APISpec
from apispec.yaml_utils import load_operations_from_docstring

NULLABLE_STRING = {"type": ["string", "null"]}
DATETIME = {"type": "string", "format": "date-time"}
NULLABLE_DATETIME = {"type": ["string", "null"], "format": "date-time"}

SCHEMAS: dict[str, dict] = {
    "Council": {
        "type": "object", "additionalProperties": False,
        "required": ["code", "name", "nation", "type", "region", "gss_code"],
        "properties": {
            "code": {"type": "string", "description": "Official council code (GOV.UK register)", "examples": ["CRF"]},
            "name": {"type": "string"},
            "nation": {"type": "string", "enum": ["England", "Wales"]},
            "type": {"type": "string"},
            "region": {"type": "string"},
            "gss_code": {**NULLABLE_STRING, "description": "ONS GSS code"},
        },
    },
    "CouncilList": {
        "type": "object", "additionalProperties": False,
        "required": ["data", "page", "per_page", "total", "links"],
        "properties": {
            "data": {"type": "array", "items": {"$ref": "#/components/schemas/Council"}},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1},
            "total": {"type": "integer", "minimum": 0},
            "links": {"$ref": "#/components/schemas/Links"},
        },
    },
    "Links": {
        "type": "object", "additionalProperties": False, "required": ["next"],
        "properties": {"next": {**NULLABLE_STRING, "format": "uri-reference"},
                       "prev": {**NULLABLE_STRING, "format": "uri-reference"}},
    },
    "ModuleCount": {
        "type": "object", "additionalProperties": False, "required": ["slug", "title", "completed"],
        "properties": {"slug": {"type": "string"}, "title": {"type": "string"},
                       "completed": {"type": "integer", "minimum": 0}},
    },
    "CouncilSummary": {
        "type": "object", "additionalProperties": False,
        "required": ["council", "course", "registered", "started", "completed", "rate", "modules"],
        "properties": {
            "council": {"$ref": "#/components/schemas/Council"},
            "course": {"type": "string", "description": "Course slug"},
            "registered": {"type": "integer", "minimum": 0,
                           "description": "Learner accounts in the council (not deleted)"},
            "started": {"type": "integer", "minimum": 0,
                        "description": "Registered learners with at least one page view"},
            "completed": {"type": "integer", "minimum": 0,
                          "description": "Holders of a non-revoked certificate for the course"},
            "rate": {"type": "number", "minimum": 0, "description": "completed / registered (0 when none)"},
            "modules": {"type": "array", "items": {"$ref": "#/components/schemas/ModuleCount"}},
        },
    },
    "Learner": {
        "type": "object", "additionalProperties": False, "required": ["id", "name"],
        "properties": {"id": {"type": "string", "description": "Opaque, stable learner id"},
                       "name": {"type": "string"}},
    },
    "CertificateRef": {
        "type": "object", "additionalProperties": False,
        "required": ["code", "status", "cycle", "issued_at", "expires_at"],
        "properties": {
            "code": {"type": "string", "examples": ["K7QM2-XR9TB-4HWNP"]},
            "status": {"type": "string", "enum": ["valid", "expired", "revoked", "withdrawn"]},
            "cycle": {"type": "integer", "minimum": 1},
            "issued_at": DATETIME, "expires_at": NULLABLE_DATETIME,
        },
    },
    "Completion": {
        "type": "object", "additionalProperties": False,
        "required": ["id", "type", "learner", "council_code", "course", "module", "completed_at", "updated_at",
                     "score", "content_version", "certificate"],
        "properties": {
            "id": {"type": "string", "description": "Stable record id, e.g. module-12 or course-3"},
            "type": {"type": "string", "enum": ["module", "course"]},
            "learner": {"oneOf": [{"$ref": "#/components/schemas/Learner"}, {"type": "null"}],
                        "description": "null when the learner has erased their account"},
            "council_code": {"type": "string"},
            "course": {"type": "string"},
            "module": {**NULLABLE_STRING, "description": "Module slug; null for a course completion"},
            "completed_at": DATETIME,
            "updated_at": {**DATETIME, "description": "When this record last changed (revocation moves it)"},
            "score": {"type": ["integer", "null"], "description": "Best quiz score in percent"},
            "content_version": {"type": "string"},
            "certificate": {"oneOf": [{"$ref": "#/components/schemas/CertificateRef"}, {"type": "null"}]},
        },
    },
    "CompletionList": {
        "type": "object", "additionalProperties": False, "required": ["data", "next_cursor", "links"],
        "properties": {
            "data": {"type": "array", "items": {"$ref": "#/components/schemas/Completion"}},
            "next_cursor": {**NULLABLE_STRING, "description": "Pass as cursor= for the next page; null at the end"},
            "links": {"$ref": "#/components/schemas/Links"},
        },
    },
    "Problem": {
        "type": "object", "required": ["type", "title", "status"],
        "description": "RFC 9457 problem details",
        "properties": {"type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
                       "detail": {"type": ["string", "null"]}},
    },
}

RESPONSES = {
    "BadRequest": "The request is malformed (bad cursor, date or number).",
    "Unauthorized": "No bearer token, or the token is unknown or revoked.",
    "Forbidden": "The token's scope does not include this council.",
    "NotFound": "No such council.",
    "TooManyRequests": "Rate limit exceeded; see Retry-After.",
}


def _flask_path_to_openapi(rule: str) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def build_spec(app) -> dict:
    spec = APISpec(
        title="Leadership Essentials API", version="1.0.0", openapi_version="3.1.0",
        info={"description": "Read-only completions data for the LGA and councils. "
                             "Authenticate with `Authorization: Bearer <token>`; tokens are issued by an "
                             "LGA administrator. Errors are application/problem+json."},
        servers=[{"url": "/api/v1"}],
        security=[{"bearerAuth": []}],
    )
    spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer",
                                                    "description": "An API token issued at /reports/api-tokens"})
    for name, schema in SCHEMAS.items():
        spec.components.schema(name, schema)
    for name, description in RESPONSES.items():
        spec.components.response(name, {
            "description": description,
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}})
    prefix = "/api/v1"
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.endpoint.startswith("api.") or not rule.rule.startswith(prefix):
            continue
        view = app.view_functions[rule.endpoint]
        operations = load_operations_from_docstring(view.__doc__ or "")
        if not operations:
            continue
        spec.path(path=_flask_path_to_openapi(rule.rule[len(prefix):]) or "/", operations=operations)
    return spec.to_dict()
