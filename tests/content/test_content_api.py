"""The engine's public API: the shared rules, module slugs, and the one translated-view rule."""

import ast
import dataclasses
import shutil
from pathlib import Path

import pytest

import leadership.content as content
from content_paths import FIXTURES
from leadership.content import (
    LANGUAGES, SOURCE_LANGUAGE, TRANSLATION_LANGUAGES, accept_translation, content_hash,
    course_views, find_course_dirs, is_slug, is_whole_number, load_course, load_module_file,
    load_translation, module_name, module_slug, normalise, read_course_meta, read_text,
)

GOOD = FIXTURES / "good" / "courses"
TINY = GOOD / "tiny"
ROOT = Path(__file__).resolve().parents[2]


def test_every_public_name_exists():
    missing = [name for name in content.__all__ if not hasattr(content, name)]
    assert missing == []
    assert len(content.__all__) == len(set(content.__all__))


def test_languages_are_one_tuple():
    assert SOURCE_LANGUAGE == "en"
    assert TRANSLATION_LANGUAGES == ("cy",)
    assert LANGUAGES == ("en", "cy")


def test_normalise_drops_bom_and_unifies_line_ends():
    assert normalise("\ufeffa\r\nb\rc\n") == "a\nb\nc\n"
    assert content_hash(normalise("\ufeffx\r\n")) == content_hash("x\n")
    assert len(content_hash("x")) == 12


@pytest.mark.parametrize("value, ok", [
    ("digital-leadership", True), ("a1", True), ("Digital", False), ("a--b", False),
    ("-a", False), ("a b", False), ("", False), (3, False), (None, False)])
def test_slug_rule(value, ok):
    assert is_slug(value) is ok


@pytest.mark.parametrize("value, ok", [(0, True), (15, True), (-1, True), (True, False),
                                       (False, False), (1.0, False), ("3", False)])
def test_whole_number(value, ok):
    assert is_whole_number(value) is ok


def test_module_name():
    assert module_name("modules/03-x.cy.md") == ("03-x", "cy")
    assert module_name("modules\\03-x.md") == ("03-x", None)
    assert module_name("03-x.v2.md") == ("03-x.v2", None)  # "v2" is not a language code


def test_module_slug_reads_the_front_matter():
    text = (TINY / "modules" / "01-basics.md").read_text()
    assert module_slug(text) == "basics"
    assert module_slug("\ufeff---\r\nslug: \"quoted-slug\"\r\n---\r\n# P\n") == "quoted-slug"
    # A "slug:" line in the body is not the module's slug; a bad or missing one is None.
    assert module_slug("---\ntitle: T\n---\n\nslug: body-text\n") is None
    assert module_slug("---\nslug: Not A Slug\n---\n") is None
    assert module_slug("no front matter\nslug: x\n") is None
    assert module_slug("---\nslug: [unclosed\n---\n") is None


def test_read_text_reports_bad_files(tmp_path):
    bad = tmp_path / "x.md"
    bad.write_bytes(b"\xff\xfe bad")
    assert read_text(bad) == (None, [content.Problem(str(bad), 1, "the file is not UTF-8 text")])
    text, problems = read_text(tmp_path / "missing.md")
    assert text is None and len(problems) == 1
    assert problems[0].message.startswith("cannot read the file: ")


def test_read_course_meta_and_find_course_dirs():
    meta, problems = read_course_meta(TINY)
    assert problems == [] and meta.slug == "tiny-course" and meta.path == str(TINY)
    assert find_course_dirs(TINY) == [TINY]
    assert TINY in find_course_dirs(GOOD)


# --------------------------------------------------------------------------- translated views


def _english_and_meta(course_dir):
    meta, _ = read_course_meta(course_dir)
    english = [load_module_file(course_dir / "modules" / f"{n}.md", meta)[0]
               for n in meta.module_names]
    return meta, english


def test_accepted_translation_keeps_the_english_version():
    meta, english = _english_and_meta(TINY)
    basics = english[0]
    welsh, problems = load_translation(basics, "cy", meta)
    assert problems == []
    assert welsh.language == "cy" and welsh.fallback is False
    assert welsh.version == basics.version
    assert welsh.translation_version == content_hash((TINY / "modules" / "01-basics.cy.md").read_text())
    assert load_translation(english[1], "cy", meta) == (None, [])  # no 02-more.cy.md


def test_course_views_fall_back_module_by_module():
    meta, english = _english_and_meta(TINY)
    welsh, _ = load_translation(english[0], "cy", meta)
    views = course_views(meta, english, {"cy": {"01-basics": welsh}})
    assert list(views) == ["en", "cy"]
    assert views["en"].modules == tuple(english)
    cy = views["cy"]
    assert cy.title == "Cwrs bach" and cy.language == "cy"
    assert cy.modules[0] is welsh
    assert cy.modules[1] == dataclasses.replace(english[1], fallback=True)
    assert cy.content_version == views["en"].content_version
    # No accepted translations: every module falls back, the course-level Welsh still applies.
    bare = course_views(meta, english, {})["cy"]
    assert [m.fallback for m in bare.modules] == [True, True] and bare.title == "Cwrs bach"
    # The same folder loaded whole gives exactly these views.
    assert load_course(TINY)[0] == views


def test_a_translation_that_does_not_match_falls_back_with_the_reason(tmp_path):
    shutil.copytree(TINY, tmp_path / "tiny")
    meta, english = _english_and_meta(tmp_path / "tiny")
    cy = tmp_path / "tiny" / "modules" / "01-basics.cy.md"
    cy.write_text(cy.read_text().replace("{#most-common-attack}", "{#renamed}"))
    welsh, problems = load_translation(english[0], "cy", meta)
    assert welsh is None
    assert [p.message for p in problems] == [
        'question "renamed" is not in 01-basics.md; a translation keeps the English {#id}',
        'question "most-common-attack" from 01-basics.md is missing']


def test_an_unreadable_translation_falls_back_with_the_reason(tmp_path):
    shutil.copytree(TINY, tmp_path / "tiny")
    meta, english = _english_and_meta(tmp_path / "tiny")
    cy = tmp_path / "tiny" / "modules" / "01-basics.cy.md"
    cy.write_bytes(b"\xff not utf-8")
    assert load_translation(english[0], "cy", meta) == (
        None, [content.Problem(str(cy), 1, "the file is not UTF-8 text")])


def test_accept_translation_refuses_a_translation_with_problems():
    meta, english = _english_and_meta(TINY)
    welsh, _ = load_translation(english[0], "cy", meta)
    problem = content.Problem("x.cy.md", 3, "something")
    assert accept_translation(english[0], welsh, [problem]) == (None, [problem])
    assert accept_translation(english[0], None, []) == (None, [])


# --------------------------------------------------------------------------- who uses what


def _private_uses(path: Path) -> list[str]:
    """``from x import _name``, and ``module._name`` on a module this file imported."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    where = f"{path.relative_to(ROOT)}:"
    hits = [f"{where}{node.lineno} {alias.name}"
            for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
            for alias in node.names if alias.name.startswith("_")]
    modules = {alias.asname or alias.name for node in ast.walk(tree)
               if isinstance(node, (ast.Import, ast.ImportFrom)) for alias in node.names}
    hits += [f"{where}{node.lineno} {node.value.id}.{node.attr}"
             for node in ast.walk(tree) if isinstance(node, ast.Attribute)
             and isinstance(node.value, ast.Name) and node.value.id in modules
             and node.attr.startswith("_") and not node.attr.startswith("__")]
    return hits


def test_validation_and_authoring_use_only_public_names():
    files = [ROOT / "leadership" / "content" / "validate.py",
             *sorted((ROOT / "leadership" / "authoring").glob("*.py"))]
    assert [hit for f in files for hit in _private_uses(f)] == []
