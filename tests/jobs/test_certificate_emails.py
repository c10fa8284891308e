"""'You have earned your certificate': once per certificate, in the holder's language."""
from __future__ import annotations

import sqlalchemy as sa

from jobhelp import issue, run_due, set_locale
from support import outbox_messages


def _body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def _send_log(db_session):
    from leadership.notify.models import SendLog

    db_session.expire_all()
    return db_session.scalars(sa.select(SendLog).order_by(SendLog.id)).all()


def test_issuing_a_certificate_emails_the_holder_once_with_links(jobs_app, learner, instance_path, db_session):
    cert = issue(jobs_app, learner)
    [message] = outbox_messages(instance_path)
    assert message["To"] == learner.email
    assert message["Subject"] == "You have earned your certificate: Digital leadership for councillors"
    body = _body(message)
    assert body.startswith("Dear Cllr Ada Lovelace,")
    assert f"Certificate code: {cert.display_code}" in body
    assert f"http://localhost/verify/{cert.code}" in body
    assert f"http://localhost/certificates/{cert.code}.pdf" in body
    assert "List-Unsubscribe" not in message  # transactional: there is nothing to unsubscribe from
    [row] = _send_log(db_session)
    assert (row.recipient, row.kind, row.subject_key, row.step) == (
        f"user:{learner.id}", "certificate-earned", f"certificate:{cert.id}", "1")
    assert row.sent_at is not None and row.bounced_at is None and row.language == "en"

    # The catch-up sweep, a re-issue call and a second run-due find it already sent.
    assert run_due(jobs_app, row.created_at.replace(minute=0)).exit_code == 0
    issue(jobs_app, learner)  # returns the certificate already held: no second signal
    assert run_due(jobs_app, row.created_at.replace(minute=10)).exit_code == 0
    assert len(outbox_messages(instance_path)) == 1 and len(_send_log(db_session)) == 1


def test_the_email_is_in_welsh_for_a_welsh_speaking_holder(jobs_app, learner, instance_path):
    set_locale(jobs_app, learner, "cy")
    cert = issue(jobs_app, learner)
    [message] = outbox_messages(instance_path)
    assert message["Subject"].strip() == "Rydych wedi ennill eich tystysgrif: Arweinyddiaeth ddigidol i gynghorwyr"
    body = _body(message)
    assert body.startswith("Annwyl Cllr Ada Lovelace,")
    assert f"Cod y dystysgrif: {cert.display_code}" in body
    assert "You have" not in body and "Download" not in body


def test_the_pdf_is_rendered_and_stored_when_the_certificate_is_issued(jobs_app, learner, db_session):
    from leadership.certificates.stored_pdf import StoredPdf

    cert = issue(jobs_app, learner)
    [stored] = db_session.scalars(sa.select(StoredPdf)).all()
    assert (stored.certificate_id, stored.language) == (cert.id, "en")
    assert stored.body.startswith(b"%PDF-")


def test_no_email_for_an_erased_account_or_a_revoked_certificate(queued_app, learner, make_user, instance_path,
                                                                 db_session):
    """The job runs after the certificate was issued: by then the facts may have changed."""
    from leadership.auth.models import User
    from leadership.certificates.models import Certificate
    from leadership.db import utcnow
    from leadership.privacy.service import erase_account

    other = make_user(name="Cllr Grace Hopper")
    kept = make_user(name="Cllr Mary Somerville")
    erased_cert, revoked_cert, kept_cert = issue(queued_app, learner), issue(queued_app, other), issue(queued_app, kept)
    erase_account(db_session, db_session.get(User, learner.id))
    db_session.execute(sa.update(Certificate).where(Certificate.id == revoked_cert.id)
                       .values(revoked_at=utcnow(), revoked_reason="issued in error"))
    # An account deactivated (deleted_at set) while its certificate still stands.
    db_session.execute(sa.update(User).where(User.id == kept.id).values(deleted_at=utcnow()))
    db_session.commit()
    result = queued_app.test_cli_runner().invoke(args=["jobs", "run-due", "--drain", "--only", "mail-send"])
    assert result.exit_code == 0, result.output
    assert "3 queued task(s) run." in result.output
    assert outbox_messages(instance_path) == [] and _send_log(db_session) == []
    assert {erased_cert.id, revoked_cert.id, kept_cert.id}  # all three were issued and enqueued


def test_no_email_when_a_newer_certificate_for_the_course_exists(queued_app, learner, instance_path, db_session):
    from leadership.certificates.models import Certificate

    first = issue(queued_app, learner)
    db_session.add(Certificate(code="NEWERCERTCODE23", user_id=learner.id, course_slug=first.course_slug, cycle=2,
                               course_title=first.course_title, content_version="v2", holder_name=first.holder_name,
                               council_id=first.council_id, language="en"))
    db_session.commit()
    from leadership.notify.certificates import send_earned

    with queued_app.test_request_context():
        from leadership.jobs.runner import Context

        jobs = queued_app.extensions["jobs"]
        ctx = Context(app=queued_app, session=db_session, now=first.issued_at, enqueue=jobs.enqueue_quietly)
        assert send_earned(db_session, first.id, links=ctx.links, now=first.issued_at) is False
    assert _send_log(db_session) == [] and outbox_messages(instance_path) == []


def test_a_lost_job_is_made_good_by_the_sweep_but_old_certificates_are_left_alone(
        queued_app, learner, make_user, instance_path, db_session):
    """Nothing consumed the queue (worker down): the periodic sweep sends the email and stores
    the PDF; a certificate issued before the sweep's window (e.g. before this feature existed)
    gets no surprise email."""
    from datetime import timedelta

    from leadership.certificates.stored_pdf import StoredPdf
    from leadership.db import utcnow

    now = utcnow().replace(second=0, microsecond=0)
    old = make_user(name="Cllr Old Hand")
    issue(queued_app, old, issued_at=now - timedelta(days=30))
    cert = issue(queued_app, learner, issued_at=now - timedelta(hours=2))
    sweep_minute = now.replace(minute=(now.minute // 10) * 10)
    result = run_due(queued_app, sweep_minute)
    assert result.exit_code == 0, result.output
    assert "certificate-sweep: ok rendered=1 queued=1" in result.output
    assert "mail-send: ok sent=1" in result.output
    [message] = outbox_messages(instance_path)
    assert message["To"] == learner.email
    assert [s.certificate_id for s in db_session.scalars(sa.select(StoredPdf))] == [cert.id]
    assert "rendered=0 queued=0" in run_due(queued_app, sweep_minute).output  # twice: nothing more
    assert len(outbox_messages(instance_path)) == 1


def test_the_data_export_lists_the_emails_sent_and_stopped(jobs_app, learner, db_session):
    import json

    from leadership.notify.optout import opt_out
    from support import Client

    cert = issue(jobs_app, learner)
    opt_out(db_session, f"user:{learner.id}", "refresher-reminder")
    client = Client(jobs_app.test_client())
    client.sign_in(learner.email)
    data = json.loads(client.get("/account/data").data)
    [email] = data["emails"]
    assert (email["kind"], email["about"], email["step"]) == ("certificate-earned", f"certificate:{cert.id}", "1")
    assert email["sent_at"] is not None and email["bounced_at"] is None
    assert data["emails_stopped"] == ["refresher-reminder"]
