"""The job runner: one Huey instance per app, tasks that are plain functions run in an app context.

Storage: a SQLite file (``JOBS_SQLITE_PATH``, in ``instance/`` by default: nothing extra to
install) or Redis when ``JOBS_REDIS_URL`` (or ``REDIS_URL``) is set, so workers on several
machines share one queue. ``JOBS_IMMEDIATE`` runs each task in-process as it is enqueued
(debugging and tests).

A :class:`Job` is a name, a function ``func(ctx, **kwargs)`` and, for periodic jobs, the
setting that holds its cron schedule. The function receives a :class:`Context`: a fresh
SQLAlchemy session of its own, the app's config, the moment it runs for (``now``: the
clock, or ``--now`` of ``jobs run-due``), public links for emails, and ``enqueue`` for
follow-up work. It runs inside an app context with a request context bound to
``PUBLIC_BASE_URL``, so templates, translations and ``url_for(..., _external=True)`` work.

Huey takes a task off the queue when a worker starts it; a worker killed mid-task loses
that copy. Every job here is therefore safe to run again and has a periodic sweep that
does any work a lost task left undone; the send log makes the re-run harmless.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable

from sqlalchemy.orm import Session

from ..db import utcnow
from . import schedule

log = logging.getLogger(__name__)
_BUILD_LOCK = threading.Lock()


@dataclass(frozen=True)
class Job:
    name: str
    func: Callable[..., Any]
    schedule_setting: str | None = None  # config key holding a cron expression; None: on demand only
    retries: int = 0  # on-demand jobs: Huey retries a failure this many times...
    retry_delay: int = 60  # ...this many seconds apart (doubling)
    order: int = 50  # run-due runs due jobs in this order (mail-send last, so it sends what others queued)
    help: str = ""


@dataclass
class Context:
    app: Any
    session: Session
    now: datetime
    enqueue: Callable[..., None]

    @property
    def config(self):
        return self.app.config

    @property
    def links(self):
        from flask import url_for

        from ..notify.messages import Links

        return Links(build=lambda endpoint, **values: url_for(endpoint, _external=True, **values),
                     secret=self.app.config["SECRET_KEY"])


def _summary(value) -> str:
    if isinstance(value, dict):
        return " ".join(f"{k}={v}" for k, v in value.items())[:300]
    return "" if value is None else str(value)[:300]


def public_base_url(config) -> str:
    return (config.get("PUBLIC_BASE_URL") or "http://localhost:5000").rstrip("/")


@dataclass
class Jobs:
    """The app's jobs and its Huey instance (``app.extensions["jobs"]``)."""

    app: Any
    jobs: dict[str, Job] = field(default_factory=dict)
    _huey: Any = None
    _wrappers: dict[str, Any] = field(default_factory=dict)

    # Registration ---------------------------------------------------------------------------

    def register(self, job: Job) -> Job:
        if self._huey is not None:
            raise RuntimeError(f"register job {job.name!r} in init_app, before the queue is used")
        if job.name in self.jobs:
            raise ValueError(f"a job named {job.name!r} is already registered")
        if job.schedule_setting:
            schedule.parse(self.app.config[job.schedule_setting], setting=job.schedule_setting)
        self.jobs[job.name] = job
        return job

    def periodic(self) -> list[Job]:
        return sorted((j for j in self.jobs.values() if j.schedule_setting), key=lambda j: (j.order, j.name))

    # The queue ------------------------------------------------------------------------------

    @property
    def huey(self):
        if self._huey is None:
            with _BUILD_LOCK:  # two request threads enqueueing at once build one instance
                if self._huey is None:
                    self._huey = self._build()
        return self._huey

    def storage_label(self) -> str:
        config = self.app.config
        if config.get("JOBS_IMMEDIATE"):
            return "immediate (in-process)"
        url = config.get("JOBS_REDIS_URL") or config.get("REDIS_URL")
        if url:
            return f"redis ({url.rsplit('@', 1)[-1]}, queue {config['JOBS_NAME']!r})"
        return f"sqlite ({config['JOBS_SQLITE_PATH']}, queue {config['JOBS_NAME']!r})"

    def _build(self):
        from huey import MemoryHuey, RedisHuey, SqliteHuey

        config = self.app.config
        name = config["JOBS_NAME"]
        url = config.get("JOBS_REDIS_URL") or config.get("REDIS_URL")
        if config.get("JOBS_IMMEDIATE"):
            huey = MemoryHuey(name, immediate=True, results=False)
        elif url:
            huey = RedisHuey(name, url=url, results=False)
        else:
            from pathlib import Path

            Path(config["JOBS_SQLITE_PATH"]).parent.mkdir(parents=True, exist_ok=True)
            huey = SqliteHuey(name, filename=config["JOBS_SQLITE_PATH"], results=False)
        for job in self.jobs.values():
            def task(now: str | None = None, _job=job, **kwargs):
                at = datetime.fromisoformat(now) if now else None
                return self.execute(_job, now=at, **kwargs)

            task.__name__ = job.name.replace("-", "_")
            if job.schedule_setting:
                validate = schedule.parse(config[job.schedule_setting], setting=job.schedule_setting)
                self._wrappers[job.name] = huey.periodic_task(validate, name=job.name)(task)
            else:
                self._wrappers[job.name] = huey.task(name=job.name, retries=job.retries,
                                                     retry_delay=job.retry_delay, retry_backoff=2)(task)
        return huey

    def enqueue(self, name: str, **kwargs) -> None:
        """Put a job on the queue for a worker (or run it now, in immediate mode)."""
        if name not in self.jobs:
            raise KeyError(f"no job named {name!r}")
        self.huey  # noqa: B018 - builds the wrappers
        self._wrappers[name](**kwargs)

    def enqueue_quietly(self, name: str, **kwargs) -> bool:
        """Enqueue, but never fail the caller (a web request): a periodic sweep does the work
        of a job that could not be queued (e.g. Redis down)."""
        try:
            self.enqueue(name, **kwargs)
            return True
        except Exception:
            log.exception("could not enqueue job %s; its periodic sweep will do the work", name)
            return False

    # Running --------------------------------------------------------------------------------

    def execute(self, job: Job | str, *, now: datetime | None = None,
                enqueue: Callable[..., None] | None = None, **kwargs):
        """Run one job here and now, inside the app, with a session of its own; record the run."""
        job = self.jobs[job] if isinstance(job, str) else job
        started = utcnow()
        at = now or started
        database = self.app.extensions["database"]
        if enqueue is None:
            # Follow-up work runs on the same clock (a job run for a fixed --now asks for its
            # mail to be sent "then", not on the wall clock).
            clock = {"now": at.isoformat()} if now is not None else {}

            def enqueue(name: str, **values) -> None:
                self.enqueue_quietly(name, **clock, **values)

        with self.app.test_request_context(base_url=public_base_url(self.app.config)):
            session = Session(bind=database.engine, expire_on_commit=False)
            try:
                value = job.func(Context(app=self.app, session=session, now=at, enqueue=enqueue), **kwargs)
            except Exception as exc:
                session.rollback()
                self._record(session, job.name, started, ok=False, error=f"{type(exc).__name__}: {exc}")
                raise
            else:
                self._record(session, job.name, started, ok=True, result=_summary(value))
                return value
            finally:
                session.close()

    @staticmethod
    def _record(session: Session, name: str, started: datetime, *, ok: bool, result: str = "",
                error: str = "") -> None:
        from .models import JobRun

        try:
            session.add(JobRun(task=name, started_at=started, finished_at=utcnow(), ok=ok, result=result,
                               error=error[:1000]))
            session.commit()
        except Exception:  # the database being down is what failed the job: say so in the log
            session.rollback()
            log.exception("could not record the run of job %s", name)

    def due(self, now: datetime) -> list[Job]:
        """Periodic jobs whose schedule matches the minute of ``now`` (UTC)."""
        return [job for job in self.periodic()
                if schedule.parse(self.app.config[job.schedule_setting], setting=job.schedule_setting)(now)]

    def run_due(self, now: datetime, *, only: set[str] | None = None) -> list[tuple[str, bool, str]]:
        """Run every periodic job due at ``now`` once, in order, then any follow-up they asked
        for that has not run yet. Returns (name, ok, result or error) per run; a failing job
        does not stop the others."""
        outcomes: list[tuple[str, bool, str]] = []
        last_run: dict[str, int] = {}  # job name -> index of its latest run in this invocation
        follow_ups: list[tuple[int, str, dict]] = []

        def later(name: str, **kwargs) -> None:
            follow_ups.append((len(outcomes), name, kwargs))

        def run(job: Job, **kwargs) -> None:
            try:
                value = self.execute(job, now=now, enqueue=later, **kwargs)
            except Exception as exc:
                log.exception("job %s failed", job.name)
                outcomes.append((job.name, False, f"{type(exc).__name__}: {exc}"))
            else:
                outcomes.append((job.name, True, _summary(value)))
            last_run[job.name] = len(outcomes)

        for job in self.due(now):
            if only is None or job.name in only:
                run(job)
        while follow_ups:
            asked_at, name, kwargs = follow_ups.pop(0)
            # A follow-up with arguments always runs; one without (e.g. mail-send) only if that
            # job has not run since it was asked for.
            if kwargs or last_run.get(name, -1) <= asked_at:
                run(self.jobs[name], **kwargs)
        return outcomes

    def drain(self, *, limit: int = 1000) -> int:
        """Run tasks waiting in the queue, here (for a host with cron and no worker). Returns how many."""
        count = 0
        huey = self.huey
        while count < limit:
            task = huey.dequeue()
            if task is None:
                break
            huey.execute(task)
            count += 1
        return count

    def worker(self, *, workers: int = 2, periodic: bool = True) -> None:
        """Run the Huey consumer (threads) until SIGINT (finish running tasks) or SIGTERM."""
        if self.app.config.get("JOBS_IMMEDIATE"):
            raise RuntimeError("JOBS_IMMEDIATE is set: tasks run in-process, there is nothing for a worker to do")
        logging.getLogger("fontTools").setLevel(logging.WARNING)  # PDF font subsetting logs every table
        consumer = self.huey.create_consumer(workers=workers, periodic=periodic, worker_type="thread",
                                             check_worker_health=True)
        consumer.run()

    def queue_figures(self) -> dict[str, int]:
        huey = self.huey
        return {"waiting": huey.pending_count(), "scheduled": huey.scheduled_count()}
