"""No stored payload ever executes in a real browser (issue 7: hostile input corpus).

Learners whose names are XSS payloads; their names are shown on the account page,
the certificates page, the public verification page and the council report. Each
page is loaded in Chromium with the app's real CSP; a payload that ran would set
``window.__xss`` or open a dialog.
"""
from __future__ import annotations

import pytest
from browserkit import sign_in

pytestmark = pytest.mark.browser

PAYLOADS = [
    '<img src=x onerror="window.__xss=1">',
    "<script>window.__xss=1</script>",
    '"><svg onload="window.__xss=1;alert(1)">',
]


def _issue(app, user):
    from leadership.catalogue import catalogue_service
    from leadership.certificates import service
    from leadership.extensions import db

    with app.app_context():
        cert = service.issue_certificate(db.session, user.id, catalogue_service.get().course("digital-leadership"))
        code = cert.code
        db.session.remove()
    return code


def _visit(ctx, url):
    page = ctx.new_page()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    response = page.goto(url)
    assert response is not None and response.status == 200, (url, response and response.status)
    page.wait_for_load_state("load")
    fired = page.evaluate("() => window.__xss")
    html = page.content()
    shown = page.inner_text("main")
    page.close()
    return fired, dialogs, html, shown


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_names_never_execute(payload, live_app, new_context, make_user):
    learner = make_user("learner", council="CRF", name=payload)
    admin = make_user("lga_admin", council="LND")
    code = _issue(live_app, learner)

    learner_ctx = new_context()
    sign_in(learner_ctx, learner.email)
    admin_ctx = new_context()
    sign_in(admin_ctx, admin.email)
    anonymous = new_context()
    visits = [(learner_ctx, "/account", False), (learner_ctx, "/certificates", True),
              (anonymous, f"/verify/{code}", True), (admin_ctx, "/reports/councils/CRF", True),
              (admin_ctx, f"/admin/certificates?code={code}", False)]
    for ctx, url, name_shown in visits:
        fired, dialogs, html, shown = _visit(ctx, url)
        if name_shown:
            assert payload in shown, f"the name is not on {url}, so this check proves nothing there"
        assert fired is None, f"payload executed on {url}"
        assert dialogs == [], f"a dialog opened on {url}"
        assert payload not in html, f"payload reached the DOM unescaped on {url}"
