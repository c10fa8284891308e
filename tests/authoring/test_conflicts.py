"""Two trainers editing the same module: nothing is ever silently overwritten."""
from __future__ import annotations

from authoring_helpers import COURSE, edit_fields

EDIT = f"/author/{COURSE}/01-basics"


def test_second_save_from_a_stale_page_is_a_409_with_both_texts(author, author_app, trainer2, client_for, db_session):
    other = client_for(author_app, trainer2)
    mine = edit_fields(author.page(EDIT))
    theirs = edit_fields(other.page(EDIT))
    theirs["source"] = theirs["source"].replace("Some text.", "Their text.")
    assert other.post(EDIT + "/save", theirs, token_from=EDIT).status_code == 302

    mine["source"] = mine["source"].replace("Some text.", "My text.")
    r = author.post(EDIT + "/save", mine, token_from=EDIT)
    assert r.status_code == 409
    page = r.get_data(as_text=True)
    assert "someone else changed this module" in page
    assert "Their text." in page and "My text." in page  # both texts, and the diff between them

    from leadership.authoring.models import ModuleDraft

    draft = db_session.query(ModuleDraft).one()
    assert "Their text." in draft.source and draft.updated_by_label == "trainer2@example.org"

    # The conflict page carries the current lock version: saving from it is a deliberate choice.
    from bs4 import BeautifulSoup

    again = edit_fields(BeautifulSoup(r.data, "html.parser"))
    assert "My text." in again["source"]
    assert author.post(EDIT + "/save", again, token_from=EDIT).status_code == 302
    db_session.expire_all()
    assert "My text." in db_session.query(ModuleDraft).one().source


def test_two_first_drafts_from_the_published_text_conflict(author, author_app, trainer2, client_for):
    other = client_for(author_app, trainer2)
    mine, theirs = edit_fields(author.page(EDIT)), edit_fields(other.page(EDIT))
    assert mine["lock_version"] == theirs["lock_version"] == "0"
    theirs["source"] += "\nTheirs.\n"
    mine["source"] += "\nMine.\n"
    assert other.post(EDIT + "/save", theirs, token_from=EDIT).status_code == 302
    assert author.post(EDIT + "/save", mine, token_from=EDIT).status_code == 409


def test_publishing_a_draft_based_on_an_older_version_conflicts(author, author_app, trainer2, client_for, db_session):
    """A draft started before someone else published (drafts discarded and re-made) cannot be published."""
    from leadership.authoring.baseline import find_baselines
    from leadership.authoring.models import ModuleDraft
    from leadership.authoring.versions import import_text

    data = edit_fields(author.page(EDIT))
    data["source"] = data["source"].replace("Some text.", "Draft text.")
    assert author.post(EDIT + "/save", data, token_from=EDIT).status_code == 302
    # Someone publishes a different text meanwhile (e.g. `flask course import`).
    baseline = find_baselines(author_app.config["COURSES_DIR"])[COURSE]
    import_text(db_session, baseline, "01-basics", data["source"].replace("Draft text.", "Imported."))
    db_session.commit()

    soup = author.page(EDIT + "/publish")
    assert "A newer version was published after this draft was started" in soup.get_text()
    lock = soup.find("input", {"name": "lock_version"})["value"]
    r = author.post(EDIT + "/publish", {"kind": "minor", "note": "x", "lock_version": lock})
    assert r.status_code == 409
    assert "newer version of this module was published" in r.get_data(as_text=True)
    assert db_session.query(ModuleDraft).count() == 1  # the draft is kept


def test_publish_after_someone_else_changed_the_draft_conflicts(author, author_app, trainer2, client_for):
    other = client_for(author_app, trainer2)
    data = edit_fields(author.page(EDIT))
    data["source"] += "\nOne.\n"
    author.post(EDIT + "/save", data, token_from=EDIT)
    lock = author.page(EDIT + "/publish").find("input", {"name": "lock_version"})["value"]
    theirs = edit_fields(other.page(EDIT))
    theirs["source"] += "\nTwo.\n"
    assert other.post(EDIT + "/save", theirs, token_from=EDIT).status_code == 302
    r = author.post(EDIT + "/publish", {"kind": "minor", "note": "x", "lock_version": lock})
    assert r.status_code == 409 and "changed the draft since you looked at it" in r.get_data(as_text=True)
