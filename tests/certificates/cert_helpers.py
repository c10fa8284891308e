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


__all__ = ["CertificateSettings", "real_course", "issue", "reload", "audit_events", "page_text"]
