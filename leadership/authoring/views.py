"""Authoring routes (thin): every route is for trainers and LGA admins only."""
from __future__ import annotations

from pathlib import Path

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _  # type: ignore[import-untyped]
from flask_login import current_user  # type: ignore[import-untyped]

from ..catalogue import catalogue_service, course_asset_url
from ..content import normalise
from ..security import AUTHOR_ROLES, MalformedText, decode_text_upload, public, requires
from . import bp, uploads, uploads_bp
from .baseline import Baseline
from .dashboard import AuthoringCache, dashboard_rows
from .db_session import current_session
from .diff import diff_rows
from .drafts import DraftConflict, GiftRefused, create_module, discard_draft, get_draft, import_gift, save_draft
from .errors import AuthoringError, HasProblems, PublishConflict
from .forms import EditForm, GiftForm, ImageForm, NewModuleForm, PublishForm, RollbackForm
from .generation import generation
from .models import ModuleVersion
from .order import course_order, move_module
from .published import get_version, module_versions, published_text, text_hash
from .versions import publish as publish_draft, rollback as roll_back

author_only = requires(*AUTHOR_ROLES)


# --------------------------------------------------------------------------- helpers


def _cache() -> AuthoringCache:
    cache: AuthoringCache = current_app.extensions["authoring"]
    return cache


def _baseline(course_slug: str) -> Baseline:
    baseline = _cache().baselines(catalogue_service.root).get(course_slug)
    if baseline is None:
        abort(404)
    return baseline


def _module_baseline(course_slug: str, name: str) -> Baseline:
    """The course of a module that exists as a file, in the course order or as a draft; else 404."""
    baseline = _baseline(course_slug)
    if name in baseline.files or name in course_order(current_session(), baseline) \
            or get_draft(current_session(), baseline.slug, name) is not None:
        return baseline
    abort(404)


def _version_or_404(baseline: Baseline, name: str, number: int) -> ModuleVersion:
    version = get_version(current_session(), baseline.slug, name, number)
    if version is None:
        abort(404)
    return version


def _int(value, default=None):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _draft_and_published(baseline: Baseline, name: str):
    return get_draft(current_session(), baseline.slug, name), published_text(current_session(), baseline, name)


def _field_name(qid: str) -> str:
    return f"preview-{qid}"


def _render_edit(baseline, name, *, text, lock_version, base_version, status=200, preview=False,
                 conflict=None, form=None):
    draft, published = _draft_and_published(baseline, name)
    module, problems = _cache().parsed(generation(current_session()), baseline, name, text,
                                       asset_url=course_asset_url)
    form = form or EditForm(formdata=None)
    form.source.data = text
    form.lock_version.data = str(lock_version)
    form.base_version.data = base_version
    course = catalogue_service.get().course(baseline.slug)
    return render_template(
        "authoring/edit.html", baseline=baseline, name=name, module=module, problems=problems,
        form=form, draft=draft, published=published, preview=preview, conflict=conflict,
        lines=normalise(text).split("\n"), course=course, course_title=baseline.meta.title,
        field_name=_field_name, conflict_rows=diff_rows(conflict.current_text, text) if conflict else None,
    ), status


# --------------------------------------------------------------------------- index


@bp.get("/")
@author_only
def index():
    courses = dashboard_rows(current_session(), catalogue_service.root, _cache())
    return render_template("authoring/index.html", courses=courses)


@bp.post("/<course_slug>/move")
@author_only
def move(course_slug: str):
    baseline = _baseline(course_slug)
    name, direction = request.form.get("module", ""), request.form.get("direction", "")
    if direction not in ("up", "down"):
        abort(400)
    try:
        move_module(current_session(), baseline, name, direction, actor=current_user)
    except AuthoringError as err:
        abort(400, err.message)
    catalogue_service.reload()
    flash(_("Module order saved. Learners see the new order now."), "success")
    return redirect(url_for(".index") + f"#course-{baseline.slug}")


@bp.route("/<course_slug>/new", methods=["GET", "POST"])
@author_only
def new_module(course_slug: str):
    baseline = _baseline(course_slug)
    form = NewModuleForm()
    if form.validate_on_submit():
        try:
            name = create_module(current_session(), baseline, slug=form.slug.data, title=form.title.data,
                                 actor=current_user)
        except AuthoringError as err:
            form.slug.errors.append(err.message)
        else:
            flash(_("Module created as a draft. Learners will see it when you publish it."), "success")
            return redirect(url_for(".edit", course_slug=baseline.slug, name=name))
    status = 400 if form.errors else 200
    return render_template("authoring/new_module.html", baseline=baseline, form=form), status


# --------------------------------------------------------------------------- editing


@bp.get("/<course_slug>/<name>")
@author_only
def edit(course_slug: str, name: str):
    baseline = _module_baseline(course_slug, name)
    draft, published = _draft_and_published(baseline, name)
    if draft is not None:
        return _render_edit(baseline, name, text=draft.source, lock_version=draft.lock_version,
                            base_version=draft.base_version)
    return _render_edit(baseline, name, text=published or "", lock_version=0, base_version=text_hash(published))


@bp.post("/<course_slug>/<name>/preview")
@author_only
def preview(course_slug: str, name: str):
    baseline = _module_baseline(course_slug, name)
    form = EditForm()
    if not form.validate_on_submit():
        return _render_edit(baseline, name, text=form.source.data or "", lock_version=_int(form.lock_version.data, 0),
                            base_version=form.base_version.data or "", status=400, form=form)
    return _render_edit(baseline, name, text=form.source.data, lock_version=_int(form.lock_version.data, 0),
                        base_version=form.base_version.data or "", preview=True, form=form)


@bp.post("/<course_slug>/<name>/save")
@author_only
def save(course_slug: str, name: str):
    baseline = _module_baseline(course_slug, name)
    form = EditForm()
    lock = _int(form.lock_version.data)
    if not form.validate_on_submit() or lock is None:
        return _render_edit(baseline, name, text=form.source.data or "", lock_version=lock or 0,
                            base_version=form.base_version.data or "", status=400, form=form)
    try:
        save_draft(current_session(), baseline, name, form.source.data, lock_version=lock,
                   base_version=form.base_version.data or "", actor=current_user)
    except DraftConflict as conflict:
        return _render_edit(baseline, name, text=form.source.data, lock_version=conflict.lock_version,
                            base_version=conflict.base_version, status=409, conflict=conflict)
    flash(_("Draft saved. Learners do not see it until you publish it."), "success")
    return redirect(url_for(".edit", course_slug=baseline.slug, name=name))


@bp.post("/<course_slug>/<name>/discard")
@author_only
def discard(course_slug: str, name: str):
    baseline = _module_baseline(course_slug, name)
    discard_draft(current_session(), baseline.slug, name)
    flash(_("Draft discarded."), "success")
    if published_text(current_session(), baseline, name) is None:
        return redirect(url_for(".index"))
    return redirect(url_for(".edit", course_slug=baseline.slug, name=name))


@bp.get("/<course_slug>/<name>/compare")
@author_only
def compare(course_slug: str, name: str):
    baseline = _module_baseline(course_slug, name)
    draft, published = _draft_and_published(baseline, name)
    rows = diff_rows(published or "", draft.source) if draft is not None else []
    return render_template("authoring/compare.html", baseline=baseline, name=name, draft=draft, rows=rows,
                           old_label=_("Published"), new_label=_("Draft"))


# --------------------------------------------------------------------------- publishing and versions


def _publish_page(baseline, name, form, *, status=200, error=None, problems=None):
    draft, published = _draft_and_published(baseline, name)
    rows = diff_rows(published or "", draft.source) if draft is not None else []
    if draft is not None and problems is None:
        problems = baseline.parse_module(name, draft.source)[1]
    return render_template("authoring/publish.html", baseline=baseline, name=name, draft=draft, rows=rows,
                           form=form, error=error, problems=problems or [],
                           stale=draft is not None and draft.base_version != text_hash(published)), status


@bp.route("/<course_slug>/<name>/publish", methods=["GET", "POST"])
@author_only
def publish(course_slug: str, name: str):
    baseline = _module_baseline(course_slug, name)
    form = PublishForm()
    if request.method == "GET":
        draft = get_draft(current_session(), baseline.slug, name)
        form.lock_version.data = str(draft.lock_version) if draft else ""
        return _publish_page(baseline, name, form)
    if not form.validate_on_submit():
        return _publish_page(baseline, name, form, status=400)
    try:
        version = publish_draft(current_session(), baseline, name, kind=form.kind.data, note=form.note.data,
                                actor=current_user, lock_version=_int(form.lock_version.data))
    except PublishConflict as err:
        return _publish_page(baseline, name, form, status=409, error=err.message)
    except HasProblems as err:
        return _publish_page(baseline, name, form, status=400, error=err.message, problems=err.problems)
    except AuthoringError as err:
        return _publish_page(baseline, name, form, status=400, error=err.message)
    catalogue_service.reload()
    flash(_("Version %(n)d published. Learners see it now.", n=version.number), "success")
    return redirect(url_for(".history", course_slug=baseline.slug, name=name))


@bp.get("/<course_slug>/<name>/versions")
@author_only
def history(course_slug: str, name: str):
    baseline = _module_baseline(course_slug, name)
    return render_template("authoring/versions.html", baseline=baseline, name=name,
                           versions=module_versions(current_session(), baseline.slug, name))


@bp.get("/<course_slug>/<name>/versions/diff")
@author_only
def version_diff(course_slug: str, name: str):
    baseline = _module_baseline(course_slug, name)
    a, b = _int(request.args.get("from")), _int(request.args.get("to"))
    if a is None or b is None:
        abort(400, _("Choose two versions to compare."))
    old, new = _version_or_404(baseline, name, a), _version_or_404(baseline, name, b)
    return render_template("authoring/compare.html", baseline=baseline, name=name, rows=diff_rows(old.source, new.source),
                           old_label=_("Version %(n)d", n=a), new_label=_("Version %(n)d", n=b), versions=(old, new))


@bp.get("/<course_slug>/<name>/versions/<int:number>")
@author_only
def version(course_slug: str, name: str, number: int):
    baseline = _module_baseline(course_slug, name)
    v = _version_or_404(baseline, name, number)
    return render_template("authoring/version.html", baseline=baseline, name=name, version=v,
                           lines=v.source.split("\n"))


@bp.route("/<course_slug>/<name>/versions/<int:number>/rollback", methods=["GET", "POST"])
@author_only
def rollback(course_slug: str, name: str, number: int):
    baseline = _module_baseline(course_slug, name)
    v = _version_or_404(baseline, name, number)
    form = RollbackForm()
    error, status = None, 200
    if request.method == "POST" and not form.validate_on_submit():
        status = 400
    elif request.method == "POST":
        try:
            new = roll_back(current_session(), baseline, name, number, kind=form.kind.data, note=form.note.data,
                            actor=current_user)
        except PublishConflict as err:
            error, status = err.message, 409
        except AuthoringError as err:
            error, status = err.message, 400
        else:
            catalogue_service.reload()
            flash(_("Rolled back: version %(new)d has the text of version %(old)d.", new=new.number, old=number),
                  "success")
            return redirect(url_for(".history", course_slug=baseline.slug, name=name))
    rows = diff_rows(published_text(current_session(), baseline, name) or "", v.source)
    return render_template("authoring/rollback.html", baseline=baseline, name=name, version=v, rows=rows,
                           form=form, error=error), status


# --------------------------------------------------------------------------- GIFT import


@bp.route("/<course_slug>/<name>/gift", methods=["GET", "POST"])
@author_only
def gift_import(course_slug: str, name: str):
    baseline = _module_baseline(course_slug, name)
    form = GiftForm()
    result, error, status = None, None, 200
    if request.method == "GET":
        form.lock_version.data = "0"
    elif form.validate_on_submit():
        upload = request.files.get("file")
        raw = upload.read() if upload and upload.filename else (form.text.data or "").encode()
        try:
            decode_text_upload(raw)  # the form fields' NUL/UTF-8 rule, for the file's contents too (F8)
            result, saved = import_gift(current_session(), baseline, name, raw, actor=current_user,
                                        lock_version=_int(form.lock_version.data, 0))
        except MalformedText as err:
            error, status = (_("The GIFT file contains a NUL character (byte 0), which text cannot contain. Save it "
                               "again as plain UTF-8 text.") if err.kind == "nul"
                             else _("The GIFT file must be UTF-8 text.")), 400
        except GiftRefused as err:
            error, status = (_("The GIFT file must be UTF-8 text.") if err.reason == GiftRefused.NOT_TEXT
                             else _("Choose a GIFT file or paste GIFT text.")), 400
        except DraftConflict:
            error, status = _("Someone else saved this draft while you were importing. "
                              "Nothing was imported; try again."), 409
        else:
            if not saved:
                error, status = _("No questions could be imported."), 400
    else:
        status = 400
    draft = get_draft(current_session(), baseline.slug, name)
    if draft is not None:
        form.lock_version.data = str(draft.lock_version)
    return render_template("authoring/gift.html", baseline=baseline, name=name, form=form, result=result,
                           error=error), status


# --------------------------------------------------------------------------- images


def upload_folder() -> Path:
    return Path(current_app.config.get("AUTHORING_UPLOAD_DIR") or Path(current_app.instance_path) / "uploads")


@bp.route("/images", methods=["GET", "POST"])
@author_only
def images():
    form = ImageForm()
    stored, status = None, 200
    if request.method == "POST":
        if form.validate_on_submit():
            f = request.files.get("image")
            if f is None or not f.filename:
                form.image.errors = [_("Select an image file")]
                status = 400
            else:
                limit = int(current_app.config.get("AUTHORING_UPLOAD_MAX_BYTES", uploads.MAX_BYTES))
                data = f.read(limit + 1)
                try:
                    stored = uploads.store_image(current_session(), upload_folder(), data, alt=form.alt.data,
                                                 filename=f.filename, actor=current_user, max_bytes=limit,
                                                 max_width=current_app.config["UPLOAD_IMAGE_MAX_WIDTH"],
                                                 max_height=current_app.config["UPLOAD_IMAGE_MAX_HEIGHT"],
                                                 max_megapixels=current_app.config["UPLOAD_IMAGE_MAX_MEGAPIXELS"])
                except uploads.UploadError as err:
                    form.image.errors = [err.message]
                    status = err.status
        else:
            status = 400
    snippet = None
    if stored is not None:
        snippet = uploads.markdown_snippet(stored.alt if not form.alt.data else " ".join(form.alt.data.split()),
                                           url_for("uploads.image", name=stored.name))
    return render_template("authoring/images.html", form=form, stored=stored, snippet=snippet), status


@uploads_bp.get("/<name>")
@public
def image(name: str):
    """Uploaded images, with their verified type; SVGs can never run script."""
    upload = uploads.find(current_session(), name)
    path = upload_folder() / name
    if upload is None or not path.is_file():
        abort(404)
    # Files are content-addressed (the name is their hash), so they can be cached for long.
    response = current_app.response_class(path.read_bytes(), mimetype=upload.content_type)
    response.headers["Cache-Control"] = "public, max-age=86400, immutable"
    response.set_etag(name)
    response.make_conditional(request)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; script-src 'none'; sandbox"
    response.headers["Content-Disposition"] = f'inline; filename="{name}"'
    return response
