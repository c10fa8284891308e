"""The credential validates against the 1EdTech OB 3.0 AchievementCredential JSON Schema
(tests/certificates/schema/, draft 2019-09 with format checks), in both forms; negative controls
show the schema is really applied."""
import base64
import copy
import hashlib
import json
from pathlib import Path

import pytest
from jsonschema import Draft201909Validator, FormatChecker

from cert_helpers import issue

SCHEMA = Path(__file__).parent / "schema" / "ob_v3p0_achievementcredential_schema.json"


@pytest.fixture(scope="module")
def validator():
    data = SCHEMA.read_bytes()
    assert hashlib.sha256(data).hexdigest() == "0ebdc36b2a975b93d6d3531ae6cdb7b234bf01ef6a51cd174cdab54eca3a1a14"
    schema = json.loads(data)
    Draft201909Validator.check_schema(schema)
    return Draft201909Validator(schema, format_checker=FormatChecker())


def _errors(validator, document) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document)]


def _forms(client, cert) -> dict:
    token = client.get(f"/verify/{cert.code}/credential").get_data(as_text=True)
    payload = token.split(".")[1]
    return {"vc-jwt payload": json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))),
            "json-ld with proof": client.get(f"/verify/{cert.code}/credential.json").get_json()}


def test_both_forms_validate_against_the_ob3_schema(app, client, learner, validator):
    cert = issue(app, learner)
    for name, document in _forms(client, cert).items():
        assert _errors(validator, document) == [], name


def test_a_credential_with_module_evidence_validates(app, client, learner, validator):
    """With the per-module evidence entries a completed learner's credential carries."""
    from datetime import timedelta

    from leadership.db import utcnow
    from leadership.extensions import db
    from leadership.quizzes.models import ModuleCompletion

    from cert_helpers import real_course

    course = real_course(app)
    with app.app_context():
        for module in course.modules:
            db.session.add(ModuleCompletion(user_id=learner.id, council_id=learner.council_id,
                                            course_slug=course.slug, module_slug=module.slug,
                                            content_version=module.version, completed_at=utcnow() - timedelta(hours=1)))
        db.session.commit()
        db.session.remove()
    cert = issue(app, learner, course)
    document = _forms(client, cert)["json-ld with proof"]
    assert len(document["evidence"]) == 1 + len(course.modules)
    assert _errors(validator, document) == []


@pytest.mark.parametrize("break_it, where", [
    (lambda d: d.pop("validFrom"), ""),
    (lambda d: d.update({"@context": list(reversed(d["@context"]))}), "@context"),
    (lambda d: d["credentialSubject"]["achievement"].pop("criteria"), "credentialSubject/achievement"),
    (lambda d: d["credentialSubject"]["identifier"][0].update({"extra": 1}), "credentialSubject/identifier"),
    (lambda d: d.update({"validFrom": "4 December 2026"}), "validFrom"),
    (lambda d: d["credentialSubject"]["achievement"]["image"].update({"type": "Picture"}),
     "credentialSubject/achievement/image"),
])
def test_negative_controls_are_caught(app, client, learner, validator, break_it, where):
    cert = issue(app, learner)
    document = copy.deepcopy(_forms(client, cert)["json-ld with proof"])
    break_it(document)
    errors = _errors(validator, document)
    assert errors and any(e.startswith(where) for e in errors), errors
