"""Leadership Essentials content engine: course files in, immutable model out.

Pure Python (no Flask).  Typical use::

    from leadership.content import load_catalogue, validate_path
    catalogue = load_catalogue(Path("courses"))
    course = catalogue.course("digital-leadership", "cy")
"""

from .model import (
    Catalogue, CertificateSettings, Course, CourseMeta, Module, Option, Page, Problem, Question,
    Quiz, QuizSettings,
)
from .parse import (
    AssetUrl, build_course, compare_translation, content_hash, load_catalogue, load_course,
    parse_course_meta, parse_module,
)
from .fences import fence_states
from .marking import (
    QUESTION_TYPES, QuestionResult, QuestionType, draw_questions, mark_question, mark_quiz,
    option_order, passed, register,
)
from .render import render_inline, render_markdown, sanitise, slugify
from .validate import validate_path

__all__ = [
    "AssetUrl", "Catalogue", "CertificateSettings", "Course", "CourseMeta", "Module", "Option",
    "Page", "Problem", "QUESTION_TYPES", "Question", "QuestionResult", "QuestionType", "Quiz",
    "QuizSettings", "build_course", "compare_translation", "content_hash", "draw_questions", "fence_states",
    "load_catalogue", "load_course", "mark_question", "mark_quiz", "option_order", "parse_course_meta",
    "parse_module", "passed", "register", "render_inline", "render_markdown", "sanitise",
    "slugify", "validate_path",
]
