"""Draft, preview, publish, rollback, history and diff through real HTTP."""
from __future__ import annotations

import re

import sqlalchemy as sa
from authoring_helpers import COURSE, edit_fields

EDIT = f"/author/{COURSE}/01-basics"


def _save(client, text, url=EDIT):
    data = edit_fields(client.page(url))
    data["source"] = text
    return client.post(url + "/save", data, token_from=url)


def _publish(client, kind="minor", note="Reworded", url=EDIT):
    soup = client.page(url + "/publish")
    lock = soup.find("input", {"name": "lock_version"})["value"]
    return client.post(url + "/publish", {"kind": kind, "note": note, "lock_version": lock})


def test_index_lists_every_module_with_status(author):
    soup = author.page("/author/")
    page = soup.get_text(" ")
    assert "The basics" in page and "A little more" in page
    assert page.count("Published") >= 2
    assert "Draft with unpublished changes" not in page


def test_draft_preview_publish_and_learner_sees_it(author, author_app, learner, client_for, db_session):
    soup = author.page(EDIT)
    data = edit_fields(soup)
    original = data["source"]
    data["source"] = original.replace("Councils run **hundreds**", "Councils run **many hundreds**")

    # Preview renders the learner page content and the quiz, without saving anything.
    r = author.post(EDIT + "/preview", data, token_from=EDIT)
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "many hundreds" in html and "What learners will see" in html
    assert 'class="govuk-heading-xl">Why the basics matter</h2>' in html  # the learner partial, as h2
    assert "What is the most common type of cyber attack?" in html  # the quiz preview
    assert "Phishing" in html
    assert author.page("/author/").get_text(" ").count("Draft with unpublished changes") == 0

    assert _save(author, data["source"]).status_code == 302
    assert "Draft with unpublished changes" in author.page("/author/").get_text(" ")
    compare = author.page(EDIT + "/compare").get_text(" ")
    assert "added" in compare and "removed" in compare and "many hundreds" in compare

    # Learners still see the published (file) text until publishing.
    learner_client = client_for(author_app, learner)
    assert "many hundreds" not in learner_client.page(f"/courses/{COURSE}/basics/1").get_text()

    r = _publish(author, kind="minor", note="Say many hundreds")
    assert r.status_code == 302, r.data[:3000]
    assert "many hundreds" in learner_client.page(f"/courses/{COURSE}/basics/1").get_text()

    history = author.page(EDIT + "/versions").get_text(" ")
    assert "Say many hundreds" in history and "courses/ files" in history
    assert "Pages changed: Why the basics matter" in history

    from leadership.audit import AuditEvent

    events = db_session.scalars(sa.select(AuditEvent.action)).all()
    assert "content.publish" in events


def test_publish_requires_kind_and_note_and_no_problems(author):
    data = edit_fields(author.page(EDIT))
    _save(author, data["source"] + "\nsome more text\n")
    r = author.post(EDIT + "/publish", {"kind": "", "note": ""}, token_from=EDIT + "/publish")
    assert r.status_code == 400
    text = r.get_data(as_text=True)
    assert "Choose whether this is a minor or a major change" in text and "Enter a change note" in text

    broken = data["source"].replace("- [x] Phishing", "- [ ] Phishing")
    data = edit_fields(author.page(EDIT))
    data["source"] = broken
    author.post(EDIT + "/save", data, token_from=EDIT)
    r = _publish(author)
    assert r.status_code == 400
    assert "no correct answer" in r.get_data(as_text=True)


def test_problems_link_to_numbered_source_lines(author):
    data = edit_fields(author.page(EDIT))
    data["source"] = data["source"].replace("- [x] Phishing", "- [ ] Phishing")
    soup = author.post(EDIT + "/preview", data, token_from=EDIT)
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(soup.data, "html.parser")
    links = [a for a in soup.select(".govuk-error-summary__list a") if "correct" in a.get_text()]
    assert links, soup.select(".govuk-error-summary__list")
    href = links[0]["href"]
    assert re.fullmatch(r"#line-\d+", href)
    assert links[0].get_text().startswith(f"line {href[6:]}:")
    assert soup.find(id=href[1:]) is not None


def test_hostile_markdown_preview_is_inert(author):
    data = edit_fields(author.page(EDIT))
    hostile = (
        "\n<script>alert(1)</script>\n<img src=x onerror=alert(2)>\n"
        "[click](javascript:alert(3))\n<a href=\"javascript:alert(4)\">x</a>\n"
        "<iframe src=\"https://evil.example\"></iframe>\n<svg onload=alert(5)></svg>\n"
        "<div onclick=\"alert(6)\" style=\"x\">hi</div>\n"
    )
    data["source"] = data["source"].replace("Some text.", "Some text.\n" + hostile)
    r = author.post(EDIT + "/preview", data, token_from=EDIT)
    assert r.status_code == 200
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(r.data, "html.parser")
    preview = soup.find(id="preview").find_parent()
    rendered = "".join(str(s) for s in soup.select(".app-markdown"))
    assert "<script" not in rendered and "<iframe" not in rendered and "<svg" not in rendered
    for tag in soup.select(".app-markdown *"):
        assert not any(a.lower().startswith("on") for a in tag.attrs), tag
        for attr in ("href", "src"):
            assert not str(tag.get(attr, "")).lower().startswith("javascript:"), tag
    # The source view shows the text escaped, not as markup.
    assert not soup.find_all("script", string=re.compile("alert")) and preview is not None


def test_rollback_creates_a_new_version_with_old_text(author, author_app, learner, client_for, db_session):
    data = edit_fields(author.page(EDIT))
    _save(author, data["source"].replace("Some text.", "Changed text."))
    assert _publish(author, note="Change one").status_code == 302
    history = author.page(EDIT + "/versions")
    assert history.find("a", href=f"{EDIT}/versions/1/rollback")
    r = author.post(EDIT + "/versions/1/rollback", {"kind": "minor", "note": "Back to the file"})
    assert r.status_code == 302, r.data[:2000]
    versions = author.page(EDIT + "/versions").get_text(" ")
    assert "Rollback to version 1" in versions and "Back to the file" in versions

    from leadership.audit import AuditEvent
    from leadership.authoring.models import ModuleVersion

    v = db_session.scalars(sa.select(ModuleVersion).order_by(ModuleVersion.number)).all()
    assert [x.number for x in v] == [1, 2, 3] and v[2].source == v[0].source and v[2].rolled_back_from == 1
    assert "content.rollback" in db_session.scalars(sa.select(AuditEvent.action)).all()
    learner_client = client_for(author_app, learner)
    assert "Some text." in learner_client.page(f"/courses/{COURSE}/basics/1").get_text()

    # Rolling back to what is already published is refused clearly.
    r = author.post(EDIT + "/versions/3/rollback", {"kind": "minor", "note": "again"})
    assert r.status_code == 400 and "already the published version" in r.get_data(as_text=True)

    diff = author.page(EDIT + "/versions/diff?from=1&to=2").get_text(" ")
    assert "Changed text." in diff and "removed" in diff
    assert author.get(EDIT + "/versions/diff?from=1&to=9").status_code == 404
    assert author.get(EDIT + "/versions/diff?from=x").status_code == 400
    assert "Changed text." in author.page(EDIT + "/versions/2").get_text()


def test_create_module_from_template_and_reorder(author, author_app, learner, client_for, db_session):
    r = author.post(f"/author/{COURSE}/new", {"title": "Data sharing", "slug": "data-sharing"})
    assert r.status_code == 302, r.data[:2000]
    url = r.headers["Location"]
    assert url.endswith(f"/author/{COURSE}/03-data-sharing")
    soup = author.page(url)
    assert "No problems found" in soup.get_text()  # the template is valid
    index = author.page("/author/").get_text(" ")
    assert "Data sharing" in index and "Not published yet" in index
    learner_client = client_for(author_app, learner)
    assert learner_client.get(f"/courses/{COURSE}/data-sharing").status_code == 404

    assert _publish(author, url=url, note="New module").status_code == 302
    assert learner_client.get(f"/courses/{COURSE}/data-sharing").status_code == 200

    # Duplicate slug refused.
    r = author.post(f"/author/{COURSE}/new", {"title": "Again", "slug": "basics"})
    assert r.status_code == 400 and "already used" in r.get_data(as_text=True)

    # Move the new module up: learners see the new order.
    r = author.post(f"/author/{COURSE}/move", {"module": "03-data-sharing", "direction": "up"}, token_from="/author/")
    assert r.status_code == 302
    course_page = learner_client.page(f"/courses/{COURSE}").get_text(" ")
    assert course_page.index("Data sharing") < course_page.index("A little more")
    from leadership.audit import AuditEvent

    actions = db_session.scalars(sa.select(AuditEvent.action)).all()
    assert "content.reorder" in actions and "content.create" in actions
    assert author.post(f"/author/{COURSE}/move", {"module": "01-basics", "direction": "sideways"},
                       token_from="/author/").status_code == 400


def test_discard_draft(author):
    data = edit_fields(author.page(EDIT))
    _save(author, data["source"] + "\nMore.\n")
    r = author.post(EDIT + "/discard", {}, token_from=EDIT)
    assert r.status_code == 302
    assert "Draft with unpublished changes" not in author.page("/author/").get_text(" ")


def test_unknown_course_or_module_is_404(author):
    assert author.get("/author/nope/01-basics").status_code == 404
    assert author.get(f"/author/{COURSE}/99-nothing").status_code == 404
