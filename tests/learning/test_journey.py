"""The learner's journey: course, module, pages, progress and 'continue where you left off'."""
from datetime import timedelta

import sqlalchemy as sa

from support import text

COURSE = "/courses/digital-leadership"


def test_anonymous_learner_is_sent_to_sign_in(client):
    response = client.get(COURSE)
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in")


def test_course_page_lists_modules_as_a_task_list(signed_in):
    page = signed_in.page(COURSE)
    assert page.select_one("h1").get_text(strip=True) == "Digital leadership"
    titles = [a.get_text(strip=True) for a in page.select(".govuk-task-list__link")]
    assert "Cyber security for councillors" in titles and len(titles) >= 9
    assert "You have completed 0 of" in text(page)
    assert "Not yet started" in text(page)
    assert "Security and resilience" in text(page)  # the shared outcomes the modules serve


def test_module_page_shows_objectives_minutes_and_contents(signed_in):
    page = signed_in.page(f"{COURSE}/cyber-security")
    body = text(page)
    assert "What you will learn" in body and "About" in body and "minutes" in body
    contents = page.select("ol.govuk-list--number li a")
    assert len(contents) >= 4  # pages plus the quiz


def real_module(app, slug, language="en"):
    from leadership.catalogue import catalogue_service

    with app.app_context():
        return catalogue_service.get().course("digital-leadership", language).module(slug)


def test_reading_pages_records_progress_and_pagination(signed_in, app):
    module = real_module(app, "cyber-security")
    total = len(module.pages)
    page = signed_in.page(f"{COURSE}/cyber-security/2")
    assert f"Page 2 of {total}" in text(page)
    assert page.select_one("h1").get_text(strip=True) == module.pages[1].title
    assert page.select_one(".govuk-pagination__prev a")["href"].endswith("/cyber-security/1")
    assert page.select_one(".govuk-pagination__next a")["href"].endswith("/cyber-security/3")
    last = signed_in.page(f"{COURSE}/cyber-security/{total}")
    assert last.select_one(".govuk-pagination__next a")["href"].endswith("/cyber-security/quiz")
    module_page = signed_in.page(f"{COURSE}/cyber-security")
    assert f"Progress: 2 of {total} pages seen" in text(module_page)
    assert "In progress" in text(signed_in.page(COURSE))


def test_revisiting_a_page_does_not_double_count(signed_in, db_session):
    from leadership.learning.models import PageView

    for _ in range(3):
        signed_in.page(f"{COURSE}/cyber-security/1")
    assert db_session.scalar(sa.select(sa.func.count()).select_from(PageView)) == 1


def test_page_views_store_the_content_version(signed_in, db_session, app):
    from leadership.learning.models import PageView

    signed_in.page(f"{COURSE}/data-and-ai-ethics/1")
    view = db_session.scalar(sa.select(PageView))
    version = real_module(app, "data-and-ai-ethics").version
    assert view.content_version == version and view.module_slug == "data-and-ai-ethics"


def test_continue_where_you_left_off(signed_in, db_session):
    from leadership.learning.models import PageView

    signed_in.page(f"{COURSE}/information-governance/1")
    signed_in.page(f"{COURSE}/information-governance/2")
    signed_in.page(f"{COURSE}/cyber-security/1")
    # Days later: the most recent activity was in information governance.
    from leadership.db import utcnow

    db_session.execute(sa.update(PageView).where(PageView.module_slug == "cyber-security")
                       .values(last_seen_at=utcnow() - timedelta(days=3)))
    db_session.commit()
    dashboard = signed_in.page("/courses/")
    inset = dashboard.select_one(".govuk-inset-text")
    assert "Continue where you left off:" in text(inset)
    assert inset.select_one("strong").get_text(strip=True) == "Information governance for councillors"
    resume = signed_in.get(f"{COURSE}/information-governance/continue")
    assert resume.status_code == 302 and resume.headers["Location"].endswith("/information-governance/3")


def test_unknown_module_and_page_are_404(signed_in):
    assert signed_in.get(f"{COURSE}/no-such-module").status_code == 404
    assert signed_in.get(f"{COURSE}/cyber-security/99").status_code == 404
    assert signed_in.get(f"{COURSE}/cyber-security/0").status_code == 404
    assert signed_in.get("/courses/no-such-course").status_code == 404


def test_welsh_learner_sees_welsh_module_and_fallback_notice(signed_in, app):
    signed_in.get("/language/cy?next=/courses/")
    cyber = signed_in.page(f"{COURSE}/cyber-security/1")
    assert cyber.html["lang"] == "cy"
    welsh = real_module(app, "cyber-security", "cy")
    assert welsh.language == "cy"
    assert cyber.select_one("h1").get_text(strip=True) == welsh.pages[0].title
    assert cyber.select_one(".govuk-grid-column-two-thirds").get("lang") is None  # Welsh content, no override
    with app.test_request_context("/?lang=cy"):
        from flask_babel import gettext

        awaiting = gettext("This Welsh translation is awaiting review by a Welsh speaker.")
        fallback = gettext("This module is not yet available in Welsh, so it is shown in English.")
    assert awaiting != "This Welsh translation is awaiting review by a Welsh speaker."  # translated
    assert text(signed_in.page(f"{COURSE}/cyber-security").select_one(".govuk-inset-text")) == awaiting
    ethics = signed_in.page(f"{COURSE}/data-and-ai-ethics/1")
    assert ethics.select_one(".govuk-grid-column-two-thirds")["lang"] == "en"
    assert text(ethics.select_one(".govuk-inset-text")) == fallback


def test_course_files_refuse_traversal_and_non_images(signed_in):
    assert signed_in.get(f"{COURSE}/files/../../leadership/config.py").status_code == 404
    assert signed_in.get(f"{COURSE}/files/course.yaml").status_code == 404


def test_progress_is_computed_with_a_constant_number_of_queries(signed_in, app):
    from leadership.extensions import db

    counts, state = [], {"on": False}

    def count(*_args, **_kw):
        if state["on"]:
            counts[-1] += 1

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        for url in (f"{COURSE}/cyber-security/1", f"{COURSE}/cyber-security/2", f"{COURSE}/data-and-ai-ethics/1",
                    f"{COURSE}/information-governance/1"):
            signed_in.get(url)
            counts.append(0)
            state["on"] = True
            signed_in.get(COURSE)
            state["on"] = False
        assert len(set(counts)) == 1, counts
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
