"""Quiz pages: intro, paper (all on one page or one per page), check answers, results, transcript.

Routes only: rules and marking live in ``service`` and ``completion``.
"""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..catalogue import catalogue_service
from ..content import Course, Module
from ..extensions import db
from ..learning.progress import course_progress
from ..learning.views import content_locale, get_course, get_module
from ..security import signed_in
from . import bp, service
from .completion import completed_module_slugs, course_is_complete, update_completion
from .forms import field_name, read_answers, unanswered
from .models import QuizAttempt


def _quiz_module(course_slug: str, module_slug: str) -> tuple[Course, Module]:
    course = get_course(course_slug)
    module = get_module(course, module_slug)
    if not module.has_quiz:
        abort(404)
    return course, module


def _own_attempt(course: Course, module: Module, token: str) -> QuizAttempt:
    try:
        attempt = service.get_attempt(db.session, token, current_user.id)
    except service.AttemptNotFound:
        abort(404)
    if attempt.course_slug != course.slug or attempt.module_slug != module.slug:
        abort(404)
    return attempt


def _paper_items(attempt: QuizAttempt, quiz):
    """(number, question, options in display order) for each question on the paper."""
    items = []
    for n, entry in enumerate(attempt.paper, start=1):
        question = quiz.question(entry["question"])
        items.append((n, question, [question.option(k) for k in entry["options"]]))
    return items


def _open_paper(course_slug: str, module_slug: str, token: str):
    """The learner's own unsubmitted paper and the quiz it was drawn from.

    A submitted paper (a replayed or resubmitted form: never a second attempt) redirects to its
    result; a paper whose module version has gone is discarded and the learner sent back."""
    course, module = _quiz_module(course_slug, module_slug)
    attempt = _own_attempt(course, module, token)
    if attempt.submitted:
        abort(redirect(_paper_url(course, module, attempt), code=303))
    quiz = service.quiz_for_version(course, attempt.module_slug, attempt.content_version)
    if quiz is None or not service.has_option_values(attempt):
        service.discard_attempt(db.session, attempt)
        flash(_("This quiz was updated since you started it, so your answers could not be kept. "
                "Please start the quiz again."), "error")
        abort(redirect(url_for(".quiz", course_slug=course.slug, module_slug=module.slug)))
    return course, module, attempt, quiz


def _refused(message: str, status: int = 400):
    return render_template("quizzes/refused.html", message=message), status


def _intro_context(course: Course, module: Module) -> dict:
    allowance = service.attempt_allowed(db.session, current_user.id, course.slug, module)
    mp = course_progress(db.session, current_user.id, course).module(module.slug)
    attempts = service.submitted_attempts(db.session, current_user.id, course.slug, module.slug)
    current = service.open_attempt(db.session, current_user.id, course.slug, module.slug)
    if current is not None and current.content_version != module.version:
        current = None
    return dict(course=course, module=module, quiz=module.quiz, allowance=allowance, mp=mp,
                attempts=attempts, current=current)


@bp.get("/<course_slug>/<module_slug>/quiz")
@signed_in
def quiz(course_slug: str, module_slug: str):
    course, module = _quiz_module(course_slug, module_slug)
    return render_template("quizzes/intro.html", **_intro_context(course, module))


@bp.post("/<course_slug>/<module_slug>/quiz")
@signed_in
def start(course_slug: str, module_slug: str):
    course, module = _quiz_module(course_slug, module_slug)
    try:
        attempt = service.start_attempt(db.session, current_user.id, course, module, language=content_locale())
    except service.AttemptRefused:
        return render_template("quizzes/intro.html", **_intro_context(course, module)), 403
    return redirect(_paper_url(course, module, attempt))


def _paper_url(course, module, attempt, number: int | None = None):
    if attempt.submitted:
        return url_for(".results", course_slug=course.slug, module_slug=module.slug, token=attempt.token)
    if module.quiz.settings.display == "one-per-page":
        draft = attempt.draft or {}
        if number is None:
            number = next((n for n, qid in enumerate(attempt.question_ids, start=1) if not draft.get(qid)), None)
            if number is None:
                return url_for(".check", course_slug=course.slug, module_slug=module.slug, token=attempt.token)
        return url_for(".question", course_slug=course.slug, module_slug=module.slug, token=attempt.token,
                       number=number)
    return url_for(".paper", course_slug=course.slug, module_slug=module.slug, token=attempt.token)


def _submit(course, module, attempt, answers):
    """Mark the paper (once), record completion on a pass, and show the results."""
    try:
        attempt = service.submit_attempt(db.session, attempt.token, current_user.id, answers, course=course)
    except service.ForeignAnswer as err:
        db.session.rollback()
        return _refused(_("Your answers could not be accepted: %(reason)s. Nothing was saved.",
                          reason=str(err)), 400)
    except service.PaperOutdated:
        service.discard_attempt(db.session, attempt)
        flash(_("This quiz was updated since you started it, so your answers could not be marked. "
                "Please start the quiz again."), "error")
        return redirect(url_for(".quiz", course_slug=course.slug, module_slug=module.slug))
    except service.AttemptRefused:
        db.session.rollback()
        service.discard_attempt(db.session, attempt)
        flash(_("These answers could not be marked: this quiz does not allow another attempt now."), "error")
        return render_template("quizzes/intro.html", **_intro_context(course, module)), 403
    if attempt.passed:
        update_completion(db.session, current_user.id, course)
    return redirect(url_for(".results", course_slug=course.slug, module_slug=module.slug, token=attempt.token),
                    code=303)


@bp.route("/<course_slug>/<module_slug>/quiz/paper/<token>", methods=["GET", "POST"])
@signed_in
def paper(course_slug: str, module_slug: str, token: str):
    """Every question on one page (display: all). Other displays are redirected."""
    course, module, attempt, quiz = _open_paper(course_slug, module_slug, token)
    if quiz.settings.display == "one-per-page":
        return redirect(_paper_url(course, module, attempt))
    answers, missing = {}, []
    if request.method == "POST":
        try:
            answers = service.answers_from_form(attempt, read_answers(request.form))
            service.check_answers(attempt, quiz, answers)
        except service.ForeignAnswer as err:
            return _refused(_("Your answers could not be accepted: %(reason)s. Nothing was saved.",
                              reason=str(err)), 400)
        missing = unanswered(attempt.question_ids, answers)
        if not missing:
            return _submit(course, module, attempt, answers)
    items = _paper_items(attempt, quiz)
    errors = _errors(items, missing)
    return render_template("quizzes/paper.html", course=course, module=module, attempt=attempt, items=items,
                           answers=answers, errors=errors, page_has_errors=bool(errors),
                           field_name=field_name, option_values=service.option_values(attempt)), \
        400 if errors else 200


def _errors(items, missing, link=None) -> list[dict]:
    errors = []
    for n, question, _options in items:
        if question.id in missing:
            text = (_("Select all answers that apply to question %(n)d", n=n) if question.type == "multiple"
                    else _("Select an answer to question %(n)d", n=n))
            errors.append({"text": text, "href": link(n) if link else "#" + field_name(question.id),
                           "question": question.id})
    return errors


@bp.route("/<course_slug>/<module_slug>/quiz/paper/<token>/<int:number>", methods=["GET", "POST"])
@signed_in
def question(course_slug: str, module_slug: str, token: str, number: int):
    """One question per page (display: one-per-page); answers are kept, unmarked, on the attempt."""
    course, module, attempt, quiz = _open_paper(course_slug, module_slug, token)
    items = _paper_items(attempt, quiz)
    if not 1 <= number <= len(items):
        abort(404)
    item = items[number - 1]
    qid = item[1].id
    answers = {qid: set((attempt.draft or {}).get(qid, ()))}
    errors = []
    if request.method == "POST":
        try:
            posted = service.answers_from_form(attempt, read_answers(request.form))
            service.check_answers(attempt, quiz, posted)
        except service.ForeignAnswer as err:
            return _refused(_("Your answer could not be accepted: %(reason)s. Nothing was saved.",
                              reason=str(err)), 400)
        if set(posted) - {qid}:
            return _refused(_("Your answer could not be accepted: it answers a question that is not on "
                              "this page. Nothing was saved."), 400)
        answers = {qid: posted.get(qid, set())}
        errors = _errors([item], unanswered([qid], answers))
        if not errors:
            service.save_draft(db.session, attempt, quiz, answers)
            if request.form.get("return") == "check" or number == len(items):
                return redirect(url_for(".check", course_slug=course.slug, module_slug=module.slug,
                                        token=attempt.token), code=303)
            return redirect(_paper_url(course, module, attempt, number + 1), code=303)
    back = (url_for(".question", course_slug=course.slug, module_slug=module.slug, token=token, number=number - 1)
            if number > 1 else url_for(".quiz", course_slug=course.slug, module_slug=module.slug))
    return render_template("quizzes/question.html", course=course, module=module, attempt=attempt, item=item,
                           total=len(items), answers=answers, errors=errors, page_has_errors=bool(errors),
                           field_name=field_name, option_values=service.option_values(attempt), back=back,
                           returning=request.values.get("return") == "check"), 400 if errors else 200


@bp.route("/<course_slug>/<module_slug>/quiz/paper/<token>/check", methods=["GET", "POST"])
@signed_in
def check(course_slug: str, module_slug: str, token: str):
    """'Check your answers' for a one-per-page paper, then submit it."""
    course, module, attempt, quiz = _open_paper(course_slug, module_slug, token)
    draft = {qid: set(keys) for qid, keys in (attempt.draft or {}).items()}
    items = _paper_items(attempt, quiz)
    missing = unanswered(attempt.question_ids, draft)
    errors = []
    if request.method == "POST":
        if not missing:
            return _submit(course, module, attempt, draft)
        errors = _errors(items, missing, link=lambda n: url_for(
            ".question", course_slug=course.slug, module_slug=module.slug, token=token, number=n))
    return render_template("quizzes/check.html", course=course, module=module, attempt=attempt, items=items,
                           answers=draft, errors=errors, page_has_errors=bool(errors)), 400 if errors else 200


@bp.get("/<course_slug>/<module_slug>/quiz/results/<token>")
@signed_in
def results(course_slug: str, module_slug: str, token: str):
    course = get_course(course_slug)
    module = get_module(course, module_slug)
    attempt = _own_attempt(course, module, token)
    if not attempt.submitted:
        return redirect(_paper_url(course, module, attempt))
    quiz = service.quiz_for_version(course, module.slug, attempt.content_version)
    marked = {a.question_id: a for a in attempt.answers}
    items = _paper_items(attempt, quiz) if quiz is not None else []
    completed = completed_module_slugs(db.session, current_user.id, course.slug)
    course_complete = course_is_complete(course, completed)
    allowance = service.attempt_allowed(db.session, current_user.id, course.slug, module) if module.has_quiz else None
    index = course.module_index(module.slug)
    next_module = next((m for m in course.modules[index + 1:] if m.slug not in completed), None)
    mp = course_progress(db.session, current_user.id, course).module(module.slug)
    return render_template(
        "quizzes/results.html", course=course, module=module, attempt=attempt, quiz=quiz, items=items,
        marked=marked, pass_mark=(quiz or module.quiz).settings.pass_mark if (quiz or module.quiz) else course.pass_mark,
        course_complete=course_complete, allowance=allowance, next_module=next_module, mp=mp,
        module_complete=module.slug in completed,
        certificates_url=url_for("certificates.mine") if "certificates.mine" in current_app.view_functions else None)


@bp.get("/transcript")
@signed_in
def transcript():
    courses = catalogue_service.get().courses_for(content_locale())
    return render_template("quizzes/transcript.html",
                           transcript=service.transcript(db.session, current_user.id, courses))
