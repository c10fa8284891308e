"""A council's certificates as one ZIP of PDFs (rendered by the certificates feature)."""
from __future__ import annotations

import io
import re
import zipfile

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..certificates.models import Certificate


def council_certificates(session: Session, council_id: int, course_slug: str) -> list[Certificate]:
    """Certificates of the council's learners: not revoked, not withdrawn (erased holders)."""
    return list(session.scalars(
        sa.select(Certificate)
        .where(Certificate.council_id == council_id, Certificate.course_slug == course_slug,
               Certificate.revoked_at.is_(None), Certificate.withdrawn_at.is_(None),
               Certificate.user_id.is_not(None))
        .order_by(Certificate.holder_name, Certificate.cycle)))


def certificates_zip(session: Session, council_id: int, course_slug: str) -> tuple[bytes, int]:
    """(zip bytes, number of PDFs). Needs a request context (PDFs carry verification URLs)."""
    from ..certificates.pdf import render_pdf
    from ..certificates.views import print_data

    certs = council_certificates(session, council_id, course_slug)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for cert in certs:
            slug = re.sub(r"[^a-z0-9]+", "-", cert.holder_name.lower()).strip("-") or "certificate"
            zf.writestr(f"{slug}-{cert.display_code}.pdf", render_pdf(print_data(cert)))
    return buffer.getvalue(), len(certs)
