"""I1 (security test, informational): the privacy notice says plainly what the public
credential carries about the email address, and that a guessed address can be tested.

The credential's ``identityHash`` is sha256(email + salt) and the salt is published with it
(Open Badges 3.0 design), so anyone holding a certificate code can check a guessed email
offline. The test proves both halves: the credential really allows that check, and the
notice really says so.
"""
from __future__ import annotations

import base64
import hashlib
import json
import re

from support import text


def _issue(app, user):
    from leadership.catalogue import catalogue_service
    from leadership.certificates import service
    from leadership.extensions import db

    with app.app_context():
        code = service.issue_certificate(db.session, user.id, catalogue_service.get().course("digital-leadership")).code
        db.session.remove()
    return code


def test_a_guessed_email_can_be_checked_against_the_credential_and_the_notice_says_so(app, client, learner):
    code = _issue(app, learner)
    credential = client.get(f"/verify/{code}/credential")  # a VC-JWT: the claims are its middle part
    assert credential.status_code == 200
    token = credential.get_data(as_text=True)
    payload = token.split(".")[1]
    claims = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode()
    assert learner.email not in claims  # the address itself is not published...
    data = json.loads(claims)
    found = re.search(r'"identityHash":\s*"sha256\$([0-9a-f]{64})".*?"salt":\s*"([0-9a-f]+)"', json.dumps(data))
    digest, salt = found.groups()
    guess = hashlib.sha256((learner.email + salt).encode()).hexdigest()
    assert guess == digest  # ...but a right guess can be checked offline
    assert hashlib.sha256(("someone-else@example.org" + salt).encode()).hexdigest() != digest

    notice = text(client.page("/privacy"))
    assert "a SHA-256 hash of your email address combined with a random value (a “salt”), and that salt too" in notice
    assert ("someone who has your certificate code and guesses your email address can check whether the guess "
            "is right") in notice
