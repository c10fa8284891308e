"""Certificate PDFs rendered by a job at issue; the first download is the stored file."""
from __future__ import annotations

import io

import sqlalchemy as sa
from pypdf import PdfReader

from jobhelp import issue
from support import Client


def _text(pdf_bytes: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf_bytes)).pages)


def _cache_size(app) -> int:
    cache = app.extensions.get("certificate_pdf_cache")
    return 0 if cache is None else len(cache)


def test_first_download_is_the_stored_file_and_a_name_correction_makes_it_stale(jobs_app, learner, make_user,
                                                                              db_session):
    from leadership.certificates.stored_pdf import StoredPdf

    cert = issue(jobs_app, learner)  # the job renders and stores it
    [stored] = db_session.scalars(sa.select(StoredPdf)).all()
    client = Client(jobs_app.test_client())
    client.sign_in(learner.email)
    response = client.get(f"/certificates/{cert.code}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data == stored.body  # served from the database...
    assert _cache_size(jobs_app) == 0  # ...without rendering in the request

    # An approved name correction: the stored file no longer shows what the certificate says.
    admin = make_user("lga_admin", council="LND")
    holder = Client(jobs_app.test_client())
    holder.sign_in(learner.email)
    holder.post(f"/certificates/{cert.code}/correct-name", {"requested_name": "Cllr Ada King", "reason": "married"})
    staff = Client(jobs_app.test_client())
    staff.sign_in(admin.email)
    from leadership.certificates.models import NameCorrection

    correction = db_session.scalars(sa.select(NameCorrection)).one()
    assert staff.post(f"/admin/name-corrections/{correction.id}", {"decision": "approve"},
                      token_from="/admin/name-corrections").status_code == 302
    corrected = client.get(f"/certificates/{cert.code}.pdf")
    assert corrected.status_code == 200 and corrected.data != stored.body
    assert "Cllr Ada King" in _text(corrected.data) and "Ada Lovelace" not in _text(corrected.data)
    assert _cache_size(jobs_app) == 1  # rendered now, because the stored one was stale

    # ...and stored in place of the stale one: the next download is the stored file again.
    db_session.expire_all()
    [restored] = db_session.scalars(sa.select(StoredPdf)).all()
    assert restored.body == corrected.data
    assert client.get(f"/certificates/{cert.code}.pdf").data == corrected.data


def test_without_the_job_the_first_download_renders_and_stores_it(queued_app, learner, db_session):
    from leadership.certificates.stored_pdf import StoredPdf

    cert = issue(queued_app, learner)  # enqueued; no worker has run it
    assert db_session.scalars(sa.select(StoredPdf)).all() == []
    client = Client(queued_app.test_client())
    client.sign_in(learner.email)
    response = client.get(f"/certificates/{cert.code}.pdf")
    assert response.status_code == 200 and "Cllr Ada Lovelace" in _text(response.data)
    assert _cache_size(queued_app) == 1
    [stored] = db_session.scalars(sa.select(StoredPdf)).all()  # kept for the next download
    assert stored.body == response.data


def test_erasing_the_account_deletes_its_stored_pdfs(jobs_app, learner, db_session):
    from leadership.auth.models import User
    from leadership.certificates.stored_pdf import StoredPdf
    from leadership.privacy.service import erase_account

    issue(jobs_app, learner)
    assert len(db_session.scalars(sa.select(StoredPdf)).all()) == 1
    erase_account(db_session, db_session.get(User, learner.id))
    assert db_session.scalars(sa.select(StoredPdf)).all() == []


def test_a_revocation_makes_the_stored_file_stale(jobs_app, learner, make_user, db_session):
    from leadership.auth.models import User
    from leadership.certificates import service
    from leadership.certificates.models import Certificate
    from leadership.certificates.stored_pdf import StoredPdf

    cert = issue(jobs_app, learner)
    [before] = db_session.scalars(sa.select(StoredPdf)).all()
    admin = make_user("lga_admin", council="LND")
    service.revoke_certificate(db_session, db_session.get(Certificate, cert.id), actor=db_session.get(User, admin.id),
                               reason="issued in error")
    client = Client(jobs_app.test_client())
    client.sign_in(learner.email)
    after = client.get(f"/certificates/{cert.code}.pdf")
    assert after.status_code == 200 and after.data != before.body
    assert "revoked" in _text(after.data).lower() and "revoked" not in _text(before.body).lower()
