"""F1 (security test): no redirect after an action may leave the site, whatever ``next=`` holds.

Each target below is a known open-redirect bypass. It is checked through the one function
every redirect uses, and through the real routes: the ``Location`` header is resolved the way
a browser resolves it (WHATWG URL Standard), and must land on this site.
"""
from __future__ import annotations

import time
import urllib.parse

import pytest

from support import Client

# (as sent in the query string, already percent-encoded)
BYPASSES = [
    "/%09/evil.example",  # the reported TAB bypass: Werkzeug drops the TAB, leaving //evil.example
    "%09//evil.example",
    "/%0A/evil.example", "/%0D/evil.example", "/%0D%0A/evil.example",
    "//evil.example", "///evil.example", "////evil.example",
    "/%5Cevil.example", "%5C%5Cevil.example", "/%5C/evil.example", "%5C/evil.example",
    "%2F%2Fevil.example", "%2F%5Cevil.example",
    "%20//evil.example", "%0C//evil.example", "%01//evil.example", "//%09evil.example",
    "https://evil.example/", "http:evil.example", "HTTPS://evil.example",
    "javascript:alert(1)", "%20javascript:alert(1)", "JaVaScRiPt:alert(1)", "java%09script:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "/%09%09/evil.example",
]
# Percent-encoded twice: after the query string is decoded once these are plain paths on this site.
STAY = ["/%252F%252Fevil.example", "/%2509/evil.example", "/%E3%80%80/evil.example", "/account",
        "/courses/?lang=cy"]


def browser_resolves(location: str, base: str = "http://localhost/") -> urllib.parse.SplitResult:
    """Where a browser goes for this Location header (WHATWG: strip C0 and spaces at both ends,
    drop TAB/LF/CR anywhere, read '\\' as '/' in http(s) URLs, then resolve against the page)."""
    cleaned = location.strip("".join(chr(c) for c in range(0x21)))
    cleaned = cleaned.replace("\t", "").replace("\n", "").replace("\r", "").replace("\\", "/")
    return urllib.parse.urlsplit(urllib.parse.urljoin(base, cleaned))


def assert_stays_on_site(response):
    assert response.status_code in (302, 303), response.status_code
    landed = browser_resolves(response.headers["Location"])
    assert (landed.scheme, landed.netloc) == ("http", "localhost"), response.headers["Location"]


@pytest.mark.parametrize("sent", BYPASSES)
def test_safe_redirect_target_refuses_known_bypasses(sent):
    from leadership.security import safe_redirect_target

    assert safe_redirect_target(urllib.parse.unquote(sent)) is None


@pytest.mark.parametrize("sent", STAY)
def test_safe_redirect_target_keeps_same_site_paths(sent):
    from leadership.security import safe_redirect_target

    target = urllib.parse.unquote(sent)
    assert safe_redirect_target(target) == target


def test_safe_redirect_target_reads_backslashes_and_whitespace_as_a_browser_does():
    from leadership.security import safe_redirect_target

    assert safe_redirect_target(" /account ") == "/account"
    assert safe_redirect_target("/account\\two-factor") == "/account/two-factor"
    assert safe_redirect_target("/acc\tount") == "/account"
    assert safe_redirect_target(None) is None and safe_redirect_target("") is None


@pytest.mark.parametrize("sent", BYPASSES)
def test_language_switch_never_leaves_the_site(client, sent):
    response = client.get(f"/language/en?next={sent}")
    assert_stays_on_site(response)
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("sent", STAY[:3])
def test_language_switch_keeps_double_encoded_paths_on_site(client, sent):
    assert_stays_on_site(client.get(f"/language/en?next={sent}"))


def test_sign_in_next_never_leaves_the_site(app, learner):
    for sent in BYPASSES:
        client = Client(app.test_client())
        client.get(f"/sign-in?next={sent}")
        response = client.sign_in(learner.email)
        assert_stays_on_site(response)
        assert response.headers["Location"] == "/courses/", sent


def test_staff_next_through_the_second_factor_never_leaves_the_site(app, make_user):
    trainer = make_user("trainer")
    for sent in ("/%09/evil.example", "/%5Cevil.example", "%20//evil.example", "javascript:alert(1)"):
        client = Client(app.test_client())
        client.get(f"/sign-in?next={sent}")
        response = client.sign_in(trainer.email)  # password, then the code: next rides in mfa_pending
        assert_stays_on_site(response)
        assert response.headers["Location"] == "/courses/", sent


def test_time_out_return_page_never_leaves_the_site(app, make_user):
    """A staff session that idles out remembers the page asked for; a path that a browser
    would read as //evil.example must not be remembered."""
    trainer = make_user("trainer")
    client = Client(app.test_client())
    client.sign_in(trainer.email)
    with client.raw.session_transaction() as sess:
        sess["seen_at"] = int(time.time()) - 31 * 60
    timed_out = client.get("/%09/evil.example")
    assert timed_out.status_code == 302 and timed_out.headers["Location"] == "/sign-in"
    response = client.sign_in(trainer.email)
    assert_stays_on_site(response)
    assert response.headers["Location"] == "/courses/"


def test_safe_next_still_returns_to_the_page(app, learner):
    client = Client(app.test_client())
    client.get("/sign-in?next=/account%5Ctwo-factor")
    assert client.sign_in(learner.email).headers["Location"] == "/account/two-factor"
