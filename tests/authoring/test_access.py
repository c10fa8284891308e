"""Only trainers and LGA admins reach authoring: every route, every method."""
from __future__ import annotations

import re

import pytest

SAMPLE = {"course_slug": "tiny-course", "name": "01-basics", "number": "1"}


def authoring_requests(app):
    out = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("authoring."):
            continue
        url = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", lambda m: SAMPLE[m.group(1)], rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            out.append((rule.endpoint, method, url))
    return out


def test_enumeration_covers_the_routes(author_app):
    endpoints = {e for e, _, _ in authoring_requests(author_app)}
    assert len(endpoints) >= 15
    assert {"authoring.index", "authoring.publish", "authoring.rollback", "authoring.images",
            "authoring.gift_import", "authoring.move", "authoring.new_module"} <= endpoints


@pytest.mark.parametrize("role", ["learner", "council_admin"])
def test_forbidden_for_learners_and_council_admins(role, author_app, make_user, client_for, db_session):
    user = make_user(role, email=f"{role}@example.org")
    c = client_for(author_app, user)
    token = c.csrf_token("/courses/")
    for endpoint, method, url in authoring_requests(author_app):
        if method == "GET":
            r = c.get(url)
        else:
            r = c.raw.open(url, method=method, data={"csrf_token": token, "source": "x", "kind": "major",
                                                      "note": "x", "module": "01-basics", "direction": "up"})
        assert r.status_code == 403, (role, endpoint, method, url, r.status_code)
    from leadership.authoring.models import ModuleVersion

    assert db_session.query(ModuleVersion).count() == 0


def test_signed_out_is_sent_to_sign_in(author_app, client_for):
    c = client_for(author_app)
    for endpoint, method, url in authoring_requests(author_app):
        if method == "GET":
            r = c.get(url)
            assert r.status_code == 302 and "/sign-in" in r.headers["Location"], (endpoint, url)


def test_lga_admin_may_author(author_app, make_user, client_for):
    c = client_for(author_app, make_user("lga_admin", email="lga@example.org"))
    assert c.get("/author/").status_code == 200


def test_author_link_in_navigation_only_for_authors(author_app, make_user, client_for, trainer):
    learner = client_for(author_app, make_user("learner", email="l@example.org"))
    assert not learner.page("/courses/").find("a", href="/author/")
    assert client_for(author_app, trainer).page("/courses/").find("a", href="/author/")
