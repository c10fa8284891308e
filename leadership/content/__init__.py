"""Leadership Essentials content engine: course files in, immutable model out.

Pure Python: no Flask, no database (``tests/content/test_content_load.py`` checks
both).  Typical use::

    from leadership.content import load_catalogue, validate_path
    catalogue = load_catalogue(Path("courses"))
    course = catalogue.course("digital-leadership", "cy")

``__all__`` below is the engine's public API; the rest of the application
(validation, authoring, the web layer) imports only these names.  The modules:

- :mod:`.model`: the frozen dataclasses (``Catalogue`` down to ``Option``);
- :mod:`.rules`: shared rules (normalising text, languages, slugs, module file names);
- :mod:`.yaml_lines`: YAML with the file line of every key;
- :mod:`.course_file`: ``course.yaml`` into ``CourseMeta``, and ``build_course``;
- :mod:`.module_file`: a module file into a ``Module`` (front matter, pages, links);
- :mod:`.quiz_syntax`, :mod:`.quiz_drafts`: the ``# Quiz`` section and its settings;
- :mod:`.marking`: question types, marking, drawing papers;
- :mod:`.translation`: when a translation may be shown, and the translated views;
- :mod:`.loading`: course folders and the catalogue;
- :mod:`.render`: Markdown to sanitised HTML;  :mod:`.validate`: ``flask course validate``;
  :mod:`.warnings`: its warnings (advice that does not make content invalid).
"""

from .course_file import COURSE_KEYS, build_course, parse_course_meta
from .fences import fence_states
from .loading import (
    find_course_dirs, load_catalogue, load_course, load_module_file, load_translation,
    read_course_meta,
)
from .marking import (
    QUESTION_TYPES, QuestionResult, QuestionType, draw_questions, mark_question, mark_quiz,
    option_order, passed, register,
)
from .model import (
    Catalogue, CertificateSettings, Course, CourseMeta, Module, Option, Page, Problem, Question,
    Quiz, QuizSettings,
)
from .module_file import MODULE_KEYS, AssetUrl, module_slug, parse_module
from .render import UrlRewriter, render_inline, render_markdown, sanitise, slugify
from .rules import (
    LANGUAGES, SLUG_RE, SOURCE_LANGUAGE, TRANSLATION_LANGUAGES, content_hash, is_slug,
    is_whole_number, module_name, normalise, read_text,
)
from .translation import accept_translation, compare_translation, course_views
from .validate import validate_path
from .warnings import answer_position_warning, warnings_for_path

__all__ = [
    # the model
    "Catalogue", "CertificateSettings", "Course", "CourseMeta", "Module", "Option", "Page",
    "Problem", "Question", "Quiz", "QuizSettings",
    # shared rules
    "LANGUAGES", "SLUG_RE", "SOURCE_LANGUAGE", "TRANSLATION_LANGUAGES", "content_hash",
    "is_slug", "is_whole_number", "module_name", "normalise", "read_text",
    # course folders and files
    "AssetUrl", "COURSE_KEYS", "MODULE_KEYS", "build_course", "find_course_dirs",
    "load_catalogue", "load_course", "load_module_file", "module_slug", "parse_course_meta",
    "parse_module", "read_course_meta", "validate_path", "warnings_for_path", "answer_position_warning",
    # translations
    "accept_translation", "compare_translation", "course_views", "load_translation",
    # quizzes
    "QUESTION_TYPES", "QuestionResult", "QuestionType", "draw_questions", "fence_states",
    "mark_question", "mark_quiz", "option_order", "passed", "register",
    # rendering
    "UrlRewriter", "render_inline", "render_markdown", "sanitise", "slugify",
]
