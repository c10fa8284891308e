"""``flask jobs``: the worker, run-due (cron, tests, CI), status (monitoring)."""
from __future__ import annotations

import json
import sys
from datetime import datetime, timedelta, timezone

import click
from flask import current_app
from flask.cli import AppGroup

jobs_cli = AppGroup("jobs", help="Background jobs: the worker, periodic tasks, status.")


def _jobs():
    return current_app.extensions["jobs"]


def _parse_now(value: str | None) -> datetime:
    if not value:
        return datetime.now(timezone.utc).replace(tzinfo=None)
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO 8601 date and time, e.g. 2027-03-01T07:00:00Z",
                                 param_hint="--now") from None
    if when.tzinfo is not None:
        when = when.astimezone(timezone.utc).replace(tzinfo=None)
    return when


@jobs_cli.command("worker")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Worker threads (default JOBS_WORKERS, 2).")
@click.option("--periodic/--no-periodic", default=True, show_default=True,
              help="Also run the periodic schedule (turn it off on all workers but one, or leave it on: "
                   "every job is safe to run twice).")
def worker(workers, periodic):
    """Run the job consumer until stopped (SIGINT: finish running tasks; SIGTERM: stop now)."""
    jobs = _jobs()
    workers = workers or int(current_app.config["JOBS_WORKERS"])
    click.echo(f"Jobs worker: {workers} thread(s), queue {jobs.storage_label()}, "
               f"periodic tasks {'on' if periodic else 'off'}.")
    jobs.worker(workers=workers, periodic=periodic)


@jobs_cli.command("run-due")
@click.option("--now", "now_text", default=None, metavar="ISO-8601",
              help="Run as if it were this moment (UTC unless it has an offset), e.g. 2027-03-01T07:00Z.")
@click.option("--only", multiple=True, help="Run only this job if it is due (repeatable).")
@click.option("--drain", is_flag=True, help="Also run tasks waiting in the queue (a host with cron and no worker).")
def run_due(now_text, only, drain):
    """Run every periodic job due at this minute once, then exit (exit 1 if one failed)."""
    jobs = _jobs()
    now = _parse_now(now_text)
    unknown = [name for name in only if name not in jobs.jobs]
    if unknown:
        raise click.BadParameter(f"no job named {unknown[0]!r}; jobs: {', '.join(sorted(jobs.jobs))}",
                                 param_hint="--only")
    outcomes = jobs.run_due(now, only=set(only) or None)
    if drain:
        drained = jobs.drain()
        click.echo(f"{drained} queued task(s) run.")
    for name, ok, detail in outcomes:
        click.echo(f"{name}: {'ok' if ok else 'FAILED'}{' ' + detail if detail else ''}")
    if not outcomes:
        click.echo(f"No periodic job is due at {now.isoformat(timespec='minutes')}Z.")
    if any(not ok for _name, ok, _detail in outcomes):
        sys.exit(1)


@jobs_cli.command("run")
@click.argument("name")
@click.option("--now", "now_text", default=None, metavar="ISO-8601", help="Run as if it were this moment.")
def run(name, now_text):
    """Run one periodic job now, whatever its schedule (e.g. `jobs run refresher-reminders`)."""
    jobs = _jobs()
    if name not in jobs.jobs or not jobs.jobs[name].schedule_setting:
        periodic = ", ".join(j.name for j in jobs.periodic())
        raise click.BadParameter(f"no periodic job named {name!r}; periodic jobs: {periodic}", param_hint="NAME")
    now = _parse_now(now_text)
    try:
        value = jobs.execute(name, now=now)
    except Exception as exc:
        click.echo(f"{name}: FAILED {type(exc).__name__}: {exc}")
        sys.exit(1)
    from .runner import _summary

    click.echo(f"{name}: ok {_summary(value)}".rstrip())


def status_figures(now: datetime) -> dict:
    import sqlalchemy as sa
    from sqlalchemy.orm import Session

    from ..notify.bounces import mail_figures
    from .models import JobRun

    jobs = _jobs()
    engine = current_app.extensions["database"].engine
    with Session(engine) as session:
        since = now - timedelta(hours=24)
        tasks = {}
        for job in sorted(jobs.jobs.values(), key=lambda j: (j.order, j.name)):
            last_ok = session.scalar(sa.select(sa.func.max(JobRun.finished_at))
                                     .where(JobRun.task == job.name, JobRun.ok.is_(True)))
            failures = session.scalar(sa.select(sa.func.count(JobRun.id)).where(
                JobRun.task == job.name, JobRun.ok.is_(False), JobRun.finished_at >= since)) or 0
            last_error = session.scalar(sa.select(JobRun.error).where(JobRun.task == job.name, JobRun.ok.is_(False))
                                        .order_by(JobRun.finished_at.desc()).limit(1))
            tasks[job.name] = {
                "schedule": current_app.config[job.schedule_setting] if job.schedule_setting else "on demand",
                "last_ok": last_ok.isoformat(timespec="seconds") + "Z" if last_ok else None,
                "failures_24h": failures, "last_error": last_error or ""}
        mail = mail_figures(session, now=now)
    try:
        queue = jobs.queue_figures()
    except Exception as exc:  # the queue storage being unreachable is itself the figure to report
        queue = {"error": f"{type(exc).__name__}: {exc}"}
    return {"at": now.isoformat(timespec="seconds") + "Z", "queue_storage": jobs.storage_label(),
            "queue": queue, "tasks": tasks, "mail": mail}


@jobs_cli.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON (for monitoring).")
def status(as_json):
    """Queue length, failed tasks, mail waiting and bounce rate."""
    figures = status_figures(_parse_now(None))
    if as_json:
        click.echo(json.dumps(figures, indent=2))
        return
    queue, mail = figures["queue"], figures["mail"]
    click.echo(f"Queue: {figures['queue_storage']}")
    if "error" in queue:
        click.echo(f"  UNREACHABLE: {queue['error']}")
    else:
        click.echo(f"  {queue['waiting']} task(s) waiting, {queue['scheduled']} scheduled for later")
    click.echo("Tasks (last successful run, failures in the last 24 hours):")
    for name, task in figures["tasks"].items():
        click.echo(f"  {name:<22} {task['schedule']:<14} last ok {task['last_ok'] or 'never':<21} "
                   f"failures {task['failures_24h']}" + (f"  last error: {task['last_error'][:120]}"
                                                        if task["failures_24h"] else ""))
    oldest = mail["oldest_waiting_minutes"]
    click.echo(f"Mail: {mail['waiting']} waiting"
               + (f" (oldest {oldest} min, {mail['held_by_outage']} held by a server outage)" if mail["waiting"] else ""))
    click.echo(f"  last 7 days: {mail['sent']} sent, {mail['bounced']} bounced, {mail['dropped']} dropped; "
               f"bounce rate {mail['bounce_rate'] * 100:.1f}%")
