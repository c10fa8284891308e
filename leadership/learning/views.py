"""The learner's journey through a course: dashboard, course, module, pages. Routes only."""
from __future__ import annotations

from pathlib import Path

from flask import abort, redirect, render_template, send_from_directory, url_for
from flask_babel import get_locale
from flask_login import current_user

from ..catalogue import catalogue_service
from ..content import Course, Module
from ..extensions import db
from ..security import public, signed_in
from . import bp
from .progress import course_progress, record_page_view


def content_locale() -> str:
    return str(get_locale() or "en")


def get_course(course_slug: str) -> Course:
    course = catalogue_service.get().course(course_slug, content_locale())
    if course is None:
        abort(404)
    return course


def get_module(course: Course, module_slug: str) -> Module:
    module = course.module(module_slug)
    if module is None:
        abort(404)
    return module


@bp.get("/")
@signed_in
def dashboard():
    courses = catalogue_service.get().courses_for(content_locale())
    progress = [course_progress(db.session, current_user.id, c) for c in courses]
    return render_template("learning/dashboard.html", progress=progress)


@bp.get("/<course_slug>")
@signed_in
def course(course_slug: str):
    course = get_course(course_slug)
    progress = course_progress(db.session, current_user.id, course)
    return render_template("learning/course.html", course=course, progress=progress)


@bp.get("/<course_slug>/<module_slug>")
@signed_in
def module(course_slug: str, module_slug: str):
    course = get_course(course_slug)
    module = get_module(course, module_slug)
    progress = course_progress(db.session, current_user.id, course)
    return render_template("learning/module.html", course=course, module=module,
                           progress=progress, mp=progress.module(module.slug))


@bp.get("/<course_slug>/<module_slug>/<int:page_number>")
@signed_in
def page(course_slug: str, module_slug: str, page_number: int):
    course = get_course(course_slug)
    module = get_module(course, module_slug)
    if not 1 <= page_number <= len(module.pages):
        abort(404)
    record_page_view(db.session, user_id=current_user.id, course=course, module=module, page_number=page_number)
    from ..quizzes.completion import after_page_view  # the completion rule lives with quizzes

    after_page_view(db.session, current_user.id, course, module)
    page = module.pages[page_number - 1]
    return render_template("learning/page.html", course=course, module=module, page=page,
                           previous=module.pages[page_number - 2] if page_number > 1 else None,
                           next=module.pages[page_number] if page_number < len(module.pages) else None)


@bp.get("/<course_slug>/<module_slug>/continue")
@signed_in
def resume(course_slug: str, module_slug: str):
    course = get_course(course_slug)
    module = get_module(course, module_slug)
    mp = course_progress(db.session, current_user.id, course).module(module.slug)
    if mp.pages_complete and module.quiz is not None and not mp.quiz_passed:
        return redirect(url_for("quizzes.quiz", course_slug=course.slug, module_slug=module.slug))
    return redirect(url_for(".page", course_slug=course.slug, module_slug=module.slug, page_number=mp.next_page))


IMAGE_TYPES = {".png", ".jpg", ".jpeg", ".svg", ".gif", ".webp"}


@bp.get("/<course_slug>/files/<path:rel>")
@public
def course_file(course_slug: str, rel: str):
    """Images in a course folder, and links from one module file to another."""
    course = get_course(course_slug)
    if rel.startswith("modules/") and rel.endswith(".md"):
        name = Path(rel).name.removesuffix(".md").removesuffix(".cy")
        module = next((m for m in course.modules if m.name == name), None)
        if module is None:
            abort(404)
        return redirect(url_for(".module", course_slug=course.slug, module_slug=module.slug))
    if Path(rel).suffix.lower() not in IMAGE_TYPES:
        abort(404)
    response = send_from_directory(Path(course.path), rel, max_age=3600)  # refuses ../ traversal
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    return response
