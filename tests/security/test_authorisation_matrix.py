"""Authorisation matrix: EVERY route of the app, for every role, against ONE explicit table.

The set of endpoints in ``app.url_map`` must equal the table's keys, so a new route
without a row here fails this test (add the row: who may use it, and a sample URL).

Expected outcomes, for each (endpoint, role):

* PUBLIC – anyone: never 401/403, never sent to sign in, never 5xx;
* TOKEN – the read-only API: bearer token only, so a browser session (cookie) of any
  role gets 401 – cookies must never authorise the API (no CSRF there);
* a set of roles – anonymous is sent to sign in (302 to /sign-in), a signed-in role
  outside the set gets 403, a role inside it gets neither (200/302/400/404/409...).

A second table, FOREIGN, covers objects owned by another learner or council.
"""
from __future__ import annotations

import pytest

from support import Client

PUBLIC, TOKEN = "public", "token"
L, T, CA, LGA = "learner", "trainer", "council_admin", "lga_admin"
SIGNED_IN = frozenset({L, T, CA, LGA})
AUTHORS = frozenset({T, LGA})
REPORTERS = frozenset({CA, LGA})
ROLES = ("anonymous", L, T, CA, LGA)

C = "/courses/digital-leadership"
M = C + "/cyber-security"
A = "/author/digital-leadership"
MOD = A + "/03-cyber-security"

# endpoint: (method, sample URL ({...} filled from the world fixture), who may use it)
TABLE: dict[str, tuple[str, str, object]] = {
    # main
    "main.start": ("GET", "/", PUBLIC),
    "main.healthz": ("GET", "/healthz", PUBLIC),
    "main.accessibility": ("GET", "/accessibility", PUBLIC),
    "main.privacy": ("GET", "/privacy", PUBLIC),
    "main.cookies": ("GET", "/cookies", PUBLIC),
    "main.set_language": ("GET", "/language/cy?next=/", PUBLIC),
    # accounts
    "auth.register": ("GET", "/register", PUBLIC),
    "auth.confirm_registration": ("GET", "/register/confirm/not-a-real-token", PUBLIC),
    "auth.confirm_email_change": ("GET", "/account/email/not-a-real-token", PUBLIC),
    "auth.not_me": ("GET", "/account/not-me/not-a-real-token", PUBLIC),
    "auth.sign_in": ("GET", "/sign-in", PUBLIC),
    "auth.request_sign_in_link": ("GET", "/sign-in/email-link", PUBLIC),
    "auth.sign_in_with_link": ("GET", "/sign-in/link/not-a-real-token", PUBLIC),
    "auth.forgot_password": ("GET", "/forgot-password", PUBLIC),
    "auth.reset_password": ("GET", "/reset-password/not-a-real-token", PUBLIC),
    "auth.sign_out": ("POST", "/sign-out", PUBLIC),
    "auth.two_factor": ("GET", "/sign-in/two-factor", PUBLIC),  # needs a password-verified pending sign-in
    "auth.two_factor_setup": ("GET", "/sign-in/two-factor/set-up", PUBLIC),  # pending sign-in or signed in
    "auth.account": ("GET", "/account", SIGNED_IN),
    "auth.change_password": ("GET", "/account/password", SIGNED_IN),
    "auth.sign_out_everywhere": ("POST", "/account/sign-out-everywhere", SIGNED_IN),
    "auth.account_two_factor": ("GET", "/account/two-factor", SIGNED_IN),
    "auth.new_recovery_codes": ("POST", "/account/two-factor/recovery-codes", SIGNED_IN),
    "auth.turn_off_two_factor": ("POST", "/account/two-factor/turn-off", frozenset({L})),  # staff must keep it
    # privacy
    "privacy.export": ("GET", "/account/data", SIGNED_IN),
    "privacy.delete_account": ("GET", "/account/delete", frozenset({L})),
    "privacy.audit_log": ("GET", "/admin/audit-log", frozenset({LGA})),
    # learning
    "learning.dashboard": ("GET", "/courses/", SIGNED_IN),
    "learning.course": ("GET", C, SIGNED_IN),
    "learning.module": ("GET", M, SIGNED_IN),
    "learning.page": ("GET", M + "/1", SIGNED_IN),
    "learning.resume": ("GET", M + "/continue", SIGNED_IN),
    "learning.course_file": ("GET", C + "/files/images/missing.png", PUBLIC),
    # quizzes
    "quizzes.quiz": ("GET", M + "/quiz", SIGNED_IN),
    "quizzes.start": ("POST", M + "/quiz", SIGNED_IN),
    "quizzes.paper": ("GET", M + "/quiz/paper/{own_token}", SIGNED_IN),
    "quizzes.question": ("GET", M + "/quiz/paper/{own_token}/1", SIGNED_IN),
    "quizzes.check": ("GET", M + "/quiz/paper/{own_token}/check", SIGNED_IN),
    "quizzes.results": ("GET", M + "/quiz/results/{own_token}", SIGNED_IN),
    "quizzes.transcript": ("GET", "/courses/transcript", SIGNED_IN),
    # certificates
    "certificates.mine": ("GET", "/certificates", SIGNED_IN),
    "certificates.pdf": ("GET", "/certificates/{own_cert}.pdf", SIGNED_IN),
    "certificates.correct_name": ("GET", "/certificates/{own_cert}/correct-name", SIGNED_IN),
    "certificates.share": ("GET", "/certificates/{own_cert}", SIGNED_IN),
    "certificates.admin_lookup": ("GET", "/admin/certificates", frozenset({LGA})),
    "certificates.revoke": ("GET", "/admin/certificates/{other_cert}/revoke", frozenset({LGA})),
    "certificates.name_corrections": ("GET", "/admin/name-corrections", frozenset({LGA})),
    "certificates.decide_name_correction": ("POST", "/admin/name-corrections/{correction_id}", frozenset({LGA})),
    "verify.verify_start": ("GET", "/verify", PUBLIC),
    "verify.verify": ("GET", "/verify/{other_cert}", PUBLIC),
    "verify.credential": ("GET", "/verify/{other_cert}/credential", PUBLIC),
    "verify.credential_status": ("GET", "/verify/{other_cert}/status", PUBLIC),
    "verify.credential_json": ("GET", "/verify/{other_cert}/credential.json", PUBLIC),
    "verify.status_list": ("GET", "/credentials/status/1", PUBLIC),
    "verify.did_json": ("GET", "/.well-known/did.json", PUBLIC),
    "verify.achievement": ("GET", "/achievements/digital-leadership", PUBLIC),
    "verify.criteria": ("GET", "/achievements/digital-leadership/criteria", PUBLIC),
    "verify.badge_image": ("GET", "/achievements/digital-leadership/badge.png", PUBLIC),
    "verify.issuer": ("GET", "/issuer", PUBLIC),
    "verify.jwks_json": ("GET", "/.well-known/jwks.json", PUBLIC),
    # reporting
    "reporting.dashboard": ("GET", "/reports/", REPORTERS),
    "reporting.export": ("GET", "/reports/export.csv", REPORTERS),
    "reporting.council": ("GET", "/reports/councils/CRF", REPORTERS),
    "reporting.council_export": ("GET", "/reports/councils/CRF/export.csv", REPORTERS),
    "reporting.council_certificates": ("GET", "/reports/councils/CRF/certificates.zip", REPORTERS),
    "reporting.api_tokens": ("GET", "/reports/api-tokens", frozenset({LGA})),
    "reporting.revoke_api_token": ("POST", "/reports/api-tokens/999999/revoke", frozenset({LGA})),
    # API (bearer tokens only)
    "api.openapi": ("GET", "/api/v1/openapi.json", PUBLIC),
    "api.docs": ("GET", "/api/v1/docs", PUBLIC),
    "api.councils": ("GET", "/api/v1/councils", TOKEN),
    "api.council_summary": ("GET", "/api/v1/councils/CRF/summary", TOKEN),
    "api.completions": ("GET", "/api/v1/completions", TOKEN),
    # authoring
    "authoring.index": ("GET", "/author/", AUTHORS),
    "authoring.new_module": ("GET", A + "/new", AUTHORS),
    "authoring.move": ("POST", A + "/move", AUTHORS),
    "authoring.edit": ("GET", MOD, AUTHORS),
    "authoring.preview": ("POST", MOD + "/preview", AUTHORS),
    "authoring.save": ("POST", MOD + "/save", AUTHORS),
    "authoring.discard": ("POST", MOD + "/discard", AUTHORS),
    "authoring.compare": ("GET", MOD + "/compare", AUTHORS),
    "authoring.publish": ("GET", MOD + "/publish", AUTHORS),
    "authoring.history": ("GET", MOD + "/versions", AUTHORS),
    "authoring.version": ("GET", MOD + "/versions/1", AUTHORS),
    "authoring.version_diff": ("GET", MOD + "/versions/diff?a=1&b=1", AUTHORS),
    "authoring.rollback": ("GET", MOD + "/versions/1/rollback", AUTHORS),
    "authoring.gift_import": ("GET", MOD + "/gift", AUTHORS),
    "authoring.images": ("GET", "/author/images", AUTHORS),
    "uploads.image": ("GET", "/uploads/0000000000000000.png", PUBLIC),
    # notifications (the signed token in the link is the credential)
    "notify.unsubscribe": ("GET", "/unsubscribe/not-a-real-token", PUBLIC),
}

# Objects that belong to someone else: (endpoint, method, URL, {role: allowed statuses}).
# The other learner is in council MAN; every staff member here is in CRF except the LGA admin.
DENIED = {403, 404}
FOREIGN = [
    ("certificates.pdf", "GET", "/certificates/{other_cert}.pdf", {L: DENIED, T: DENIED, CA: DENIED, LGA: {200}}),
    ("certificates.correct_name", "GET", "/certificates/{other_cert}/correct-name",
     {L: DENIED, T: DENIED, CA: DENIED, LGA: DENIED}),
    ("certificates.share", "GET", "/certificates/{other_cert}", {L: DENIED, T: DENIED, CA: DENIED, LGA: DENIED}),
    ("quizzes.results", "GET", M + "/quiz/results/{other_token}", {L: {404}, T: {404}, CA: {404}, LGA: {404}}),
    ("quizzes.paper", "GET", M + "/quiz/paper/{other_token}", {L: {404}, T: {404}, CA: {404}, LGA: {404}}),
    ("reporting.council", "GET", "/reports/councils/MAN", {CA: {404}, LGA: {200}}),
    ("reporting.council_export", "GET", "/reports/councils/MAN/export.csv", {CA: {404}, LGA: {200}}),
    ("reporting.council_certificates", "GET", "/reports/councils/MAN/certificates.zip", {CA: {404}, LGA: {200}}),
    ("reporting.council", "GET", "/reports/councils/CRF", {CA: {200}, LGA: {200}}),
]

# Endpoints after which the client's session has ended (sign in again before the next one).
ENDS_SESSION = {"auth.sign_out", "auth.sign_out_everywhere"}


def _own_attempt(app, user, submitted: bool):
    import secrets

    from leadership.extensions import db
    from leadership.quizzes.models import QuizAttempt

    with app.app_context():
        attempt = QuizAttempt(user_id=user.id, course_slug="digital-leadership", module_slug="cyber-security",
                              content_version="test", paper=[], token=secrets.token_urlsafe(24),
                              draft=None)
        if submitted:
            from leadership.db import utcnow

            attempt.submitted_at, attempt.score, attempt.passed = utcnow(), 100, True
        db.session.add(attempt)
        db.session.commit()
        token = attempt.token
        db.session.remove()
    return token


@pytest.fixture
def world(app, make_user):
    from security_helpers import issue_for

    from leadership.certificates.models import NameCorrection
    from leadership.extensions import db

    users = {L: make_user(L, council="CRF"), T: make_user(T, council="CRF"),
             CA: make_user(CA, council="CRF"), LGA: make_user(LGA, council="LND")}
    other = make_user(L, council="MAN", name="Other Learner")
    values = {"other_token": _own_attempt(app, other, submitted=True)}
    other_cert = issue_for(app, other)
    values["other_cert"] = other_cert.code
    with app.app_context():
        correction = NameCorrection(certificate_id=other_cert.id, requested_name="Other L", reason="typo")
        db.session.add(correction)
        db.session.commit()
        values["correction_id"] = correction.id
        db.session.remove()
    per_role = {}
    for role, user in users.items():
        per_role[role] = {**values, "own_token": _own_attempt(app, user, submitted=False),
                          "own_cert": issue_for(app, user).code}
    per_role["anonymous"] = {**values, "own_token": values["other_token"], "own_cert": values["other_cert"]}
    return users, per_role


def _client(app, users, role):
    client = Client(app.test_client())
    if role != "anonymous":
        client.sign_in(users[role].email)
    return client


def _request(client, method, url, role):
    if method == "GET":
        return client.get(url)
    return client.post(url, {}, token_from="/sign-in" if role == "anonymous" else "/account")


def _sent_to_sign_in(response) -> bool:
    return response.status_code == 302 and "/sign-in" in response.headers.get("Location", "")


def test_every_route_is_in_the_table(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint != "static"}
    missing = sorted(endpoints - TABLE.keys())
    stale = sorted(TABLE.keys() - endpoints)
    assert not missing, f"routes without an authorisation rule in the matrix: {missing}"
    assert not stale, f"matrix rows for routes that no longer exist: {stale}"


def test_every_view_wears_an_access_tag_matching_the_table(app):
    from leadership.auth.models import Role

    for endpoint, view in app.view_functions.items():
        if endpoint == "static":
            continue
        access = getattr(view, "access", None)
        assert access is not None, f"{endpoint} has neither @public nor @requires"
        expected = TABLE[endpoint][2]
        if expected in (PUBLIC, TOKEN):
            assert access == "public", (endpoint, access)
        else:
            assert {r.value for r in access} == set(expected), (endpoint, access)
            assert all(isinstance(r, Role) for r in access)


@pytest.mark.parametrize("role", ROLES)
def test_matrix(app, world, role):
    users, per_role = world
    client = _client(app, users, role)
    problems = []
    for endpoint, (method, template, access) in sorted(TABLE.items()):
        url = template.format(**per_role[role])
        response = _request(client, method, url, role)
        status = response.status_code
        if status >= 500:
            problems.append(f"{endpoint} {url}: {status} server error")
        elif access == PUBLIC:
            if status in (401, 403):
                problems.append(f"{endpoint} {url}: public route refused with {status}")
        elif access == TOKEN:
            if status != 401:
                problems.append(f"{endpoint} {url}: API answered {status} without a bearer token")
        elif role == "anonymous":
            if not _sent_to_sign_in(response):
                problems.append(f"{endpoint} {url}: anonymous got {status}, not sent to sign in")
        elif role in access:
            if status in (401, 403) or (_sent_to_sign_in(response) and endpoint not in ENDS_SESSION):
                problems.append(f"{endpoint} {url}: {role} should be allowed, got {status}")
        elif status != 403:
            problems.append(f"{endpoint} {url}: {role} should get 403, got {status}")
        if endpoint in ENDS_SESSION and role != "anonymous":
            client = _client(app, users, role)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("role", [L, T, CA, LGA])
def test_objects_of_another_learner_or_council(app, world, role):
    users, per_role = world
    client = _client(app, users, role)
    problems = []
    for endpoint, method, template, expected in FOREIGN:
        if role not in expected:
            continue
        url = template.format(**per_role[role])
        status = _request(client, method, url, role).status_code
        if status not in expected[role]:
            problems.append(f"{endpoint} {url}: {role} got {status}, expected one of {sorted(expected[role])}")
    assert not problems, "\n".join(problems)


def test_council_admin_never_sees_another_councils_people(app, world, make_user):
    users, _ = world
    make_user(L, council="MAN", name="Zebedee Secretperson", email="zebedee@example.org")
    client = _client(app, users, CA)
    for url in ("/reports/", "/reports/export.csv", "/reports/councils/CRF", "/reports/councils/CRF/export.csv"):
        body = client.get(url).get_data(as_text=True)
        assert "Zebedee" not in body and "zebedee@example.org" not in body, url


def test_api_ignores_session_cookies_even_for_lga_admin(app, world):
    users, _ = world
    client = _client(app, users, LGA)
    response = client.get("/api/v1/completions")
    assert response.status_code == 401 and response.mimetype == "application/problem+json"
