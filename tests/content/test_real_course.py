"""The shipped Digital leadership course meets the content standard (issue 4)."""
from pathlib import Path

import pytest

from leadership.content import load_catalogue, validate_path

ROOT = Path(__file__).resolve().parents[2]
COURSES = ROOT / "courses"
CATALOGUE = load_catalogue(COURSES)
COURSE = CATALOGUE.course("digital-leadership")
TEACHING = [m for m in COURSE.modules if m.required] if COURSE else []


def test_course_validates_cleanly():
    assert validate_path(COURSES / "digital_leadership") == []
    assert CATALOGUE.problems == ()


def test_course_has_introduction_seven_modules_and_summary():
    slugs = [m.name for m in COURSE.modules]
    assert slugs[0] == "00-introduction" and slugs[-1] == "99-summary"
    assert len(TEACHING) >= 7
    assert COURSE.certificate.valid_for_months == 48


@pytest.mark.parametrize("module", TEACHING, ids=lambda m: m.slug)
def test_module_meets_content_standard(module):
    headings = " ".join(p.html for p in module.pages)
    assert 3 <= len(module.objectives) <= 6
    assert 3 <= len(module.pages) <= 6
    assert 1500 <= module.word_count <= 3000, module.word_count
    assert "Case study" in headings
    last = module.pages[-1].html
    assert "Questions to ask your officers" in last and "Sources" in last
    assert last.index("Questions to ask your officers") < last.index("Sources")
    assert last.count('href="http') >= 3, "sources must be listed with links"
    assert module.outcomes and set(module.outcomes) <= {oid for oid, _ in COURSE.outcomes}
    assert module.quiz is not None and len(module.quiz.questions) >= 8
    types = {q.type for q in module.quiz.questions}
    assert {"single", "multiple", "true-false"} <= types
    for question in module.quiz.questions:
        assert question.correct_keys and question.explanation_html


def test_cyber_security_module_is_in_welsh_awaiting_review():
    welsh = CATALOGUE.course("digital-leadership", "cy").module("cyber-security")
    assert welsh.language == "cy" and not welsh.fallback
    assert welsh.translation_status == "awaiting-review"
    english = COURSE.module("cyber-security")
    assert welsh.quiz.question_ids == english.quiz.question_ids


def test_outcome_coverage_is_broad():
    """Most of the 12 shared outcomes are served (economic productivity and growth is
    not yet: the fact sheet has no sourced material for it, see docs/content.md)."""
    served = {o for m in TEACHING for o in m.outcomes}
    assert len(served) >= 11
