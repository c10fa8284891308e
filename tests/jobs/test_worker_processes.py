"""Real worker processes: the demo's worker delivering a certificate email, two workers running
the same sweep at the same moment, and a worker SIGKILLed mid-task."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from jobhelp import REDIS_URL, issue, need_redis, run_due
from support import outbox_messages

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
EXPIRES = datetime(2028, 1, 12, 10, 0)
SWEEP_AT = datetime(2027, 12, 29, 8, 0)  # 14 days before: the refresher run's minute (08:00)


def _wait_for(predicate, what: str, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"gave up waiting for {what}")


@pytest.fixture(params=["sqlite", "redis"])
def storage(request, queue_config):
    """The queue on the SQLite file (the default) or on Redis; removed afterwards."""
    config = dict(queue_config)
    if request.param == "redis":
        need_redis()
        config["JOBS_REDIS_URL"] = REDIS_URL
    yield config
    if request.param == "redis":
        import redis

        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(f"*{config['JOBS_NAME']}*"):
            client.delete(key)
        client.close()


def _config(database_url, instance_path, storage) -> dict:
    return {"DATABASE_URL": database_url, "SECRET_KEY": "test-secret-key-not-for-production",
            "MAIL_OUTBOX_DIR": str(instance_path / "outbox"), "PUBLIC_BASE_URL": "http://localhost",
            "MAIL_SMTP_HOST": "", "NOTIFY_API_KEY": "", **storage}


class Workers:
    def __init__(self):
        self.procs: list[subprocess.Popen] = []
        self.logs = []

    def start(self, config: dict, **env) -> subprocess.Popen:
        log = open(config["MAIL_OUTBOX_DIR"] + f"-worker-{len(self.procs)}.log", "w+")
        self.logs.append(log)
        proc = subprocess.Popen(
            [sys.executable, str(HERE / "worker_process.py")], cwd=ROOT, stdout=subprocess.PIPE, stderr=log,
            env={**os.environ, "PYTHONPATH": f"{ROOT}:{ROOT / 'tests'}", "LEADERSHIP_TEST_CONFIG": json.dumps(config),
                 **env}, text=True)
        assert proc.stdout.readline().strip() == "ready", log.seek(0) or log.read()
        self.procs.append(proc)
        return proc

    def stop(self):
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)  # Huey: finish the running task, then exit
        for proc in self.procs:
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            proc.stdout.close()
        for log in self.logs:
            log.seek(0)
            print(f"--- {log.name}:\n{log.read()[-4000:]}")  # shown when a test fails
            log.close()
        self.procs, self.logs = [], []


@pytest.fixture
def workers():
    running = Workers()
    yield running
    running.stop()


def _holders(make_app, make_user, n: int, tmp_path):
    """``n`` certificate holders, their certificates issued through an app with a queue of its
    own (so the workers under test see only the tasks each test gives them)."""
    setup = make_app(JOBS_NAME=f"setup-{tmp_path.name}", JOBS_SQLITE_PATH=str(tmp_path / "setup-queue.sqlite3"))
    people = [make_user(name=f"Cllr Member {i:02d}", email=f"member{i:02d}@example.org") for i in range(n)]
    for person in people:
        cert = issue(setup, person, issued_at=datetime(2027, 1, 12, 10, 0), months=12)
        assert cert.expires_at == EXPIRES
    return people


def _runs(db_session, task: str):
    from leadership.jobs.models import JobRun

    db_session.rollback()  # a fresh snapshot: SQLite shows a transaction only what was there when it began
    return db_session.scalars(sa.select(JobRun).where(JobRun.task == task).order_by(JobRun.id)).all()


def _reminder_log(db_session):
    from leadership.notify.models import SendLog

    db_session.rollback()  # a fresh snapshot: SQLite shows a transaction only what was there when it began
    return db_session.execute(sa.select(SendLog.recipient, SendLog.step)
                              .where(SendLog.kind == "refresher-reminder")).all()


def test_two_workers_running_the_same_sweep_at_once_send_one_email_per_person(
        make_app, database_url, instance_path, storage, workers, make_user, db_session, tmp_path):
    people = _holders(make_app, make_user, 24, tmp_path)
    app = make_app(**storage)
    barrier = tmp_path / "barrier"
    barrier.mkdir()
    config = _config(database_url, instance_path, storage)
    first = workers.start(config, LEADERSHIP_TEST_BARRIER=str(barrier))
    second = workers.start(config, LEADERSHIP_TEST_BARRIER=str(barrier))
    jobs = app.extensions["jobs"]
    jobs.enqueue("refresher-reminders", now=SWEEP_AT.isoformat())
    jobs.enqueue("refresher-reminders", now=SWEEP_AT.isoformat())
    _wait_for(lambda: len(_runs(db_session, "refresher-reminders")) == 2, "both sweeps to finish")
    assert sorted(int(p.name) for p in barrier.iterdir()) == sorted((first.pid, second.pid))  # both ran, together
    runs = _runs(db_session, "refresher-reminders")
    assert all(run.ok for run in runs), [run.error for run in runs]
    queued = [int(run.result.removeprefix("queued=")) for run in runs]
    print("reminders queued by each worker:", queued)
    assert sum(queued) == 24  # split between the two in some way; never more
    _wait_for(lambda: len(outbox_messages(instance_path)) >= 24 and not _unsent(db_session), "the mail to go out")
    workers.stop()
    assert sorted(m["To"] for m in outbox_messages(instance_path)) == sorted(p.email for p in people)
    assert sorted(_reminder_log(db_session)) == sorted((f"user:{p.id}", "14d") for p in people)


def _unsent(db_session):
    from leadership.mail import OutboxMessage

    db_session.rollback()  # a fresh snapshot: SQLite shows a transaction only what was there when it began
    return db_session.scalars(sa.select(OutboxMessage).where(OutboxMessage.sent_at.is_(None))).all()


def test_a_worker_killed_mid_sweep_is_made_good_by_the_next_run_without_a_duplicate(
        make_app, database_url, instance_path, storage, workers, make_user, db_session, tmp_path):
    people = _holders(make_app, make_user, 5, tmp_path)
    app = make_app(**storage)
    marker = tmp_path / "killed-here"
    victim = workers.start(_config(database_url, instance_path, storage), LEADERSHIP_TEST_KILL_MARKER=str(marker))
    app.extensions["jobs"].enqueue("refresher-reminders", now=SWEEP_AT.isoformat())
    _wait_for(marker.exists, "the worker to commit the first reminder")
    victim.send_signal(signal.SIGKILL)
    assert victim.wait(timeout=30) == -signal.SIGKILL
    assert len(_reminder_log(db_session)) == 1  # one reminder decided, its message queued with it
    assert len(_unsent(db_session)) == 1
    assert _runs(db_session, "refresher-reminders") == []  # the task never finished

    # Huey does not hand a task back after its worker died: the schedule runs the sweep again.
    result = run_due(app, SWEEP_AT)
    assert result.exit_code == 0, result.output
    assert "refresher-reminders: ok queued=4" in result.output and "mail-send: ok sent=5" in result.output
    assert sorted(m["To"] for m in outbox_messages(instance_path)) == sorted(p.email for p in people)
    assert sorted(_reminder_log(db_session)) == sorted((f"user:{p.id}", "14d") for p in people)


def test_the_demo_worker_delivers_the_certificate_email_when_a_learner_completes_the_course(
        make_app, database_url, instance_path, queue_config, db_session, make_user):
    """What `bash scripts/run.sh` starts: `flask --app leadership jobs worker` beside the server."""
    from leadership.catalogue import catalogue_service
    from leadership.extensions import db
    from leadership.learning.models import PageView
    from leadership.quizzes.completion import update_completion
    from leadership.quizzes.models import QuizAttempt

    app = make_app(**queue_config)
    env = {**os.environ, "FLASK_APP": "leadership", "LEADERSHIP_INSTANCE_PATH": str(instance_path),
           **{k: str(v) for k, v in _config(database_url, instance_path, queue_config).items()}}
    worker = subprocess.Popen([str(Path(sys.executable).parent / "flask"), "jobs", "worker", "--workers", "1"],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        learner = make_user(name="Cllr New Member", email="new.member@example.org")
        with app.app_context():
            course = catalogue_service.get().course("digital-leadership")
            for module in course.modules:  # every page read, every quiz passed
                for page in module.pages:
                    db.session.add(PageView(user_id=learner.id, course_slug=course.slug, module_slug=module.slug,
                                            page_number=page.number, content_version=module.version))
                if module.has_quiz:
                    db.session.add(QuizAttempt(user_id=learner.id, course_slug=course.slug, module_slug=module.slug,
                                               content_version=module.version, paper=[], token=f"t-{module.slug}",
                                               submitted_at=datetime(2027, 1, 1), score=100, passed=True))
            db.session.commit()
            _completed, complete = update_completion(db.session, learner.id, course)
            db.session.remove()
        assert complete
        _wait_for(lambda: outbox_messages(instance_path), "the certificate email in the outbox")
        [message] = outbox_messages(instance_path)
        assert message["To"] == "new.member@example.org"
        assert message["Subject"] == "You have earned your certificate: Digital leadership for councillors"
        from leadership.certificates.stored_pdf import StoredPdf

        _wait_for(lambda: db_session.scalars(sa.select(StoredPdf)).all(), "the stored PDF")
    finally:
        worker.send_signal(signal.SIGINT)
        output = worker.communicate(timeout=60)[0]
    assert "Jobs worker: 1 thread(s), queue sqlite" in output
