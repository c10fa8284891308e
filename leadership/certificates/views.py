"""Routes: the learner's certificates, staff actions, and the public verification URLs."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from flask import (Response, abort, current_app, flash, jsonify, redirect, render_template, request,
                   url_for)
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from ..auth.models import Role, User
from ..catalogue import catalogue_service
from ..extensions import db
from ..links import public_base_url
from ..security import public, requires, signed_in
from ..db import utcnow
from . import bp, integrity, service, statuslist, stored_pdf, verify_bp
from .codes import format_code, normalise_code
from .credential import (JSONLD_MEDIA_TYPE, MEDIA_TYPE, OB3_CONTEXT, VC_CONTEXT, Issuer, Urls, build_credential,
                         issuer_profile, outcome_alignments, sign_jwt, status_document, status_list_credential)
from .did import did_document, verification_method_id
from .forms import DecisionForm, NameCorrectionForm, RevokeForm
from .integrity import SignedCache
from .keys import jwk_kid, jwks, published_keys, rsa_signing_key, signing_key
from .models import EXPIRED, REVOKED, VALID, WITHDRAWN, Certificate
from .pdf import CertificatePrint, PdfCache
from .studied import studied_modules

BADGE_DIR = Path(__file__).parent / "badge"


# Helpers ------------------------------------------------------------------------------------

def base_url() -> str:
    return public_base_url()


def urls() -> Urls:
    return Urls(base_url())


def issuer_settings() -> Issuer:
    config = current_app.config
    return Issuer(name=config.get("CREDENTIAL_ISSUER_NAME") or config["SERVICE_NAME"],
                  url=config.get("CREDENTIAL_ISSUER_URL") or "", email=config.get("CREDENTIAL_ISSUER_EMAIL") or "")


def get_locale_code() -> str:
    from flask_babel import get_locale

    locale = get_locale()
    return locale.language if locale is not None else "en"


def pdf_cache() -> PdfCache:
    cache = current_app.extensions.get("certificate_pdf_cache")
    if cache is None:
        cache = current_app.extensions["certificate_pdf_cache"] = PdfCache(
            current_app.config.get("CERTIFICATE_PDF_CACHE_SIZE", 256))
    return cache


def course_for(cert: Certificate, language: str = "en"):
    return catalogue_service.get().course(cert.course_slug, language)


def get_certificate_or_404(code: str) -> Certificate:
    cert = service.find_by_code(db.session, code)
    if cert is None:
        abort(404)
    return cert


def print_data(cert: Certificate, language: str | None = None) -> CertificatePrint:
    language = language or cert.language or "en"
    course = course_for(cert, "en")
    wording = course.certificate.wording if course is not None and course.certificate else ""
    welsh = course_for(cert, "cy") if language in ("cy", "bilingual") else None
    title, title_cy, wording_cy = cert.course_title, None, None
    if welsh is not None and welsh.certificate:
        title_cy, wording_cy = welsh.certificate.title or welsh.title, welsh.certificate.wording
        if language == "cy":
            title, wording = title_cy or title, wording_cy or wording
    return CertificatePrint(
        code=cert.display_code, holder_name=cert.holder_name, council_name=cert.council_name,
        course_title=title, wording=wording, issued_at=cert.issued_at, expires_at=cert.expires_at,
        course_edition=cert.course_edition, content_version=cert.content_version,
        course_fingerprint=cert.course_fingerprint or "", verify_url=urls().verify(cert.code), status=cert.status(), language=language,
        course_title_cy=title_cy, wording_cy=wording_cy,
    )


def linkedin_url(cert: Certificate) -> str:
    from urllib.parse import urlencode

    return "https://www.linkedin.com/profile/add?" + urlencode({
        "startTask": "CERTIFICATION_NAME", "name": cert.course_title,
        "organizationName": issuer_settings().name,
        "issueYear": cert.issued_at.year, "issueMonth": cert.issued_at.month,
        **({"expirationYear": cert.expires_at.year, "expirationMonth": cert.expires_at.month}
           if cert.expires_at else {}),
        "certUrl": urls().verify(cert.code), "certId": cert.display_code,
    })


def _error(err: service.CertificateError):
    abort(err.status, description=err.message)


# The learner's pages -------------------------------------------------------------------------

@bp.get("/certificates")
@signed_in
def mine():
    certificates = service.certificates_for_user(db.session, current_user.id)
    latest_by_course: dict[str, Certificate] = {}
    for cert in certificates:
        if cert.course_slug not in latest_by_course or cert.cycle > latest_by_course[cert.course_slug].cycle:
            latest_by_course[cert.course_slug] = cert
    pending = service.pending_correction_certificate_ids(db.session, [c.id for c in certificates])
    return render_template("certificates/mine.html", certificates=certificates,
                           latest_by_course=latest_by_course, pending=pending,
                           linkedin_url=linkedin_url, catalogue=catalogue_service.get())


@bp.get("/certificates/<code>")
@signed_in
def share(code: str):
    """The holder's page for one certificate: what the digital badge is, LinkedIn, wallets."""
    cert = get_certificate_or_404(code)
    if cert.user_id != current_user.id:
        abort(403)
    import segno

    status = cert.status()
    json_url = urls().credential_json(cert.code)
    qr = Markup(segno.make(json_url, error="m").svg_inline(scale=4, title=_("QR code for your digital badge")))
    return render_template("certificates/share.html", cert=cert, status=status, urls=urls(),
                           linkedin_url=linkedin_url(cert), qr=qr, json_url=json_url, issuer=issuer_settings())


@bp.get("/certificates/<code>.pdf")
@signed_in
def pdf(code: str):
    cert = get_certificate_or_404(code)
    if not service.can_view_certificate(current_user, cert):
        abort(403)
    if cert.status() == WITHDRAWN:
        abort(410)
    language = request.args.get("language") or cert.language
    if language not in service.LANGUAGES:
        abort(400, description=_("Language must be en, cy or bilingual."))
    data = print_data(cert, language)
    # Rendered ahead by a background job when the certificate was issued; rendered now otherwise.
    body = stored_pdf.stored_or_render(db.session, cert.id, data, pdf_cache().get)
    filename = f"certificate-{cert.display_code}.pdf"
    response = Response(body, mimetype="application/pdf")
    disposition = "attachment" if request.args.get("download") else "inline"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


@bp.route("/certificates/<code>/correct-name", methods=["GET", "POST"])
@signed_in
def correct_name(code: str):
    cert = get_certificate_or_404(code)
    if cert.user_id != current_user.id:
        abort(403)
    form = NameCorrectionForm()
    if form.validate_on_submit():
        try:
            service.request_name_correction(db.session, cert, requester=current_user,
                                            requested_name=form.requested_name.data, reason=form.reason.data)
        except service.CertificateError as err:
            if err.status == 422:
                form.requested_name.errors = [err.message]
                return render_template("certificates/correct-name.html", form=form, cert=cert), 400
            _error(err)
        flash(_("Your request has been sent. We will email you when the name has been corrected."), "success")
        return redirect(url_for(".mine"))
    status = 400 if form.is_submitted() else 200
    return render_template("certificates/correct-name.html", form=form, cert=cert), status


# Staff: lookup, revocation, name corrections -------------------------------------------------

@bp.get("/admin/certificates")
@requires(Role.LGA_ADMIN)
def admin_lookup():
    typed = request.args.get("code", "").strip()
    cert, problem, status = None, None, 200
    if typed:
        code = normalise_code(typed)
        if code is None:
            problem, status = _("Enter a certificate code like ABCDE-FGHJK-MNPQR"), 400
        else:
            cert = service.find_by_code(db.session, code)
            if cert is None:
                problem, status = _("No certificate has that code"), 404
    holder = db.session.get(User, cert.user_id) if cert is not None and cert.user_id else None
    pending = service.pending_name_corrections(db.session)
    return render_template("certificates/admin-lookup.html", typed=typed, cert=cert, problem=problem,
                           holder=holder, pending_count=len(pending),
                           page_has_errors=bool(problem)), status


@bp.route("/admin/certificates/<code>/revoke", methods=["GET", "POST"])
@requires(Role.LGA_ADMIN)
def revoke(code: str):
    cert = get_certificate_or_404(code)
    form = RevokeForm()
    if cert.revoked_at is not None:
        flash(_("This certificate has already been revoked."), "error")
        return redirect(url_for(".admin_lookup", code=cert.display_code))
    if form.validate_on_submit():
        try:
            service.revoke_certificate(db.session, cert, actor=current_user, reason=form.reason.data)
        except service.CertificateError as err:
            _error(err)
        pdf_cache().invalidate(cert.display_code)
        flash(_("Certificate %(code)s has been revoked.", code=cert.display_code), "success")
        return redirect(url_for(".admin_lookup", code=cert.display_code))
    status = 400 if form.is_submitted() else 200
    return render_template("certificates/revoke.html", form=form, cert=cert), status


@bp.get("/admin/name-corrections")
@requires(Role.LGA_ADMIN)
def name_corrections():
    return render_template("certificates/name-corrections.html", form=DecisionForm(),
                           corrections=service.pending_name_corrections(db.session))


@bp.post("/admin/name-corrections/<int:correction_id>")
@requires(Role.LGA_ADMIN)
def decide_name_correction(correction_id: int):
    form = DecisionForm()
    if not form.validate_on_submit():
        abort(400)
    decision = request.form.get("decision")
    if decision not in ("approve", "reject"):
        abort(400, description=_("Choose approve or reject."))
    try:
        correction = service.decide_name_correction(db.session, correction_id, actor=current_user,
                                                    approve=decision == "approve")
    except service.CertificateError as err:
        _error(err)
    code = correction.certificate.display_code
    pdf_cache().invalidate(code)
    if decision == "approve":
        flash(_("The name on certificate %(code)s is now %(name)s.", code=code,
                name=correction.requested_name), "success")
    else:
        flash(_("The request for certificate %(code)s was rejected.", code=code), "success")
    return redirect(url_for(".name_corrections"))


# Public verification -------------------------------------------------------------------------

@verify_bp.get("/verify")
@public
def verify_start():
    typed = request.args.get("code")
    if typed is None:
        return render_template("certificates/verify-start.html", typed="", problem=None)
    code = normalise_code(typed)
    if code is None:
        problem = (_("Enter the certificate code") if not typed.strip()
                   else _("Enter a certificate code like ABCDE-FGHJK-MNPQR, as printed on the certificate"))
        return render_template("certificates/verify-start.html", typed=typed, problem=problem,
                               page_has_errors=True), 400
    return redirect(url_for(".verify", code=code))


def _public_headers(response: Response, max_age: int = 0) -> Response:
    response.headers["Cache-Control"] = f"public, max-age={max_age}" if max_age else "no-cache"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@verify_bp.get("/verify/<code>")
@public
def verify(code: str):
    cert = service.find_by_code(db.session, code)
    if cert is None:
        return render_template("certificates/verify-unknown.html", typed=code,
                               normalised=normalise_code(code)), 404
    status = cert.status()
    course = course_for(cert, get_locale_code())
    response = Response(render_template(
        "certificates/verify.html", cert=cert, status=status, statuses=dict(
            VALID=VALID, EXPIRED=EXPIRED, REVOKED=REVOKED, WITHDRAWN=WITHDRAWN),
        urls=urls(), studied=studied_modules(db.session, cert, course) if status != WITHDRAWN else [],
        issuer=issuer_settings()))
    response.headers["Cache-Control"] = "no-cache"
    return response


def _credential_parts(cert: Certificate):
    """Everything the credential is made from (after giving an old row its subject id and slot)."""
    service.ensure_credential_records(db.session, cert)
    holder = db.session.get(User, cert.user_id) if cert.user_id else None
    course = course_for(cert)
    vc = build_credential(
        cert, course=course, email=holder.email if holder else None, urls=urls(),
        secret=current_app.config["SECRET_KEY"], issuer=issuer_settings(),
        status_position=cert.status_slot.position if cert.status_slot else None,
        studied=studied_modules(db.session, cert, course),
        wording=course.certificate.wording if course and course.certificate else None)
    return vc


def signed_cache() -> SignedCache:
    cache = current_app.extensions.get("credential_signed_cache")
    if cache is None:
        cache = current_app.extensions["credential_signed_cache"] = SignedCache(
            current_app.config.get("CREDENTIAL_CACHE_SIZE", 512))
    return cache


def _cache_key(form: str, document: dict, key) -> tuple:
    return (form, key.thumbprint, json.dumps(document, sort_keys=True, ensure_ascii=False))


def as_jwt(document: dict) -> str:
    key = rsa_signing_key(current_app)
    return signed_cache().get(_cache_key("jwt", document, key),
                              lambda: sign_jwt(document, key, jwk_kid(base_url(), key)))


def as_data_integrity(document: dict) -> dict:
    key = signing_key(current_app)
    return signed_cache().get(_cache_key("di", document, key), lambda: integrity.sign(
        document, key.private_key, verification_method=verification_method_id(urls().did, key.public),
        created=utcnow()))


def _credential_or_410(code: str) -> Certificate:
    cert = get_certificate_or_404(code)
    if cert.status() == WITHDRAWN:
        abort(410, description=_("The holder has withdrawn this certificate."))
    return cert


@verify_bp.get("/verify/<code>/credential")
@public
def credential(code: str):
    cert = _credential_or_410(code)
    response = Response(as_jwt(_credential_parts(cert)), mimetype=MEDIA_TYPE)
    if request.args.get("download"):
        response.headers["Content-Disposition"] = (
            f'attachment; filename="leadership-essentials-{cert.display_code}.jwt"')
    return _public_headers(response)


@verify_bp.get("/verify/<code>/credential.json")
@public
def credential_json(code: str):
    cert = _credential_or_410(code)
    body = json.dumps(as_data_integrity(_credential_parts(cert)), ensure_ascii=False, indent=2)
    response = Response(body, mimetype=JSONLD_MEDIA_TYPE)
    if request.args.get("download"):
        response.headers["Content-Disposition"] = (
            f'attachment; filename="leadership-essentials-{cert.display_code}.json"')
    return _public_headers(response)


@verify_bp.get("/verify/<code>/status")
@public
def credential_status(code: str):
    cert = get_certificate_or_404(code)
    return _public_headers(jsonify(status_document(cert, urls=urls())))


def _wants_jwt() -> bool:
    accept = request.accept_mimetypes
    best = accept.best_match([JSONLD_MEDIA_TYPE, "application/ld+json", "application/json", MEDIA_TYPE,
                              "application/jwt"], default=JSONLD_MEDIA_TYPE)
    return best in (MEDIA_TYPE, "application/jwt") or request.args.get("format") == "jwt"


@verify_bp.get("/credentials/status/<int:number>")
@public
def status_list(number: int):
    """The Bitstring Status List credential: JSON-LD with an eddsa-rdfc-2022 proof, or the
    VC-JWT when asked for ``application/vc+jwt`` (or ``?format=jwt``)."""
    valid_from = statuslist.last_change(db.session, number) if number >= 1 else None
    if valid_from is None:
        abort(404)
    document = status_list_credential(urls(), number, statuslist.set_positions(db.session, number),
                                      valid_from=valid_from)
    if _wants_jwt():
        response = Response(as_jwt(document), mimetype=MEDIA_TYPE)
    else:
        response = Response(json.dumps(as_data_integrity(document), indent=2), mimetype=JSONLD_MEDIA_TYPE)
    response.headers["Vary"] = "Accept"
    return _public_headers(response)


@verify_bp.get("/.well-known/jwks.json")
@public
def jwks_json():
    response = jsonify(jwks(current_app, base_url()))
    response.mimetype = "application/jwk-set+json"
    return _public_headers(response, max_age=3600)


@verify_bp.get("/.well-known/did.json")
@verify_bp.get("/did.json")  # where did:web looks when PUBLIC_BASE_URL has a path
@public
def did_json():
    document = did_document(urls().did, published_keys(current_app))
    response = Response(json.dumps(document, indent=2), mimetype="application/did+json")
    return _public_headers(response, max_age=3600)


@verify_bp.get("/issuer")
@public
def issuer():
    profile = {"@context": [VC_CONTEXT, OB3_CONTEXT], **issuer_profile(urls(), issuer_settings()),
               "jwks": urls().jwks()}
    if request.accept_mimetypes.best_match(["application/json", "application/ld+json", "text/html"]) == "text/html":
        return render_template("certificates/issuer.html", profile=profile, issuer=issuer_settings(),
                               urls=urls(), catalogue=catalogue_service.get())
    return _public_headers(jsonify(profile), max_age=3600)


def _public_course(slug: str):
    course = catalogue_service.get().course(slug, get_locale_code())
    if course is None:
        abort(404)
    return course


@verify_bp.get("/achievements/<course_slug>")
@public
def achievement(course_slug: str):
    course = _public_course(course_slug)
    return render_template("certificates/achievement.html", course=course, urls=urls(),
                           issuer=issuer_settings(), outcomes=outcome_alignments(course))


@verify_bp.get("/achievements/<course_slug>/criteria")
@public
def criteria(course_slug: str):
    course = _public_course(course_slug)
    return render_template("certificates/criteria.html", course=course, urls=urls(), issuer=issuer_settings())


@verify_bp.get("/achievements/<course_slug>/badge.<ext>")
@public
def badge_image(course_slug: str, ext: str):
    if ext not in ("png", "svg") or catalogue_service.get().course(course_slug) is None:
        abort(404)
    response = Response(_badge_bytes(ext), mimetype="image/png" if ext == "png" else "image/svg+xml")
    return _public_headers(response, max_age=86400)


@lru_cache(maxsize=2)
def _badge_bytes(ext: str) -> bytes:
    return (BADGE_DIR / f"badge.{ext}").read_bytes()


# Hooks into shared pages ---------------------------------------------------------------------

def _nav_item(user):
    if not getattr(user, "is_authenticated", False):
        return None
    return {"href": url_for("certificates.mine"), "text": _("Certificates"),
            "active": request.blueprint == "certificates"}


def _account_link(user):
    if getattr(user, "is_authenticated", False) and user.role_enum is Role.LGA_ADMIN:
        return {"href": url_for("certificates.admin_lookup"), "text": _("Certificates: look up, revoke, correct names")}
    return None


def _course_panel(course, progress):
    if not getattr(current_user, "is_authenticated", False):
        return None
    cert = service.latest_certificate(db.session, current_user.id, course.slug)
    if cert is None:
        return None
    return Markup(render_template("certificates/_course_panel.html", cert=cert, status=cert.status(),
                                  course=course, progress=progress))


@bp.record_once
def _register_hooks(state):
    app = state.app
    app.extensions["navigation"].append(_nav_item)
    app.extensions["account_links"].append(_account_link)
    app.extensions["course_panels"].append(_course_panel)
