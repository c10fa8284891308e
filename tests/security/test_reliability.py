"""Reliability: broken content, SMTP down, database restart, a worker killed mid-request."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup

from support import DEFAULT_PASSWORD, Client, outbox_messages

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent


def test_a_broken_module_file_does_not_take_the_others_down(make_app, learner, tmp_path):
    courses = tmp_path / "courses"
    shutil.copytree(ROOT / "courses" / "digital_leadership", courses / "digital_leadership")
    broken = courses / "digital_leadership" / "modules" / "02-leading-change.md"
    broken.write_text("---\nslug: [unclosed\ntitle: \x00\n---\n# nothing\n", encoding="utf-8")
    app = make_app(COURSES_DIR=str(courses))
    client = Client(app.test_client())
    client.sign_in(learner.email)
    assert client.get("/courses/digital-leadership/cyber-security/1").status_code == 200
    assert client.get("/courses/digital-leadership").status_code == 200
    assert client.get("/courses/digital-leadership/leading-change/1").status_code in (404, 200)


def test_mail_queued_while_smtp_is_down_is_sent_by_retry(make_app, app, learner, instance_path, db_session):
    from leadership.db import utcnow
    from leadership.mail import OutboxMessage

    down = make_app(MAIL_SMTP_HOST="127.0.0.1", MAIL_SMTP_PORT=9)
    Client(down.test_client()).post("/sign-in/email-link", {"email": learner.email})
    Client(down.test_client()).post("/forgot-password", {"email": learner.email})
    assert outbox_messages(instance_path) == []
    rows = db_session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert len(rows) == 2
    # The sign-in link has expired by the time the transport is back: it is dropped, not sent late.
    db_session.execute(sa.update(OutboxMessage).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
    db_session.execute(sa.update(OutboxMessage).where(OutboxMessage.id == rows[0].id)
                       .values(expires_at=utcnow() - timedelta(minutes=1)))
    db_session.commit()
    still_down = down.test_cli_runner().invoke(args=["mail", "retry"])
    assert still_down.output.strip() == "Mail: 0 sent, 1 still failing, 1 dropped."
    db_session.execute(sa.update(OutboxMessage).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
    db_session.commit()
    up = make_app()  # the outbox transport works
    result = up.test_cli_runner().invoke(args=["mail", "retry"])
    assert result.exit_code == 0 and result.output.strip() == "Mail: 1 sent, 0 still failing, 0 dropped."
    [sent] = outbox_messages(instance_path)
    assert sent["Subject"] == "Reset your Leadership Essentials password"
    db_session.expire_all()
    for row in db_session.scalars(sa.select(OutboxMessage)):
        assert row.body == ""  # nothing kept once sent or dropped
    app.test_cli_runner()  # the shared app is untouched


@pytest.fixture
def own_database(database_url):
    """A throw-away PostgreSQL database that the test can take down and bring back."""
    if not database_url.startswith("postgresql"):
        pytest.skip("the database-restart test needs PostgreSQL (TEST_DATABASE_URL)")
    name = f"restart_probe_{os.getpid()}"
    admin = sa.create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = database_url.rsplit("/", 1)[0] + "/" + name

    def set_available(available: bool):
        with admin.connect() as conn:
            conn.execute(sa.text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {"true" if available else "false"}'))
            if not available:
                conn.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                     "WHERE datname = :n AND pid <> pg_backend_pid()"), {"n": name})

    yield url, set_available
    with admin.connect() as conn:
        conn.execute(sa.text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_database_restart_health_goes_red_requests_fail_cleanly_and_recover(make_app, own_database):
    from leadership.extensions import db

    url, set_available = own_database
    saved = db.engine, db.session  # make_app rebinds the shared extension: restore it afterwards
    try:
        app = make_app(DATABASE_URL=url)
        app.config["PROPAGATE_EXCEPTIONS"] = False
        client = app.test_client()
        assert client.get("/healthz").get_json() == {"status": "ok"}
        set_available(False)  # the server goes away: connections killed, new ones refused
        down = client.get("/healthz")
        assert down.status_code == 503 and down.get_json()["status"] == "unavailable"
        page = client.get("/verify/ABCDE-FGHJK-MNPQR")
        assert page.status_code == 500 and b"govuk-template" in page.data
        set_available(True)  # the server is back: no app restart needed
        assert client.get("/healthz").get_json() == {"status": "ok"}
    finally:
        db.engine.dispose()
        db.engine, db.session = saved


def _sign_in_http(session, base, email):
    import requests  # noqa: F401  (session is a requests.Session)

    page = session.get(base + "/sign-in")
    token = BeautifulSoup(page.text, "html.parser").find("input", {"name": "csrf_token"})["value"]
    response = session.post(base + "/sign-in", data={"csrf_token": token, "email": email,
                                                     "password": DEFAULT_PASSWORD}, allow_redirects=False)
    assert response.status_code == 302


def test_worker_killed_mid_request_leaves_nothing_half_written(app, learner, database_url, instance_path,
                                                               tmp_path, db_session):
    """A real server process is SIGKILLed while an account erasure has written all its rows
    inside its transaction but not committed: the database must show none of them."""
    import requests

    from leadership.auth.models import User
    from leadership.certificates.models import Certificate
    from leadership.learning.models import PageView
    from leadership.catalogue import catalogue_service
    from leadership.certificates import service as certificates
    from leadership.extensions import db

    with app.app_context():
        db.session.add(PageView(user_id=learner.id, course_slug="digital-leadership", module_slug="cyber-security",
                                page_number=1, content_version="v1"))
        db.session.commit()
        cert = certificates.issue_certificate(db.session, learner.id,
                                              catalogue_service.get().course("digital-leadership"))
        cert_id = cert.id
        db.session.remove()

    marker = tmp_path / "marker"
    keys = ("TESTING", "DATABASE_URL", "SECRET_KEY", "WTF_CSRF_ENABLED", "RATELIMIT_ENABLED", "MAIL_OUTBOX_DIR",
            "PUBLIC_BASE_URL", "MAIL_SMTP_HOST", "NOTIFY_API_KEY", "COURSES_DIR")
    config = {key: app.config[key] for key in keys}
    env = {**os.environ, "LEADERSHIP_TEST_CONFIG": json.dumps(config),
           "LEADERSHIP_TEST_MARKER": str(marker), "LEADERSHIP_INSTANCE_PATH": str(instance_path),
           "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, str(HERE / "reliability_worker.py")], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        port = int(proc.stdout.readline())
        base = f"http://127.0.0.1:{port}"
        http = requests.Session()
        _sign_in_http(http, base, learner.email)
        page = http.get(base + "/account/delete")
        token = BeautifulSoup(page.text, "html.parser").find("input", {"name": "csrf_token"})["value"]

        def delete():
            try:
                http.post(base + "/account/delete", data={"csrf_token": token, "confirm": "y",
                                                          "password": DEFAULT_PASSWORD}, timeout=30)
            except requests.RequestException:
                pass  # the server died under us, as intended

        thread = threading.Thread(target=delete, daemon=True)
        thread.start()
        for _ in range(600):
            if marker.exists() or proc.poll() is not None:
                break
            time.sleep(0.05)
        assert marker.exists(), "the worker never reached the middle of the erasure"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        thread.join(10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        proc.stdout.close()

    db_session.expire_all()
    user = db_session.get(User, learner.id)
    assert user.email == learner.email and user.name == learner.name and user.deleted_at is None
    assert db_session.scalar(sa.select(sa.func.count()).select_from(PageView)) == 1
    cert = db_session.get(Certificate, cert_id)
    assert cert.withdrawn_at is None and cert.holder_name == learner.name
    # And the database is healthy: the same erasure now completes.
    client = Client(app.test_client())
    client.sign_in(learner.email)
    assert client.post("/account/delete", {"confirm": "y", "password": DEFAULT_PASSWORD}).status_code == 302
