"""The published overlay's Welsh views (the engine's one translation rule) and the cached dashboard.

Before the rebuild, authoring assembled the Welsh view of a course with its own copy of
the rule, which differed from the file loader's at the edges: for a module with a
published browser version, a Welsh file that no longer matched was dropped without a
word, and a Welsh file that was not UTF-8 raised, so the whole overlay failed and
learners saw the course files without any published version.  Now both go through
``content.load_translation`` / ``content.course_views``: the mismatch is reported like
the loader reports it, and an unreadable file falls back for that module only.
"""
from __future__ import annotations

import sqlalchemy as sa
from authoring_helpers import COURSE, edit_fields, module_text

from leadership.authoring.baseline import find_baselines
from leadership.authoring.drafts import save_draft
from leadership.authoring.overlay import overlay
from leadership.authoring.published import text_hash
from leadership.authoring.versions import import_text
from leadership.content import load_catalogue


def _published(db_session, courses_dir, text):
    baseline = find_baselines(courses_dir)[COURSE]
    version = import_text(db_session, baseline, "01-basics", text)
    db_session.commit()
    return version


def _views(db_session, courses_dir):
    catalogue = overlay(db_session, load_catalogue(courses_dir), courses_dir)
    return catalogue, catalogue.course(COURSE, "en"), catalogue.course(COURSE, "cy")


def test_a_matching_translation_follows_the_published_english(author_app, courses_dir, db_session):
    text = module_text(courses_dir).replace("Councils run", "Councils now run")
    version = _published(db_session, courses_dir, text)
    catalogue, en, cy = _views(db_session, courses_dir)
    basics = cy.module("basics")
    assert en.module("basics").version == version.content_hash
    assert basics.fallback is False and basics.title == "Y pethau sylfaenol"
    assert basics.version == version.content_hash  # progress and papers shared with English
    assert catalogue.problems == ()


def test_a_translation_that_no_longer_matches_falls_back_and_says_why(author_app, courses_dir, db_session):
    text = module_text(courses_dir)
    start = text.index("## A councillor can never be a data controller.")
    end = text.index("## Which of these is a *good* password practice?")
    _published(db_session, courses_dir, text[:start] + text[end:])
    catalogue, en, cy = _views(db_session, courses_dir)
    assert en.module("basics").quiz.question("councillor-controller") is None
    basics = cy.module("basics")
    assert basics.fallback is True and basics.title == "The basics"
    cy_path = str(courses_dir / "tiny" / "modules" / "01-basics.cy.md")
    assert [(p.path, p.message) for p in catalogue.problems] == [
        (cy_path, 'question "councillor-controller" is not in 01-basics.md; a translation keeps the '
                  "English {#id}")]


def test_an_unreadable_translation_falls_back_for_that_module_only(author_app, courses_dir, db_session):
    (courses_dir / "tiny" / "modules" / "01-basics.cy.md").write_bytes(b"\xff\xfe not UTF-8")
    version = _published(db_session, courses_dir, module_text(courses_dir).replace("Councils run",
                                                                                  "Councils now run"))
    catalogue, en, cy = _views(db_session, courses_dir)
    assert en.module("basics").version == version.content_hash  # the published version is shown
    assert cy.module("basics").fallback is True
    assert cy.module("basics").version == version.content_hash
    cy_path = str(courses_dir / "tiny" / "modules" / "01-basics.cy.md")
    assert [(p.path, p.message) for p in catalogue.problems if p.path == cy_path] == [
        (cy_path, "the file is not UTF-8 text")] * 2  # once from the files, once for the new English


def test_unchanged_modules_keep_the_file_catalogues_translation(author, author_app, courses_dir, db_session):
    author.post(f"/author/{COURSE}/move", {"module": "02-more", "direction": "up"}, token_from="/author/")
    files = load_catalogue(courses_dir)
    catalogue, en, cy = _views(db_session, courses_dir)
    assert [m.slug for m in en.modules] == ["more", "basics"]
    assert cy.module("basics") == files.course(COURSE, "cy").module("basics")
    assert cy.module("more").fallback is True
    assert catalogue.problems == files.problems == ()


# --------------------------------------------------------------------------- the dashboard


def _row(author, title):
    for row in author.page("/author/").find_all("tr"):
        if title in row.get_text(" "):
            return " ".join(row.get_text(" ").split())
    raise AssertionError(f"no dashboard row for {title!r}")


def test_dashboard_notices_a_draft_saved_elsewhere(author, author_app, courses_dir, db_session, trainer):
    assert "Draft with unpublished changes" not in _row(author, "The basics")
    baseline = find_baselines(courses_dir)[COURSE]
    text = module_text(courses_dir)
    # A draft saved outside this request (e.g. another worker): no content generation bump.
    save_draft(db_session, baseline, "01-basics", text.replace("title: The basics", "title: Basics, redone")
               .replace("- [x] Phishing", "- [ ] Phishing"), lock_version=0, base_version=text_hash(text),
               actor=trainer)
    row = _row(author, "Basics, redone")
    assert "Draft with unpublished changes" in row
    assert "Has 1 error" in row


def test_dashboard_notices_a_changed_course_file(author, courses_dir):
    assert "A little more" in _row(author, "A little more")
    path = courses_dir / "tiny" / "modules" / "02-more.md"
    path.write_text(path.read_text().replace("title: A little more", "title: Rather more"))
    row = _row(author, "Rather more")
    assert "From the course file" in row


def test_dashboard_answers_in_a_constant_number_of_queries(author, author_app, courses_dir, db_session):
    from leadership.extensions import db

    counted = []

    def count(conn, cursor, statement, *args):
        counted.append(statement)

    author.page("/author/")  # warm: summaries parsed once
    engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        author.page("/author/")
        two_modules = len(counted)
        author.page(f"/author/{COURSE}/new")
        counted.clear()
        assert author.post(f"/author/{COURSE}/new", {"slug": "data-sharing", "title": "Data sharing"},
                           token_from=f"/author/{COURSE}/new").status_code == 302
        counted.clear()
        author.page("/author/")
        assert len(counted) == two_modules  # one module more, not one query more
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


def test_dashboard_and_editor_notice_a_linked_file_appearing(author, courses_dir):
    path = courses_dir / "tiny" / "modules" / "02-more.md"
    path.write_text(path.read_text() + "\n![A chart](../images/chart.png)\n")
    editor = f"/author/{COURSE}/02-more"
    assert "Has 1 error" in _row(author, "A little more")
    assert 'missing image "../images/chart.png"' in author.page(editor).get_text(" ")
    (courses_dir / "tiny" / "images" / "chart.png").write_bytes(
        (courses_dir / "tiny" / "images" / "pic.png").read_bytes())
    assert "error" not in _row(author, "A little more")
    assert "missing image" not in author.page(editor).get_text(" ")
