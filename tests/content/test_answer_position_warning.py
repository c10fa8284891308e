"""F4 (security test), the authors' side: `course validate` warns when a quiz's right answers
cluster on one authored position (the shipped course had the right answer first in 48 of 84
questions). A warning is printed as `path:line: warning: ...` and never fails the command.

Rule: among a quiz's single-choice questions (true/false excluded: its order is fixed), at
least 6 of them, and more than half with the right answer written in the same position.
"""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

COURSE_YAML = """\
slug: position-course
title: Position course
summary: Answer positions.
version: "1"
language: en
pass_mark: 50
certificate:
  title: Position certificate
  wording: has answered.
outcomes:
  leadership: Leadership
modules:
  - 01-quiz
"""

FRONT = """\
---
slug: quiz
title: A quiz
summary: Questions.
minutes: 5
objectives:
  - Answer.
---

# Read this

Some text.

# Quiz
"""


def _question(n: int, right: int, options: int = 4) -> str:
    lines = [f"\n## Question number {n}? {{#q{n}}}\n"]
    for i in range(options):
        lines.append(f"- [{'x' if i == right else ' '}] Option {n}-{i}")
    lines.append(f"\nExplanation: Because {n}.\n")
    return "\n".join(lines)


def _course(tmp_path, rights, extra="") -> Path:
    root = tmp_path / "courses" / "position"
    (root / "modules").mkdir(parents=True)
    (root / "course.yaml").write_text(COURSE_YAML, encoding="utf-8")
    body = FRONT + "".join(_question(n, r) for n, r in enumerate(rights, start=1)) + extra
    (root / "modules" / "01-quiz.md").write_text(body, encoding="utf-8")
    return root


def test_clustered_answers_are_a_warning_line_and_the_exit_code_stays_0(app, tmp_path):
    root = _course(tmp_path, [0, 0, 0, 0, 1, 2])  # 4 of 6 first
    result = app.test_cli_runner().invoke(args=["course", "validate", str(root)])
    assert result.exit_code == 0, result.output
    quiz_line = (root / "modules" / "01-quiz.md").read_text().split("\n").index("# Quiz") + 1
    assert (f"{root / 'modules' / '01-quiz.md'}:{quiz_line}: warning: the right answer is the first option "
            "written in 4 of 6 single-choice questions; vary where you write it, so nobody can pass by always "
            "choosing the same position") in result.output
    assert "Course content is valid." in result.output


def test_warning_for_a_single_module_file_too(app, tmp_path):
    root = _course(tmp_path, [2, 2, 2, 2, 0, 1, 3])
    result = app.test_cli_runner().invoke(args=["course", "validate", str(root / "modules" / "01-quiz.md")])
    assert result.exit_code == 0
    assert "warning: the right answer is the third option written in 4 of 7 single-choice questions" in result.output


@pytest.mark.parametrize("rights", [
    [0, 0, 0, 1, 2, 3],  # exactly half is not "more than half"
    [0, 0, 0, 0, 0],  # fewer than 6 single-choice questions
    [0, 1, 2, 3, 0, 1, 2, 3],
])
def test_no_warning_below_the_rule(app, tmp_path, rights):
    result = app.test_cli_runner().invoke(args=["course", "validate", str(_course(tmp_path, rights))])
    assert result.exit_code == 0 and "warning:" not in result.output


def test_true_false_and_multiple_choice_are_not_counted(app, tmp_path):
    extra = "".join(f"\n## Statement {n}. {{#tf{n}}}\n\n- [x] True\n- [ ] False\n\nExplanation: Yes.\n"
                    for n in range(6))
    extra += "\n## Pick two. {#multi}\n\n- [x] One\n- [x] Two\n- [ ] Three\n\nExplanation: Two.\n"
    result = app.test_cli_runner().invoke(args=["course", "validate", str(_course(tmp_path, [0, 0, 0, 1, 2],
                                                                                  extra))])
    assert result.exit_code == 0 and "warning:" not in result.output


def test_problems_still_fail_and_warnings_are_listed_after_them(app, tmp_path):
    root = _course(tmp_path, [0, 0, 0, 0, 0, 0])
    (root / "modules" / "02-ghost.md").write_text("not listed", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["course", "validate", str(root)])
    assert result.exit_code == 1
    out = result.output.splitlines()
    problem = next(i for i, line in enumerate(out) if "is not listed in course.yaml" in line)
    warning = next(i for i, line in enumerate(out) if ": warning: " in line)
    assert problem < warning


def test_the_shipped_course_has_no_clustered_answers():
    from leadership.content.warnings import warnings_for_path

    assert warnings_for_path(ROOT / "courses") == []
