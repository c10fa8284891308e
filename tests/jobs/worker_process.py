"""A real job worker for the multi-process tests (run as a subprocess).

Configuration comes as JSON in LEADERSHIP_TEST_CONFIG. Two optional hooks, by environment:

* LEADERSHIP_TEST_BARRIER=<folder>: before running a refresher-reminders task, write
  <folder>/<pid> and wait (at most a minute) until two workers have, so both sweeps start
  at the same moment.
* LEADERSHIP_TEST_KILL_MARKER=<file>: inside a refresher-reminders task, after its first
  commit (one reminder's send-log row and queued message), write <file> and hang, for
  the test to SIGKILL this process mid-task.
"""
import json
import os
import threading
import time
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session

from leadership import create_app

app = create_app(json.loads(os.environ["LEADERSHIP_TEST_CONFIG"]))
jobs = app.extensions["jobs"]
in_sweep = threading.local()


@jobs.huey.pre_execute()
def _before(task):
    in_sweep.active = type(task).__name__ == "refresher-reminders"
    barrier = os.environ.get("LEADERSHIP_TEST_BARRIER")
    if in_sweep.active and barrier:
        folder = Path(barrier)
        (folder / str(os.getpid())).write_text("ready")
        deadline = time.monotonic() + 60
        while len(list(folder.iterdir())) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)


@jobs.huey.post_execute()
def _after(task, value, exc):
    in_sweep.active = False


marker = os.environ.get("LEADERSHIP_TEST_KILL_MARKER")
if marker:
    @event.listens_for(Session, "after_commit")
    def _hang_after_first_reminder(session):
        if getattr(in_sweep, "active", False):
            Path(marker).write_text("one reminder committed")
            time.sleep(120)

print("ready", flush=True)
jobs.worker(workers=1, periodic=False)
