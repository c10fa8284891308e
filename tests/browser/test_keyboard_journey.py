"""The whole learner journey by keyboard alone: register, open the course and a module,
read its pages through the pagination links, pass its quiz and download the
certificate. Only key presses move focus or activate anything (Tab, Shift+Tab, Enter,
Space, and the arrow keys that radio groups use); never the mouse, never
locator.click(). Every element that receives focus must show a visible focus style.

The quiz answers come from the content engine in the test process, never the page.
"""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from browserkit import DESKTOP, FOCUS_INFO, paper_values, tab_to, wait_for_govuk_js

pytestmark = pytest.mark.browser

COURSE = "keyboard-course"
MODULE = "only"


def press_and_wait(page, key="Enter"):
    """Activate the focused link or button and wait for the page it leads to."""
    with page.expect_navigation() as navigation:
        page.keyboard.press(key)
    response = navigation.value
    wait_for_govuk_js(page)
    return response


def type_into(page, field_id: str, text: str, *, reverse=False):
    tab_to(page, f"el => el.id === {field_id!r}", reverse=reverse, describe=f"#{field_id}")
    page.keyboard.type(text)


def path(page) -> str:
    return urlsplit(page.url).path


def link_to(path: str) -> str:
    return f"el => el.matches('a') && new URL(el.href).pathname === {path!r}"


def assert_focus_visible(page):
    info = page.evaluate(FOCUS_INFO)
    assert info and info["visible"], f"no visible focus on {info and info['desc']} at {page.url}"


def test_learner_journey_by_keyboard_alone(live_app, new_context):
    from leadership.catalogue import catalogue_service

    with live_app.app_context():
        module = catalogue_service.get().course(COURSE, "en").module(MODULE)

    ctx = new_context(viewport=DESKTOP, accept_downloads=True)
    page = ctx.new_page()
    page.goto("/register")
    wait_for_govuk_js(page)

    # The first Tab reaches the skip link, which shows and moves focus to the main content.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.matches('a.govuk-skip-link')"), "first Tab is not the skip link"
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main-content"

    # Register. Fields are reached with Tab (and Shift+Tab to go back for one).
    type_into(page, "name", "Cllr Keyboard User")
    type_into(page, "email", "keyboard@example.org")
    type_into(page, "password", "a long and memorable passphrase")
    type_into(page, "council", "Cardiff", reverse=True)
    page.keyboard.press("Escape")  # close the council suggestions list
    tab_to(page, "el => el.matches('main form button') && el.type === 'submit'", describe="the Create account button")
    press_and_wait(page)
    assert page.locator("h1").inner_text() == "Check your email", page.url

    # The emailed link (opened from the mail client) shows one button, pressed with the keyboard.
    page.goto(_confirmation_path(live_app, "keyboard@example.org"))
    wait_for_govuk_js(page)
    tab_to(page, "el => el.matches('main form button') && el.type === 'submit'", describe="the Confirm button")
    press_and_wait(page)
    assert path(page) == "/courses/", f"confirming the address did not reach the dashboard: {page.url}"

    # Course, module, then every page of the module through the pagination links.
    tab_to(page, link_to(f"/courses/{COURSE}"), describe="the course link")
    press_and_wait(page)
    tab_to(page, link_to(f"/courses/{COURSE}/{MODULE}"), describe="the module link")
    press_and_wait(page)
    tab_to(page, link_to(f"/courses/{COURSE}/{MODULE}/1"), describe="the Start module button")
    press_and_wait(page)
    for number in range(2, len(module.pages) + 1):
        tab_to(page, "el => el.matches('.govuk-pagination__next a')", describe="the Next page link")
        press_and_wait(page)
        assert path(page) == f"/courses/{COURSE}/{MODULE}/{number}", page.url

    if "quizzes.quiz" not in live_app.view_functions:
        pytest.skip("keyboard journey stops after the module pages: the quiz feature is not built yet")

    # The last page's Next link leads to the quiz.
    tab_to(page, "el => el.matches('.govuk-pagination__next a')", describe="the Next (quiz) link")
    press_and_wait(page)
    assert path(page) == f"/courses/{COURSE}/{MODULE}/quiz", page.url
    tab_to(page, "el => el.matches(\"main form[action$='/quiz'] button\")", describe="the Start quiz button")
    press_and_wait(page, "Space")
    assert "/quiz/paper/" in page.url, page.url

    values = paper_values(live_app, page.url)  # the paper's own option values (random per paper)
    for question in module.quiz.questions:
        name = f"q-{question.id}"
        right = sorted(values[question.id][key] for key in question.correct_keys)
        if question.type == "multiple":
            for key in right:
                tab_to(page, f"el => el.name === {name!r} && el.value === {key!r}", describe=f"{name}={key}")
                page.keyboard.press("Space")
        else:
            # Tab enters a radio group once; the arrow keys move within it and select.
            tab_to(page, f"el => el.name === {name!r}", describe=f"the {name} radios")
            for _ in range(len(question.options)):
                if page.evaluate(f"() => document.activeElement.value === {right[0]!r}"):
                    break
                page.keyboard.press("ArrowDown")
                assert_focus_visible(page)
            page.keyboard.press("Space")
        for key in (values[question.id][k] for k in question.keys):
            checked = page.evaluate(f"() => document.querySelector(\"input[name={name!r}][value={key!r}]\").checked")
            assert checked == (key in right), f"{name}={key} checked={checked}"
    tab_to(page, "el => el.matches('main form button') && el.type === 'submit'", describe="the Submit answers button")
    press_and_wait(page)
    assert "/quiz/results/" in page.url, page.url
    token = path(page).rstrip("/").rsplit("/", 1)[-1]
    assert _attempt_passed(live_app, token), "the quiz was not passed"

    if "certificates.mine" not in live_app.view_functions:
        pytest.skip("keyboard journey stops after the quiz: the certificates feature is not built yet")

    # Find the certificate from here by keyboard: a PDF link, or the certificates page.
    info = tab_to(page, "el => el.matches('a') && (new URL(el.href).pathname === '/certificates'"
                        " || new URL(el.href).pathname.endsWith('.pdf'))", describe="a link to the certificate")
    if not page.evaluate("() => new URL(document.activeElement.href).pathname.endsWith('.pdf')"):
        press_and_wait(page)
        tab_to(page, "el => el.matches('a') && new URL(el.href).pathname.endsWith('.pdf')",
               describe="the certificate PDF link")
    pdf_path = page.evaluate("() => new URL(document.activeElement.href).pathname")
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    data = Path(download.value.path()).read_bytes()
    assert data.startswith(b"%PDF"), (pdf_path, info, data[:100])


def _confirmation_path(app, email: str) -> str:
    """The path of the confirmation link emailed to ``email`` (the outbox is the mail client)."""
    import re

    from leadership.mail import read_outbox

    for message in reversed(read_outbox(Path(app.config["MAIL_OUTBOX_DIR"]))):
        if message["To"] == email:
            link = re.search(r"https?://\S+", message.get_body(("plain",)).get_content()).group(0)
            return urlsplit(link).path
    raise AssertionError(f"no email to {email}")


def _attempt_passed(app, token: str) -> bool:
    import sqlalchemy as sa

    from leadership.extensions import db
    from leadership.quizzes.models import QuizAttempt

    with app.app_context():
        attempt = db.session.scalar(sa.select(QuizAttempt).where(QuizAttempt.token == token))
        passed = bool(attempt and attempt.passed)
        db.session.remove()
    return passed
