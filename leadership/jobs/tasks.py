"""The service's background jobs: thin adapters from a job :class:`Context` to domain functions.

Add a job here (or register one from a feature's ``init_app`` with
``app.extensions["jobs"].register(Job(...))``); see docs/architecture.md.
"""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from .. import mail
from .runner import Context, Job, Jobs


def mail_send(ctx: Context) -> dict[str, int]:
    """Send queued mail, oldest first, until nothing more is due; copy outcomes to the send log."""
    totals = {"sent": 0, "failed": 0, "dropped": 0, "bounced": 0}
    while True:
        counts = mail.retry_queued(ctx.session, ctx.config, now=ctx.now, limit=100)
        for key, value in counts.items():
            totals[key] += value
        if counts["sent"] + counts["dropped"] + counts["bounced"] == 0 or counts["failed"]:
            break
    from ..notify.sendlog import sync_outcomes

    sync_outcomes(ctx.session)
    return totals


def mail_status(ctx: Context) -> dict[str, int]:
    """GOV.UK Notify only: record permanent failures Notify reports after accepting a message."""
    counts = mail.check_notify_statuses(ctx.session, ctx.config, now=ctx.now)
    if counts["bounced"]:
        from ..notify.sendlog import sync_outcomes

        sync_outcomes(ctx.session)
    return counts


def _print_data(cert, language):
    # print_data builds what a PDF prints (it moves from the view module to a service in issue 13).
    from ..certificates.views import print_data

    return print_data(cert, language)


def _prerender(ctx: Context, cert) -> bool:
    from ..certificates import stored_pdf

    return stored_pdf.render_and_store(ctx.session, cert.id, _print_data(cert, cert.language or "en"), now=ctx.now)


def certificate_issued(ctx: Context, certificate_id: int) -> dict[str, int]:
    """Enqueued when a certificate is issued: render and store its PDF, queue the "earned" email."""
    from ..certificates.models import Certificate
    from ..notify import certificates as notices

    cert = ctx.session.get(Certificate, certificate_id)
    if cert is None:
        return {"rendered": 0, "queued": 0}
    rendered = _prerender(ctx, cert)
    queued = notices.send_earned(ctx.session, certificate_id, links=ctx.links, now=ctx.now)
    if queued:
        ctx.enqueue("mail-send")
    return {"rendered": int(rendered), "queued": int(queued)}


def certificate_sweep(ctx: Context) -> dict[str, int]:
    """Catch-up for certificate-issued jobs that were lost or failed (a worker killed, the queue
    down when the certificate was issued): PDFs not stored yet and "earned" emails not sent,
    for certificates issued in the last CERTIFICATE_EMAIL_WINDOW_DAYS."""
    from ..certificates.models import Certificate
    from ..certificates.stored_pdf import StoredPdf
    from ..notify import certificates as notices

    window = int(ctx.config["CERTIFICATE_EMAIL_WINDOW_DAYS"])
    unrendered = ctx.session.scalars(
        sa.select(Certificate).where(
            Certificate.issued_at >= ctx.now - timedelta(days=window), Certificate.issued_at <= ctx.now,
            Certificate.revoked_at.is_(None), Certificate.withdrawn_at.is_(None),
            ~sa.exists().where(StoredPdf.certificate_id == Certificate.id,
                               StoredPdf.language == sa.func.coalesce(Certificate.language, "en")))
        .order_by(Certificate.id).limit(200)).all()
    rendered = sum(_prerender(ctx, cert) for cert in unrendered)
    queued = notices.send_missing_earned(ctx.session, links=ctx.links, now=ctx.now, window_days=window)
    if queued:
        ctx.enqueue("mail-send")
    return {"rendered": rendered, "queued": queued}


def refresher_reminders(ctx: Context) -> dict[str, int]:
    """Reminders REFRESHER_REMINDER_DAYS before a certificate expires."""
    from ..notify import certificates as notices

    queued = notices.send_refresher_reminders(ctx.session, links=ctx.links, now=ctx.now,
                                              days=tuple(ctx.config["REFRESHER_REMINDER_DAYS"]))
    if queued:
        ctx.enqueue("mail-send")
    return {"queued": queued}


def retention(ctx: Context) -> dict[str, int]:
    """The retention rule: erase learners inactive for RETENTION_INACTIVE_DAYS (as `privacy apply-retention`)."""
    from ..privacy.service import apply_retention

    return {"erased": len(apply_retention(ctx.session, int(ctx.config["RETENTION_INACTIVE_DAYS"]), now=ctx.now))}


def housekeeping(ctx: Context) -> dict[str, int]:
    """Forget what no longer needs keeping: sent mail after MAIL_KEEP_DAYS, job runs after 14 days."""
    from .models import JobRun

    purged = mail.purge_old(ctx.session, now=ctx.now, keep_days=int(ctx.config["MAIL_KEEP_DAYS"]))
    runs = ctx.session.execute(sa.delete(JobRun).where(JobRun.finished_at < ctx.now - timedelta(days=14)))
    ctx.session.commit()
    return {"mail_records": purged, "job_runs": runs.rowcount or 0}


BUILTIN = (
    Job("certificate-issued", certificate_issued, retries=3, retry_delay=30,
        help="render the PDF and queue the 'earned' email of one new certificate"),
    Job("certificate-sweep", certificate_sweep, "JOBS_SCHEDULE_CERTIFICATES", order=20,
        help="PDFs and 'earned' emails that a lost certificate-issued job left undone"),
    Job("refresher-reminders", refresher_reminders, "JOBS_SCHEDULE_REFRESHERS", order=30,
        help="reminders before certificates expire"),
    Job("retention", retention, "JOBS_SCHEDULE_RETENTION", order=60,
        help="erase learners inactive for RETENTION_INACTIVE_DAYS"),
    Job("housekeeping", housekeeping, "JOBS_SCHEDULE_HOUSEKEEPING", order=70,
        help="delete old mail records and job runs"),
    Job("mail-status", mail_status, "JOBS_SCHEDULE_MAIL_STATUS", order=80,
        help="GOV.UK Notify delivery statuses (permanent failures become bounces)"),
    Job("mail-send", mail_send, "JOBS_SCHEDULE_MAIL", order=90,
        help="send queued mail, oldest first, with back-off"),
)


def register_builtin(jobs: Jobs) -> None:
    for job in BUILTIN:
        jobs.register(job)
