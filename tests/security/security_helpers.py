"""Helpers for the security and privacy tests (plain functions, not fixtures)."""
from __future__ import annotations


def issue_for(app, user):
    """Issue the real course's certificate to ``user`` (expunged copy)."""
    from leadership.catalogue import catalogue_service
    from leadership.certificates import service
    from leadership.extensions import db

    with app.app_context():
        course = catalogue_service.get().course("digital-leadership")
        cert = service.issue_certificate(db.session, user.id, course)
        db.session.expunge(cert)
        db.session.remove()
    return cert
