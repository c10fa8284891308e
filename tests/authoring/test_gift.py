"""Moodle GIFT import: real-world style question banks, including the awkward parts."""
from __future__ import annotations

from pathlib import Path

import pytest

from leadership.authoring.gift import import_into, parse_gift, unescape
from leadership.content import parse_module

BANK = r"""// Exported from Moodle: Cyber security question bank
// question: 1234  name: Phishing
$CATEGORY: $course$/top/Cyber security

::Phishing basics::[html]What is the <b>most common</b> type of cyber attack reported by UK businesses?{
	~Denial of service#These happen, but far less often.
	=Phishing#Right. Most attacks start with an email.
	~Ransomware#Serious, but less common than phishing.
	####The Cyber Security Breaches Survey found phishing was by far the most common.
}

// multiple answers with weights, written over several lines
::Useful backups::Select all the things that make a backup useful
after a ransomware attack. {
  ~%50%It is kept offline or isolated#Yes: attackers cannot reach it.
  ~%50%It has been tested by restoring from it
  ~%-100%It is on the same network drive as the live data#No: it will be encrypted too.
  ####A backup only helps if it survives the attack and actually restores.
}

::Controller::A councillor can never be a data controller.{FALSE#Wrong: councillors can be controllers.#Right: they can be.####Councillors handle casework data in their own right.}

::Escapes\: the awkward ones::[markdown]Which of these is written \{in braces\}, with a \= sign and a \# hash?{
=a \{brace\} \= and \# hash#feedback with \~ tilde
~plain text ~ not escaped? no# it is fine
####General feedback mentions 50\% and a colon\: here.
}

::Short answer::Who is responsible for cyber security? {=Everyone =All staff}

::Numeric::How many councils are there in England? {#317:10}

::Matching::Match the threat to its description. {
=Phishing -> Deceptive email
=Ransomware -> Encrypts files
}

::Essay::Describe your council's cyber plan.{}

::Missing word::Phishing is {=the most ~the least} common attack type.

::True short::Backups should be tested. {T}
"""


def test_supported_questions_are_converted_and_valid():
    module_text = (Path(__file__).resolve().parent.parent / "content" / "fixtures" / "good" / "courses" / "tiny"
                   / "modules" / "02-more.md").read_text()
    new_text, result = import_into(module_text, BANK)
    ids = [q.title for q in result.questions]
    assert ids == ["Phishing basics", "Useful backups", "Controller", "Escapes: the awkward ones", "True short"]

    module, problems = parse_module(new_text, "modules/02-more.md")
    # The only problem is the missing explanation of the question without general feedback.
    assert [p.message for p in problems if "explanation" not in p.message.lower()] == []
    quiz = module.quiz
    assert quiz.question_ids[:1] == ("threats",)  # existing questions stay first
    q = quiz.question("phishing-basics")
    assert q.type == "single" and [o.correct for o in q.options] == [False, True, False]
    assert "<b>most common</b>" in q.prompt_html or "<strong>most common</strong>" in q.prompt_html \
        or "most common" in q.prompt_html
    assert q.options[1].feedback_html and "Most attacks start" in q.options[1].feedback_html
    assert "by far the most common" in q.explanation_html

    backups = quiz.question("useful-backups")
    assert backups.type == "multiple" and [o.correct for o in backups.options] == [True, True, False]
    assert "after a ransomware attack" in backups.prompt_html  # multi-line question joined
    assert "it will be encrypted too" in backups.options[2].feedback_html

    controller = quiz.question("controller")
    assert controller.type == "true-false"
    assert [(o.text, o.correct) for o in controller.options] == [("True", False), ("False", True)]
    assert "Wrong: councillors" in controller.options[0].feedback_html  # shown for the wrong answer
    assert "Right: they can be" in controller.options[1].feedback_html

    escapes = quiz.question("escapes-the-awkward-ones")
    assert "{in braces}" in escapes.prompt and "= sign" in escapes.prompt and "# hash" in escapes.prompt
    assert escapes.options[0].text == "a {brace} = and # hash"
    assert "~ tilde" in escapes.options[0].feedback_html
    assert "colon: here" in escapes.explanation_html


def test_unsupported_types_are_reported_with_their_line_never_dropped():
    result = parse_gift(BANK)
    skipped = {i.title: i for i in result.skipped}
    assert set(skipped) == {"Short answer", "Numeric", "Matching", "Essay", "Missing word"}
    lines = BANK.split("\n")
    for title, issue in skipped.items():
        assert f"::{title}::" in lines[issue.line - 1], (title, issue.line)
        assert str(issue).startswith(f"line {issue.line}: ")
    assert "short-answer" in skipped["Short answer"].message
    assert "numeric" in skipped["Numeric"].message
    assert "matching" in skipped["Matching"].message
    assert "essay" in skipped["Essay"].message
    assert "missing-word" in skipped["Missing word"].message
    # 5 imported + 5 reported = every question in the bank.
    assert len(result.questions) + len(result.skipped) == BANK.count("\n::")


def test_missing_explanation_is_a_warning_with_line():
    _, result = import_into("---\n", "::T::Backups should be tested. {T}\n")
    warnings = [i for i in result.issues if i.level == "warning"]
    assert warnings and warnings[0].line == 1 and "Explanation" in warnings[0].message


def test_ids_are_unique_against_the_module_and_each_other():
    module = "# Quiz\n\n## Existing {#phishing}\n"
    text, result = import_into(module, "::Phishing::A? {=a ~b ####x}\n\n::Phishing::B? {=a ~b ####y}\n")
    assert "{#phishing-2}" in text and "{#phishing-3}" in text
    assert text.count("# Quiz") == 1


def test_quiz_heading_added_when_missing():
    text, _ = import_into("---\nslug: x\n---\n\n# Page\n\nBody.\n", "Q? {=a ~b ####because}")
    assert "\n# Quiz\n\n## Q? {#q}" in text


def test_windows_line_endings_bom_and_comments():
    src = "\ufeff// comment\r\n::A::First?{=yes ~no####e}\r\n\r\n// between\r\n::B::Second?{T####e}\r\n"
    result = parse_gift(src)
    assert [q.title for q in result.questions] == ["A", "B"] and [q.line for q in result.questions] == [2, 5]


def test_plain_format_escapes_markdown():
    text, _ = import_into("", "::P::[plain]Is *this* bold?{=no ~yes####x}")
    assert r"Is \*this\* bold?" in text


def test_unclosed_block_and_no_right_answer_reported():
    result = parse_gift("::U::Unclosed {=a ~b\n\n::N::None right {~a ~b}\n")
    messages = " ".join(str(i) for i in result.issues)
    assert "line 1:" in messages and "not closed" in messages
    assert "no answer is marked right" in messages


@pytest.mark.parametrize("raw,expected", [(r"\~", "~"), (r"\=", "="), (r"\#", "#"), (r"\{", "{"),
                                          (r"\}", "}"), (r"\:", ":"), (r"a\nb", "a\nb"), ("\\\\", "\\")])
def test_unescape(raw, expected):
    assert unescape(raw) == expected


def test_gift_import_through_the_browser(author):
    from authoring_helpers import COURSE

    url = f"/author/{COURSE}/02-more/gift"
    r = author.post(url, {"text": BANK})
    assert r.status_code == 200, r.data[:2000]
    page = r.get_data(as_text=True)
    assert "5 questions added to the draft" in page
    assert "Not imported:" in page and "short-answer" in page
    edit = author.page(f"/author/{COURSE}/02-more").find("textarea").text
    assert "{#useful-backups}" in edit and "Type: multiple" in edit
    r = author.post(url, {"text": "::E::Essay {}"})
    assert r.status_code == 400 and "essay" in r.get_data(as_text=True)
