"""Helpers shared by the certificate tests (plain functions, not fixtures)."""
from __future__ import annotations

import dataclasses
from datetime import datetime

import sqlalchemy as sa

from leadership.content.model import CertificateSettings


def real_course(app, valid_for_months="keep"):
    from leadership.catalogue import catalogue_service

    with app.app_context():
        course = catalogue_service.get().course("digital-leadership")
    assert course is not None
    if valid_for_months != "keep":
        course = dataclasses.replace(course, certificate=dataclasses.replace(
            course.certificate, valid_for_months=valid_for_months))
    return course


def issue(app, user, course=None, *, now: datetime | None = None):
    from leadership.certificates import service
    from leadership.extensions import db

    course = course or real_course(app)
    with app.app_context():
        cert = service.issue_certificate(db.session, user.id, course, now=now)
        db.session.expunge(cert)
        db.session.remove()
    return cert


def reload(app, cert):
    from leadership.certificates.models import Certificate
    from leadership.extensions import db

    with app.app_context():
        found = db.session.get(Certificate, cert.id)
        db.session.expunge(found)
        db.session.remove()
    return found


def audit_events(app, action):
    from leadership.audit import AuditEvent
    from leadership.extensions import db

    with app.app_context():
        rows = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)).all()
        for r in rows:
            db.session.expunge(r)
        db.session.remove()
    return rows


def page_text(soup) -> str:
    return " ".join(soup.get_text(" ").split())


import contextlib  # noqa: E402
import threading  # noqa: E402


class _Dispatch:
    """The server is bound before the app exists (the app's PUBLIC_BASE_URL needs the port)."""

    app = None

    def __call__(self, environ, start_response):
        return self.app(environ, start_response)


@contextlib.contextmanager
def serve(make_app, **config):
    """Yield (app, base, origin): an app with PUBLIC_BASE_URL http://localhost:<port> (so its
    issuer is did:web:localhost%3A<port>), listening on 127.0.0.1:<port>."""
    from werkzeug.serving import make_server

    dispatch = _Dispatch()
    srv = make_server("127.0.0.1", 0, dispatch, threaded=True)
    base, origin = f"http://localhost:{srv.server_port}", f"http://127.0.0.1:{srv.server_port}"
    dispatch.app = make_app(PUBLIC_BASE_URL=base, **config)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        yield dispatch.app, base, origin
    finally:
        srv.shutdown()
        thread.join(5)
        srv.server_close()


__all__ = ["CertificateSettings", "real_course", "issue", "reload", "audit_events", "page_text"]


ROOT = __import__("pathlib").Path(__file__).resolve().parents[2]
VERIFY_JS = ROOT / "tests" / "certificates" / "verifiers" / "verify.mjs"


def node_verify(mode: str, document, live, tmp_path) -> dict:
    """Run the independent verifier (tests/certificates/verifiers/verify.mjs) on ``document``
    (a VC-JWT string or a JSON-LD dict) against the live app; returns its JSON verdict."""
    import json
    import shutil
    import subprocess

    node = shutil.which("node")
    assert node, "node is needed for the independent verifiers (scripts/setup.sh installs the npm packages)"
    _app, base, origin = live
    path = tmp_path / f"{mode}-input.txt"
    path.write_text(document if isinstance(document, str) else json.dumps(document), encoding="utf-8")
    done = subprocess.run([node, str(VERIFY_JS), mode, str(path), "--base", base, "--origin", origin],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def live_issue(live, user, course=None, *, now=None):
    """Issue a certificate with the live app (its catalogue and keys)."""
    app, _base, _origin = live
    return issue(app, user, course or real_course(app), now=now)


def fetch(live, path: str, accept: str | None = None):
    """GET from the live server over HTTP; returns (status, content type, body bytes)."""
    import urllib.error
    import urllib.request

    _app, _base, origin = live
    request = urllib.request.Request(origin + path, headers={"Accept": accept} if accept else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - 127.0.0.1 only
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as err:
        with err:
            return err.code, err.headers.get("Content-Type", ""), err.read()
