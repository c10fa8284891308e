"""The validator's exact `path:line: message` output."""

from pathlib import Path

import pytest

from leadership.content import Problem, validate_path

EXPECTED_BAD = """\
bad/course.yaml:26: module "ghost" is listed but modules/ghost.md does not exist
bad/modules/bad-settings.md:9: quiz pass_mark must be a whole number from 1 to 100, not 150
bad/modules/bad-settings.md:10: unknown quiz display "carousel"; use all or one-per-page
bad/modules/bad-settings.md:11: unknown quiz marking "generous"; use all-or-nothing or partial
bad/modules/bad-settings.md:12: quiz pool is 9 but the quiz has only 1 question
bad/modules/bad-settings.md:13: unknown quiz setting "colour"; allowed: pass_mark, display, marking, attempts, cooldown_minutes, shuffle, pool
bad/modules/broken-link.md:12: broken link "missing.md": no such file
bad/modules/broken-link.md:14: missing image "../images/nope.png": no such file
bad/modules/duplicate-id.md:23: duplicate question id "same" (first used on line 16); add a different {#id}
bad/modules/duplicate-option.md:20: question "which" has the option "phishing" twice
bad/modules/duplicate-slug.md:2: module slug "empty-page" is already used by modules/empty-page.md
bad/modules/empty-page.md:14: page "Nothing here" is empty
bad/modules/missing-key.md:1: missing front-matter key "summary"
bad/modules/missing-key.md:5: unknown front-matter key "author"; allowed: slug, title, summary, minutes, required, objectives, outcomes, quiz, language, translation_status
bad/modules/no-correct.md:16: question "most-common-attack" has no correct answer; mark it with "- [x]"
bad/modules/no-explanation.md:16: question "why" has no "Explanation:" paragraph
bad/modules/one-option.md:16: question "lonely" has 1 option; it needs at least 2
bad/modules/quiz-not-last.md:23: "# Afterthought" comes after the quiz; the quiz must be the last level-1 heading
bad/modules/stray.md:1: "stray" is not listed in course.yaml "modules", so it is not shown
bad/modules/text-before-heading.md:10: text before the first "# " heading; every page starts with a level-1 heading like "# Why it matters"
bad/modules/two-correct-single.md:16: question "best" is single choice but has 2 correct answers; mark only one "- [x]" or add "Type: multiple"
bad/modules/unknown-outcome.md:8: unknown outcome "telepathy"; course.yaml outcomes are: leadership
bad/modules/welsh.cy.md:1: a cy translation needs "language: cy" in its front matter
bad/modules/welsh.cy.md:14: question "first" from welsh.md is missing
bad/modules/welsh.cy.md:18: question "second" option 1 is wrong in welsh.md but correct here
bad/modules/welsh.cy.md:19: question "second" option 2 is correct in welsh.md but wrong here
"""


def lines(problems):
    return "".join(f"{p}\n" for p in problems)


def test_problem_str():
    assert str(Problem("a/b.md", 42, "oops")) == "a/b.md:42: oops"


def test_good_course_is_valid(in_fixtures):
    assert validate_path(Path("good/courses")) == []
    assert validate_path(Path("good/courses/tiny")) == []
    assert validate_path(Path("good/courses/tiny/course.yaml")) == []
    assert validate_path(Path("good/courses/tiny/modules/01-basics.md")) == []
    assert validate_path(Path("good/courses/tiny/modules/01-basics.cy.md")) == []


def test_bad_course_exact_output(in_fixtures):
    assert lines(validate_path(Path("bad"))) == EXPECTED_BAD


def test_string_path_accepted(in_fixtures):
    assert lines(validate_path("bad")) == EXPECTED_BAD


@pytest.mark.parametrize("name", [
    "no-correct", "two-correct-single", "one-option", "duplicate-option", "duplicate-id",
    "no-explanation", "bad-settings", "missing-key", "empty-page", "text-before-heading",
    "broken-link", "unknown-outcome", "quiz-not-last", "stray",
])
def test_single_file_reports_its_own_mistake(in_fixtures, name):
    path = f"bad/modules/{name}.md"
    expected = [line for line in EXPECTED_BAD.splitlines() if line.startswith(path + ":")]
    assert [str(p) for p in validate_path(Path(path))] == expected


def test_single_welsh_file_compared_with_english(in_fixtures):
    got = [str(p) for p in validate_path(Path("bad/modules/welsh.cy.md"))]
    assert got == [line for line in EXPECTED_BAD.splitlines()
                   if line.startswith("bad/modules/welsh.cy.md:")]


def test_bad_course_yaml(in_fixtures):
    assert lines(validate_path(Path("bad_course"))) == """\
bad_course/course.yaml:1: slug must be lowercase letters, digits and hyphens, like digital-leadership, not 'Bad Course'
bad_course/course.yaml:5: pass_mark must be a whole number from 1 to 100, not 0
bad_course/course.yaml:6: unknown key "theme"; allowed: slug, title, summary, version, language, pass_mark, certificate, outcomes, modules, translations
bad_course/course.yaml:8: certificate is missing "wording"
bad_course/course.yaml:12: write module "01-only.md" without ".md"
bad_course/course.yaml:13: module "01-only" is listed twice (first on line 12)
"""


def test_missing_path(in_fixtures):
    assert [str(p) for p in validate_path(Path("nope"))] == ["nope:1: no such file or folder"]


def test_folder_without_course(tmp_path):
    assert [p.message for p in validate_path(tmp_path)] == [
        "no course.yaml found in this folder or below it"]


def test_absolute_paths_stay_absolute():
    from content_paths import FIXTURES

    problems = validate_path(FIXTURES / "bad" / "modules" / "no-correct.md")
    assert [str(p) for p in problems] == [
        f'{FIXTURES}/bad/modules/no-correct.md:16: question "most-common-attack" has no '
        'correct answer; mark it with "- [x]"']


def write_course(tmp_path, module_text, name="01-m"):
    c = tmp_path / "c"
    (c / "modules").mkdir(parents=True)
    (c / "course.yaml").write_text(
        "slug: c\ntitle: C\nsummary: S\nversion: '1'\ncertificate: {title: T, wording: W}\n"
        f"outcomes: {{leadership: Leadership}}\nmodules: [{name}]\n")
    (c / "modules" / f"{name}.md").write_text(module_text)
    return c


FM = "---\nslug: m\ntitle: M\nsummary: S\nminutes: 5\nobjectives: [O]\n{extra}---\n\n"


@pytest.mark.parametrize("body,extra,expected", [
    ("# P\n\ntext\n\n# Quiz\n\n## Q {#q}\n\nType: true-false\n\n- [x] Yes\n- [ ] No\n\n"
     "Explanation: E\n", "",
     ['15: question "q" is true-false but its options are not "True" and "False"']),
    ("# P\n\ntext\n\n# Quiz\n\n## Q {#q}\n\nType: essay\n\n- [x] Yes\n- [ ] No\n\n"
     "Explanation: E\n", "",
     ['17: unknown question type "essay"; use single, multiple, true-false']),
    ("# P\n\ntext\n\n# Quiz\n\n## Q {#Bad_Id}\n\n- [x] Yes\n- [ ] No\n\nExplanation: E\n", "",
     ['15: question id "Bad_Id" must use only lowercase letters, digits and hyphens']),
    ("# P\n\ntext\n\n# Quiz\n\n## Q {#q}\n\n- Yes\n- No\n\nExplanation: E\n", "",
     ['15: question "q" has 0 options; it needs at least 2',
      '17: question "q": write options as task items, "- [x] right answer" or '
      '"- [ ] wrong answer"']),
    ("# P\n\ntext\n\n# Quiz\n\nIntro text.\n", "",
     ['13: the quiz has no questions; each question starts with a "## " heading',
      '15: text in the quiz before the first question; each question starts with a "## " '
      'heading']),
    ("# P\n\ntext\n", "quiz:\n  pool: 0\n",
     ['7: quiz settings are given but there is no "# Quiz" section']),
    ("# P\n\ntext\n\n# Quiz\n\n## Q {#q}\n\n- [x] Yes\n- [ ] No\n\nExplanation: E\n",
     "quiz:\n  pool: 0\n", ['8: quiz pool must be at least 1, not 0']),
    ("# P\n\ntext\n\n# Quiz\n\n## Q {#q}\n\n- [x] Yes\n- [ ] No\nStray words.\n\nExplanation: E\n",
     "", ['19: question "q": unexpected text after the options (indent "Feedback:" lines under '
          'their option, and start the explanation with "Explanation:")']),
    ("# P\n\ntext\n", "outcomes: [nope]\nrequired: maybe\nminutes: -1\n",
     ['5: minutes must be a whole number of minutes (1 or more), not -1',
      '7: unknown outcome "nope"; course.yaml outcomes are: leadership',
      "8: required must be true or false, not 'maybe'",
      '9: duplicate key "minutes"']),
    ("# P\n\ntext\n", "slug: again\n", ['7: duplicate key "slug"']),
    ("# P\n\ntext\n", "objectives: []\n",
     ['6: objectives must be a non-empty list of sentences',
      '7: duplicate key "objectives"']),
])
def test_module_mistakes(tmp_path, body, extra, expected):
    c = write_course(tmp_path, FM.format(extra=extra) + body)
    got = [str(p).split(":", 1)[1] for p in validate_path(c)]
    assert got == expected
    assert all(str(p).startswith(str(c / "modules" / "01-m.md")) for p in validate_path(c))


def test_yaml_error_reports_line(tmp_path):
    c = write_course(tmp_path, "---\nslug: m\ntitle: [unclosed\nsummary: S\n---\n\n# P\n\nx\n")
    (problem,) = validate_path(c)
    assert problem.path.endswith("01-m.md")
    assert problem.message.startswith("YAML error:")
    assert problem.line in (3, 4, 5)


def test_no_front_matter(tmp_path):
    c = write_course(tmp_path, "# P\n\ntext\n")
    assert [p.message for p in validate_path(c)] == [
        'a module must start with a "---" line and YAML front matter']


def test_unclosed_front_matter(tmp_path):
    c = write_course(tmp_path, "---\nslug: m\n\n# P\n\ntext\n")
    assert [p.message for p in validate_path(c)] == [
        'the front matter is not closed with a "---" line']
