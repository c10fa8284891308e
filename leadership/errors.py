"""Error pages: GOV.UK-styled HTML for people, problem+json for API clients."""
from __future__ import annotations

from flask import jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, SecurityError


def _wants_problem_json() -> bool:
    return request.path.startswith("/api/")


def _headers_of(err: HTTPException) -> list[tuple[str, str]]:
    """Headers the error itself carries (405 Allow, 401 WWW-Authenticate...), RFC 9110."""
    return [(k, v) for k, v in err.get_headers() if k.lower() != "content-type"]


def init_app(app) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(err):
        return render_template("errors/csrf.html"), 400

    @app.errorhandler(SecurityError)
    def untrusted_host(err: SecurityError):
        # A Host header outside TRUSTED_HOSTS (pen test F6). No URL can be built for such a
        # request, so no page template either: a plain answer.
        return app.response_class("400 Bad Request: this service does not answer for that host name.\n",
                                  status=400, mimetype="text/plain")

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException):
        if _wants_problem_json():
            body = {"type": "about:blank", "title": err.name, "status": err.code, "detail": err.description}
            response = jsonify(body)
            response.status_code = err.code or 500
            response.mimetype = "application/problem+json"
            response.headers.extend(_headers_of(err))
            if err.code == 429:
                response.headers["Retry-After"] = "60"
            return response
        template = {
            403: "errors/403.html", 404: "errors/404.html", 410: "errors/generic.html",
            413: "errors/413.html", 429: "errors/429.html",
        }.get(err.code, "errors/generic.html")
        return render_template(template, error=err), err.code, _headers_of(err)

    @app.errorhandler(Exception)
    def unexpected(err):  # pragma: no cover - exercised by reliability tests
        app.logger.exception("unhandled error")
        if _wants_problem_json():
            response = jsonify({"type": "about:blank", "title": "Internal Server Error", "status": 500})
            response.status_code = 500
            response.mimetype = "application/problem+json"
            return response
        return render_template("errors/500.html"), 500
