"""F1 in a real browser: the reported link makes Chromium stay on the site.

Every request Chromium makes is recorded; requests to any other host are aborted, so
nothing leaves the machine even if the redirect were open.
"""
from __future__ import annotations

import urllib.parse

import pytest

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("sent", ["/%09/evil.example", "/%5Cevil.example", "%20//evil.example",
                                  "//%09evil.example"])
def test_language_link_with_a_hostile_next_stays_on_the_site(new_context, live_server, sent):
    ctx = new_context()
    own = urllib.parse.urlsplit(live_server).netloc
    elsewhere = []

    def guard(route):
        host = urllib.parse.urlsplit(route.request.url).netloc
        if host != own:
            elsewhere.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    ctx.route("**/*", guard)
    page = ctx.new_page()
    page.goto(f"/language/en?next={sent}", wait_until="networkidle")  # the favicon too: nothing left in flight
    assert elsewhere == [], elsewhere
    assert urllib.parse.urlsplit(page.url).netloc == own, page.url
    page.close()
