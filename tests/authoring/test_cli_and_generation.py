"""Export/import round trip, `course reload` stamp, and other processes noticing a publish."""
from __future__ import annotations

import sqlalchemy as sa
from authoring_helpers import COURSE, edit_fields

EDIT = f"/author/{COURSE}/01-basics"


def _publish_change(author, old="Some text.", new="Browser text."):
    data = edit_fields(author.page(EDIT))
    data["source"] = data["source"].replace(old, new)
    assert author.post(EDIT + "/save", data, token_from=EDIT).status_code == 302
    lock = author.page(EDIT + "/publish").find("input", {"name": "lock_version"})["value"]
    assert author.post(EDIT + "/publish", {"kind": "minor", "note": "n", "lock_version": lock}).status_code == 302


def _versions(db_session):
    from leadership.authoring.models import ModuleVersion

    db_session.expire_all()
    return db_session.scalar(sa.select(sa.func.count()).select_from(ModuleVersion))


def test_export_then_import_round_trips_without_new_versions(author, author_app, courses_dir, tmp_path, db_session):
    _publish_change(author)
    author.post(f"/author/{COURSE}/move", {"module": "02-more", "direction": "up"}, token_from="/author/")
    before = _versions(db_session)
    runner = author_app.test_cli_runner()

    out = tmp_path / "exported"
    result = runner.invoke(args=["course", "export", "--out", str(out)])
    assert result.exit_code == 0, result.output
    exported = (out / "tiny" / "modules" / "01-basics.md").read_text()
    assert "Browser text." in exported
    assert "Browser text." not in (courses_dir / "tiny" / "modules" / "01-basics.md").read_text()
    import yaml

    assert yaml.safe_load((out / "tiny" / "course.yaml").read_text())["modules"] == ["02-more", "01-basics"]
    assert (out / "tiny" / "images" / "pic.png").is_file()
    assert runner.invoke(args=["course", "validate", str(out)]).exit_code == 0

    result = runner.invoke(args=["course", "import", str(out)])
    assert result.exit_code == 0, result.output
    assert "0 new version(s)" in result.output
    assert _versions(db_session) == before

    # Exporting over the courses folder itself, then importing it, is also a no-op.
    assert runner.invoke(args=["course", "export"]).exit_code == 0
    assert "Browser text." in (courses_dir / "tiny" / "modules" / "01-basics.md").read_text()
    result = runner.invoke(args=["course", "import"])
    assert result.exit_code == 0 and "0 new version(s)" in result.output
    assert _versions(db_session) == before


def test_import_publishes_changed_files_as_new_versions(author_app, courses_dir, tmp_path, db_session):
    import shutil

    src = tmp_path / "edited"
    shutil.copytree(courses_dir, src)
    path = src / "tiny" / "modules" / "02-more.md"
    path.write_text(path.read_text().replace("Going further", "Going much further"))
    runner = author_app.test_cli_runner()
    result = runner.invoke(args=["course", "import", str(src)])
    assert result.exit_code == 0, result.output
    assert "02-more: version 2" in result.output
    from leadership.audit import AuditEvent
    from leadership.authoring.models import ModuleVersion

    latest = db_session.scalars(sa.select(ModuleVersion).order_by(ModuleVersion.number.desc())).first()
    assert latest.author_label == "import" and "much further" in latest.source
    assert db_session.query(AuditEvent).filter_by(action="content.import").count() == 1

    # A broken file is refused with path:line problems, and nothing is published.
    path.write_text(path.read_text().replace("- [x] Phishing", "- [ ] Phishing").replace("- [x] Ransomware", "- [ ] Ransomware")
                    .replace("- [x] Malware", "- [ ] Malware"))
    result = runner.invoke(args=["course", "import", str(src)])
    assert result.exit_code == 1 and "no correct answer" in result.output.lower()


def test_reload_bumps_the_stamp_and_other_processes_notice(author, author_app, new_app, courses_dir, learner,
                                                           client_for, db_session):
    # A second app on the same database stands in for another gunicorn worker.
    other = new_app(COURSES_DIR=str(courses_dir), CONTENT_GENERATION_CHECK_SECONDS=0)
    reader = client_for(other, learner)
    assert "Some text." in reader.page(f"/courses/{COURSE}/basics/1").get_text()
    _publish_change(author)
    assert "Browser text." in reader.page(f"/courses/{COURSE}/basics/1").get_text()

    from leadership.authoring import generation

    before = generation.generation(db_session)
    result = author_app.test_cli_runner().invoke(args=["course", "reload"])
    assert result.exit_code == 0, result.output
    db_session.expire_all()
    assert generation.generation(db_session) == before + 1


def test_a_broken_db_version_falls_back_to_the_file(author_app, courses_dir, learner, client_for, db_session, caplog):
    from leadership.authoring import generation
    from leadership.authoring.models import ModuleVersion
    from leadership.db import utcnow

    db_session.add(ModuleVersion(course_slug=COURSE, module_name="01-basics", module_slug="basics", number=1,
                                 content_hash="x", source="not a module", author_label="x", published_at=utcnow(),
                                 change_note="x", change_kind="minor", pages_changed=[], quiz_changed=False))
    generation.bump_generation(db_session)
    db_session.commit()
    page = client_for(author_app, learner).page(f"/courses/{COURSE}/basics/1")
    assert "Councils run" in page.get_text()
    assert any("does not load" in r.getMessage() for r in caplog.records)
