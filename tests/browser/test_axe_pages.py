"""Every page type, in English and Welsh, on a desktop window, a 320 px wide phone and
at 400% zoom: axe-core's WCAG 2.0/2.1/2.2 A and AA rules report nothing, and the page
has the structure GOV.UK pages need (one h1, headings in order, landmarks, a working
skip link, the page's language, the title pattern, a focused error summary whose links
reach real fields).

Pages of features that are not built yet are skipped by name, so they are checked
automatically as soon as their endpoints exist.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import parse_qs, urlsplit

import pytest

from browserkit import (AXE_TAGS, run_axe, DESKTOP, NARROW, REFLOW, STRUCTURE, ZOOM_400, paper_values, set_language,
                        sign_in, wait_for_govuk_js)

pytestmark = pytest.mark.browser

AXE_OPTIONS = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
COURSE = "digital-leadership"
KEYBOARD_COURSE = "keyboard-course"


@dataclass
class World:
    """What a page's set-up needs: the app, the signed-in user and the browser page."""
    app: object
    user: object
    page: object
    ctx: object
    make_user: Callable
    data: dict = field(default_factory=dict)

    def course(self, slug):
        from leadership.catalogue import catalogue_service

        with self.app.app_context():
            return catalogue_service.get().course(slug, "en")


@dataclass
class Spec:
    id: str
    role: str | None
    path: str | Callable[[World], str]
    requires: tuple[str, ...] = ()  # endpoints that must exist
    action: Callable | None = None  # after loading `path`, e.g. submit the form to show its errors
    error: bool = False  # the page must show an error summary
    status: int | None = 200


# --- actions -----------------------------------------------------------------------

def submit(page, fields=None):
    """Fill fields by id and submit the form in <main> (the header's sign-out form aside)."""
    for field_id, value in (fields or {}).items():
        page.fill(f"#{field_id}", value)
    with page.expect_navigation() as navigation:
        page.locator("main form button[type=submit], main form input[type=submit], "
                     "main form button:not([type])").first.click()
    return navigation.value


def start_quiz(page, course_slug, module_slug):
    page.goto(f"/courses/{course_slug}/{module_slug}/quiz")
    with page.expect_navigation():
        page.locator("main form[action$='/quiz'] button").click()


def answer(page, module, *, app, correct=True):
    """Tick the options the content engine says are right (never read from the page; each
    option's value on this paper comes from the database)."""
    values = paper_values(app, page.url)
    for question in module.quiz.questions:
        name = f"q-{question.id}"
        if not page.locator(f"input[name='{name}']").count():
            continue  # not in this attempt's pool
        keys = question.correct_keys if correct else set(question.keys) - set(question.correct_keys)
        for key in sorted(keys)[:1] if question.type != "multiple" else sorted(keys):
            page.check(f"input[name='{name}'][value='{values[question.id][key]}']")


def passed_quiz_results(world: World) -> str:
    module = world.course(KEYBOARD_COURSE).module("only")
    start_quiz(world.page, KEYBOARD_COURSE, "only")
    answer(world.page, module, app=world.app)
    submit(world.page)
    assert "/quiz/results/" in world.page.url, world.page.url
    return urlsplit(world.page.url).path


def quiz_paper(world: World) -> str:
    start_quiz(world.page, COURSE, "digitalisation")
    assert "/quiz/paper/" in world.page.url, world.page.url
    return urlsplit(world.page.url).path


def quiz_question(world: World) -> str:
    start_quiz(world.page, COURSE, "cyber-security")
    assert "/quiz/paper/" in world.page.url, world.page.url
    return urlsplit(world.page.url).path


def issue_certificate(world: World, user=None) -> str:
    from leadership.certificates import service
    from leadership.extensions import db

    user = user or world.user or world.make_user("learner", name="Cllr Grace Hopper")
    with world.app.app_context():
        cert = service.issue_certificate(db.session, user.id, world.course(KEYBOARD_COURSE))
        db.session.commit()
        code = cert.code
        db.session.remove()
    return code


def half_signed_in(world: World, *, mfa: bool) -> str:
    """A member of staff who has given their password and is asked for the second step."""
    staff = world.make_user("trainer", mfa=mfa)
    location = sign_in(world.ctx, staff.email, second_factor=False)
    assert "/sign-in/two-factor" in location, location
    return location


def registration_link(world: World) -> str:
    """The page a registration's emailed link opens (a button that confirms the address)."""
    import sqlalchemy as sa

    from leadership.auth import service
    from leadership.councils.models import Council
    from leadership.extensions import db

    with world.app.app_context():
        council_id = db.session.scalar(sa.select(Council.id).where(Council.code == "CRF"))
        raw = service.begin_registration(db.session, name="Cllr New Person", email="new-person@example.org",
                                         council_id=council_id, password_hash="x", locale="en", hours=24)
        db.session.remove()
    return f"/register/confirm/{raw}"


def account_link(purpose: str, path: str):
    """The page an account email's link opens: an email change, or "This wasn't me"."""
    def build(world: World) -> str:
        from leadership.auth import service
        from leadership.auth.models import User
        from leadership.extensions import db

        with world.app.app_context():
            user = db.session.get(User, world.user.id)
            raw = service.issue_token(db.session, user, purpose, 60,
                                      email="new-address@example.org" if purpose == service.CHANGE_EMAIL else None)
            db.session.remove()
        return f"{path}/{raw}"

    return build


def url_of(endpoint: str, **values):
    """A path built by the app (for features whose URLs are not public contracts)."""
    def build(world: World) -> str:
        from flask import url_for

        with world.app.test_request_context():
            return url_for(endpoint, **values)

    return build


def preview(page):
    with page.expect_navigation() as navigation:
        page.locator("main button[formaction$='/preview']").click()
    return navigation.value


# --- the pages ----------------------------------------------------------------------

SPECS = [
    Spec("start", None, "/"),
    Spec("register", None, "/register"),
    Spec("register-errors", None, "/register", action=lambda p: submit(p), error=True, status=400),
    Spec("sign-in-error", None, "/sign-in", status=400, error=True,
         action=lambda p: submit(p, {"email": "nobody@example.org", "password": "not-the-password"})),
    Spec("email-link-request", None, "/sign-in/email-link"),
    Spec("forgot-password", None, "/forgot-password"),
    Spec("two-factor", None, lambda w: half_signed_in(w, mfa=True), requires=("auth.two_factor",)),
    Spec("two-factor-error", None, lambda w: half_signed_in(w, mfa=True), requires=("auth.two_factor",),
         action=lambda p: submit(p, {"code": "000000"}), error=True, status=400),
    Spec("two-factor-set-up", None, lambda w: half_signed_in(w, mfa=False), requires=("auth.two_factor_setup",)),
    Spec("check-email", None, "/sign-in/email-link", action=lambda p: submit(p, {"email": "ada@example.org"})),
    Spec("register-check-email", None, "/register", action=lambda p: submit(p, {
        "name": "Cllr Grace Hopper", "email": "grace@example.org", "council": "City of Cardiff Council",
        "password": "a long and memorable passphrase"})),
    Spec("registration-confirm", None, registration_link, requires=("auth.confirm_registration",)),
    Spec("email-change-confirm", "learner", account_link("change_email", "/account/email"),
         requires=("auth.confirm_email_change",)),
    Spec("account-not-me", "learner", account_link("not_me_password", "/account/not-me"),
         requires=("auth.not_me",)),
    Spec("two-factor-set-up-signed-in", "learner", "/sign-in/two-factor/set-up"),
    Spec("not-found", None, "/no-such-page", status=404),
    Spec("accessibility-statement", None, "/accessibility"),
    Spec("privacy", None, "/privacy"),
    Spec("cookies", None, "/cookies"),
    Spec("dashboard", "learner", "/courses/"),
    Spec("course", "learner", f"/courses/{COURSE}"),
    Spec("module", "learner", f"/courses/{COURSE}/cyber-security"),
    Spec("content-page", "learner", f"/courses/{COURSE}/cyber-security/2"),
    Spec("content-page-fallback", "learner", f"/courses/{COURSE}/digitalisation/1"),
    Spec("account", "learner", "/account"),
    Spec("account-two-factor", "learner", "/account/two-factor", requires=("auth.account_two_factor",)),
    Spec("change-password", "learner", "/account/password"),
    Spec("change-password-errors", "learner", "/account/password", action=lambda p: submit(p),
         error=True, status=400),
    Spec("forbidden", "learner", "/reports/", requires=("reporting.dashboard",), status=403),
    Spec("quiz-intro", "learner", f"/courses/{COURSE}/digitalisation/quiz", requires=("quizzes.quiz",)),
    Spec("quiz-paper", "learner", quiz_paper, requires=("quizzes.paper",)),
    Spec("quiz-paper-errors", "learner", quiz_paper, requires=("quizzes.paper",), action=lambda p: submit(p),
         error=True, status=400),
    Spec("quiz-question", "learner", quiz_question, requires=("quizzes.question",)),
    Spec("quiz-results", "learner", passed_quiz_results, requires=("quizzes.results",)),
    Spec("transcript", "learner", "/courses/transcript", requires=("quizzes.transcript",)),
    Spec("certificates", "learner", lambda w: (issue_certificate(w), "/certificates")[1],
         requires=("certificates.mine",)),
    Spec("verify-start", None, "/verify", requires=("verify.verify_start",)),
    Spec("verify-valid", None, lambda w: f"/verify/{issue_certificate(w)}", requires=("verify.verify",)),
    Spec("verify-unknown", None, "/verify/ABCD-EFGH-JKLM", requires=("verify.verify",), status=404),
    Spec("certificate-badge", "learner", lambda w: f"/certificates/{issue_certificate(w)}",
         requires=("certificates.share",)),
    Spec("achievement", None, f"/achievements/{COURSE}", requires=("verify.achievement",)),
    Spec("achievement-criteria", None, f"/achievements/{COURSE}/criteria", requires=("verify.criteria",)),
    Spec("reports-lga", "lga_admin", "/reports/", requires=("reporting.dashboard",)),
    Spec("reports-council-lga", "lga_admin", "/reports/councils/CRF", requires=("reporting.council",)),
    Spec("reports-council-admin", "council_admin", "/reports/councils/CRF", requires=("reporting.council",)),
    Spec("api-tokens", "lga_admin", "/reports/api-tokens", requires=("reporting.api_tokens",)),
    Spec("certificate-admin", "lga_admin", "/admin/certificates", requires=("certificates.admin_lookup",)),
    Spec("authoring-index", "trainer", url_of("authoring.index"), requires=("authoring.index",)),
    Spec("authoring-editor", "trainer", url_of("authoring.edit", course_slug=COURSE, name="03-cyber-security"),
         requires=("authoring.edit",)),
    Spec("authoring-preview", "trainer", url_of("authoring.edit", course_slug=COURSE, name="03-cyber-security"),
         requires=("authoring.preview",), action=preview),
    Spec("api-docs", None, url_of("api.docs"), requires=("api.docs",)),
]


def _load(page, spec: Spec, path: str):
    response = page.goto(path)
    if spec.action is not None:
        response = spec.action(page)  # the final response after any redirects
    if spec.status is not None:
        assert response.status == spec.status, f"{spec.id}: {page.url} answered {response.status}"
    wait_for_govuk_js(page)


def _axe(page, label, problems):
    count, report = run_axe(page, AXE_OPTIONS)
    if count:
        problems.append(f"{label}: {count} axe violation(s)\n{report}")


def _structure(app, page, spec: Spec, lang: str, label: str, problems: list):
    from flask_babel import gettext

    with app.test_request_context(f"/?lang={lang}"):
        error_prefix = gettext("Error:") + " "
    suffix = " – " + app.config["SERVICE_NAME"]
    info = page.evaluate(STRUCTURE)
    found = [f"{label}: {p}" for p in info["problems"]]
    if info["lang"] != lang:
        found.append(f"{label}: <html lang> is {info['lang']!r}, expected {lang!r}")
    title = info["title"]
    if not title.endswith(suffix) or not title.removesuffix(suffix).strip():
        found.append(f"{label}: title {title!r} does not follow '… – {app.config['SERVICE_NAME']}'")
    if info["hasErrorSummary"] != title.startswith(error_prefix):
        found.append(f"{label}: title {title!r} and error summary disagree (summary shown: {info['hasErrorSummary']})")
    if spec.error and not info["hasErrorSummary"]:
        found.append(f"{label}: expected an error summary")
    if info["hasErrorSummary"]:
        focused = page.evaluate("() => document.activeElement.classList.contains('govuk-error-summary')")
        if not focused:
            found.append(f"{label}: the error summary does not have focus on load")
    # The language toggle keeps the reader on the same page.
    toggle = page.locator("nav a[hreflang]")
    if toggle.count() != 1:
        found.append(f"{label}: expected one language toggle link, found {toggle.count()}")
    else:
        nxt = parse_qs(urlsplit(toggle.get_attribute("href")).query).get("next", [""])[0]
        here = urlsplit(page.url)
        if urlsplit(nxt).path != here.path:
            found.append(f"{label}: language toggle returns to {nxt!r}, not {here.path!r}")
    problems.extend(found)


def _skip_link(page, label: str, problems: list):
    """The skip link shows when focused and moves focus to <main>."""
    found = []
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")
    page.locator(".govuk-skip-link").focus()
    box = page.locator(".govuk-skip-link").bounding_box()
    if not box or box["height"] < 10:
        found.append(f"{label}: the skip link is not visible when focused")
    page.keyboard.press("Enter")
    if page.evaluate("() => document.activeElement && document.activeElement.id") != "main-content":
        found.append(f"{label}: the skip link does not move focus to #main-content")
    problems.extend(found)


@pytest.mark.parametrize("spec", SPECS, ids=[s.id for s in SPECS])
def test_page_is_accessible(spec, live_app, new_context, make_user):
    missing = [e for e in spec.requires if e not in live_app.view_functions]
    if missing:
        pytest.skip(f"{spec.id}: not built yet (no endpoint {', '.join(missing)})")
    user = make_user(spec.role, council="CRF") if spec.role else None
    ctx = new_context(viewport=DESKTOP)
    if user is not None:
        sign_in(ctx, user.email)
    page = ctx.new_page()
    world = World(app=live_app, user=user, page=page, ctx=ctx, make_user=make_user)
    path = spec.path(world) if callable(spec.path) else spec.path

    # The same signed-in session at 400% zoom: a 1280 px window at 400% lays out at 320 CSS px.
    zoomed = new_context(storage_state=ctx.storage_state(), viewport=ZOOM_400, device_scale_factor=4)
    zpage = zoomed.new_page()
    problems: list[str] = []
    for lang in ("en", "cy"):
        set_language(ctx, lang)
        set_language(zoomed, lang)
        page.set_viewport_size(DESKTOP)
        _load(page, spec, path)
        label = f"{spec.id} [{lang}, desktop] {page.url}"
        _structure(live_app, page, spec, lang, label, problems)
        _axe(page, label, problems)
        _skip_link(page, label, problems)

        page.set_viewport_size(NARROW)
        _load(page, spec, path)
        label = f"{spec.id} [{lang}, 320px] {page.url}"
        _axe(page, label, problems)
        if (overflow := page.evaluate(REFLOW)):
            problems.append(f"{label}: {overflow}")

        _load(zpage, spec, path)
        label = f"{spec.id} [{lang}, 400% zoom] {zpage.url}"
        _axe(zpage, label, problems)
        if (overflow := zpage.evaluate(REFLOW)):
            problems.append(f"{label}: {overflow}")

    assert not problems, "\n\n".join(problems)
