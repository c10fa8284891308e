"""Parsing and loading the good fixture course, Welsh views and failure isolation."""

import shutil
import subprocess
import sys
from pathlib import Path

from content_paths import FIXTURES
from leadership.content import (
    Catalogue, build_course, load_catalogue, load_course, parse_course_meta, parse_module,
)
from leadership.content import content_hash

GOOD = FIXTURES / "good" / "courses"
TINY = GOOD / "tiny"


def test_no_flask_import():
    """Importing leadership.content (through the real package) and loading a course must not
    import Flask or the database layer: the engine is pure Python."""
    code = (
        "import sys, pathlib\n"
        f"sys.path.insert(0, {str(Path(__file__).parents[2])!r})\n"
        "import leadership.content as c\n"
        f"cat = c.load_catalogue(pathlib.Path({str(GOOD)!r}))\n"
        "assert cat.courses, cat.problems\n"
        "assert 'flask' not in sys.modules, 'flask was imported'\n"
        "assert 'werkzeug' not in sys.modules, 'werkzeug was imported'\n"
        "assert 'sqlalchemy' not in sys.modules, 'sqlalchemy was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_catalogue_loads_good_course():
    cat = load_catalogue(GOOD)
    assert cat.problems == ()
    course = cat.course("tiny-course")
    assert course.title == "Tiny course" and course.edition == "2026.1"
    assert course.language == "en" and course.pass_mark == 75
    assert course.certificate.valid_for_months == 24
    assert course.path == str(TINY)
    assert [m.slug for m in course.modules] == ["basics", "more"]
    assert [m.slug for m in course.required_modules] == ["basics"]
    assert course.outcome_name("leadership") == "Leadership"
    assert course.outcome_name("nope") is None
    assert course.module("more").title == "A little more" and course.module("x") is None
    assert len(course.content_version) == 12
    assert course.content_version == content_hash(
        "\n".join(m.version for m in course.modules))
    assert cat.courses_for("en") == (course,)


def test_module_fields_and_line_numbers():
    m = load_catalogue(GOOD).course("tiny-course").module("basics")
    text = (TINY / "modules" / "01-basics.md").read_text()
    assert m.name == "01-basics" and m.language == "en" and m.fallback is False
    assert m.version == content_hash(text) and m.translation_version is None
    assert m.source == text and m.source_path == str(TINY / "modules" / "01-basics.md")
    assert m.minutes == 10 and m.required is True
    assert m.objectives == ("Explain why the basics matter.",)
    assert m.outcomes == ("leadership", "security-and-resilience")
    assert [(p.number, p.slug, p.title, p.line) for p in m.pages] == [
        (1, "why-the-basics-matter", "Why the basics matter", 15),
        (2, "your-role", "Your role", 30)]
    assert "Not a page heading" in m.pages[0].html  # fenced "# " is not a page break
    assert m.word_count == sum(p.word_count for p in m.pages) > 0
    quiz = m.quiz
    assert quiz.line == 35
    assert quiz.settings.display == "one-per-page" and quiz.settings.shuffle is True
    assert quiz.settings.pool == 3 and quiz.settings.pass_mark == 75  # course default
    assert [(q.id, q.type, q.line) for q in quiz.questions] == [
        ("most-common-attack", "single", 37),
        ("useful-backups", "multiple", 47),
        ("councillor-controller", "true-false", 55),
        ("which-of-these-is-a-good-password-practice", "multiple", 62)]
    first = quiz.question("most-common-attack")
    assert [(o.key, o.text, o.correct, o.line) for o in first.options] == [
        ("a", "Denial of service", False, 39), ("b", "Phishing", True, 41),
        ("c", "Ransomware", False, 43)]
    assert first.options[0].feedback_html == "These happen, but far less often."
    assert first.options[2].feedback_html is None
    assert first.correct_keys == frozenset("b")
    assert "phishing is the most common" in first.explanation_html
    forced = quiz.question("which-of-these-is-a-good-password-practice")
    assert forced.prompt_html == "Which of these is a <em>good</em> password practice?"
    assert "scenario paragraph" in forced.detail_html
    assert quiz.question("nope") is None


def test_second_module_settings():
    m = load_catalogue(GOOD).course("tiny-course").module("more")
    s = m.quiz.settings
    assert (s.pass_mark, s.marking, s.attempts, s.cooldown_minutes, s.pool, s.shuffle) == (
        50, "partial", 3, 10, None, False)
    assert [q.id for q in m.quiz.questions] == ["threats", "pick-one"]


def test_welsh_view_and_fallback():
    cat = load_catalogue(GOOD)
    en = cat.course("tiny-course")
    cy = cat.course("tiny-course", "cy")
    assert cy.language == "cy" and cy.title == "Cwrs bach"
    assert cy.summary == "Cwrs bach ar gyfer y profion."
    assert cy.certificate.title == "Tystysgrif cwrs bach"
    assert cy.certificate.valid_for_months == 24  # inherited from English
    assert cy.content_version == en.content_version
    basics, more = cy.modules
    assert basics.language == "cy" and basics.fallback is False
    assert basics.title == "Y pethau sylfaenol"
    assert basics.translation_status == "awaiting-review"
    assert basics.version == en.module("basics").version  # progress keyed the same
    cy_text = (TINY / "modules" / "01-basics.cy.md").read_text()
    assert basics.translation_version == content_hash(cy_text) != basics.version
    assert basics.quiz.question("councillor-controller").type == "true-false"  # Gwir/Gau
    assert basics.quiz.question("most-common-attack").options[1].feedback_html == "Cywir."
    assert more.fallback is True and more.language == "en" and more.title == "A little more"
    assert cat.courses_for("cy") == (cy,)
    assert cat.course("tiny-course", "fr") is None
    assert cat.course("nope") is None


def test_load_course_returns_views():
    courses, problems = load_course(TINY)
    assert problems == [] and list(courses) == ["en", "cy"]


def test_broken_module_skipped_rest_loads(tmp_path):
    root = tmp_path / "courses"
    shutil.copytree(TINY, root / "tiny")
    broken = root / "tiny" / "modules" / "02-more.md"
    broken.write_text(broken.read_text().replace("- [x] Right", "- [ ] Right"))
    (root / "other").mkdir()
    (root / "other" / "course.yaml").write_text("slug: [oops\n")
    cat = load_catalogue(root)
    course = cat.course("tiny-course")
    assert [m.slug for m in course.modules] == ["basics"]
    assert [m.slug for m in cat.course("tiny-course", "cy").modules] == ["basics"]
    messages = [str(p) for p in cat.problems]
    assert any('question "pick-one" has no correct answer' in m for m in messages)
    assert any(m.startswith(str(root / "other" / "course.yaml") + ":") for m in messages)
    assert len(cat.courses) == 1


def test_broken_translation_falls_back(tmp_path):
    shutil.copytree(TINY, tmp_path / "tiny")
    cy = tmp_path / "tiny" / "modules" / "01-basics.cy.md"
    cy.write_text(cy.read_text().replace("- [ ] Gwir\n- [x] Gau", "- [x] Gwir\n- [ ] Gau"))
    courses, problems = load_course(tmp_path / "tiny")
    assert courses["cy"].modules[0].fallback is True
    assert [p.message for p in problems] == [
        'question "councillor-controller" option 1 is wrong in 01-basics.md but correct here',
        'question "councillor-controller" option 2 is correct in 01-basics.md but wrong here']


def test_garbage_never_raises(tmp_path):
    c = tmp_path / "c"
    (c / "modules").mkdir(parents=True)
    (c / "course.yaml").write_text("slug: c\ntitle: C\nsummary: S\nversion: 1\n"
                                   "modules: [a, b, c, d]\n")
    (c / "modules" / "a.md").write_bytes(b"\xff\xfe\x00binary")
    (c / "modules" / "b.md").write_text("---\n- just\n- a list\n---\n# P\n\nx\n")
    (c / "modules" / "c.md").write_text("---\n---\n")
    (c / "modules" / "d.md").write_text("")
    cat = load_catalogue(tmp_path)
    assert isinstance(cat, Catalogue)
    assert cat.course("c").modules == ()
    assert len(cat.problems) >= 4
    assert load_catalogue(tmp_path / "missing").problems


def test_parse_module_in_memory_draft():
    meta, problems = parse_course_meta((TINY / "course.yaml").read_text(), "course.yaml")
    assert problems == [] and meta.module_names == ("01-basics", "02-more")
    assert meta.module_lines == (17, 18)
    draft = ("---\nslug: draft\ntitle: Draft\nsummary: S\nminutes: 3\nobjectives: [O]\n---\n\n"
             "# Only page\n\nHello <script>x</script> [gone](missing.md)\n")
    module, problems = parse_module(draft, "nowhere/modules/draft.md", course_meta=meta)
    assert problems == []  # no folder on disk to check links against
    assert module.pages[0].html.startswith('<p class="govuk-body">Hello')
    assert "<script" not in module.pages[0].html
    course = build_course(meta, [module])
    assert course.module("draft") is module


def test_asset_url_rewrites_course_files():
    cat = load_catalogue(GOOD, asset_url=lambda slug, rel: f"/courses/{slug}/files/{rel}")
    html = cat.course("tiny-course").module("basics").pages[0].html
    assert 'src="/courses/tiny-course/files/images/pic.png"' in html
    assert 'href="/courses/tiny-course/files/modules/02-more.md"' in html


def test_crlf_and_bom_give_same_version(tmp_path):
    text = (TINY / "modules" / "02-more.md").read_text()
    a, _ = parse_module(text, "x/02-more.md")
    b, _ = parse_module("\ufeff" + text.replace("\n", "\r\n"), "x/02-more.md")
    assert a.version == b.version


def test_authoring_guide_example_is_valid():
    """The complete example in docs/authoring.md must stay valid."""
    guide = Path(__file__).parents[2] / "docs" / "authoring.md"
    marker = "`courses/digital_leadership/modules/03-cyber-security.md`:\n\n```markdown\n"
    example = guide.read_text().split(marker, 1)[1].rsplit("\n```", 1)[0]
    module, problems = parse_module(example, "nowhere/modules/03-cyber-security.md")
    assert problems == []
    assert [q.type for q in module.quiz.questions] == [
        "single", "multiple", "single", "true-false"]
