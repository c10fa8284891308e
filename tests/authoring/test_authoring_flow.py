"""Draft, preview, publish, rollback, history and diff through real HTTP."""
from __future__ import annotations

from authoring_helpers import COURSE, edit_fields, module_text

EDIT = f"/author/{COURSE}/01-basics"


def test_smoke(author, courses_dir):
    soup = author.page("/author/")
    assert "The basics" in soup.get_text()
    soup = author.page(EDIT)
    data = edit_fields(soup)
    assert data["lock_version"] == "0"
    data["source"] = data["source"].replace("Councils run", "Every council runs")
    r = author.post(EDIT + "/preview", data, token_from=EDIT)
    assert r.status_code == 200, r.data[:3000]
    r = author.post(EDIT + "/save", data, token_from=EDIT)
    assert r.status_code == 302, r.data[:3000]
    soup = author.page(EDIT + "/publish")
    r = author.post(EDIT + "/publish", {"kind": "major", "note": "Reworded", "lock_version": "1"})
    assert r.status_code == 302, r.data[:5000]
