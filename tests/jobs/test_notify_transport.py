"""GOV.UK Notify: messages are sent through its API, and a permanent-failure status read back
later (GET /v2/notifications/{id}, field "status") becomes a bounce. Notify lies outside this
machine, so a small local HTTP server answers for it."""
from __future__ import annotations

import json
import threading
import uuid
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa

from jobhelp import issue, run_due

T0 = datetime(2027, 3, 1, 9, 0)
SERVICE_ID, SECRET = str(uuid.uuid4()), str(uuid.uuid4())


class FakeNotify(BaseHTTPRequestHandler):
    sent: list = []
    statuses: dict = {}
    refuse: set = set()

    def log_message(self, *args):  # quiet
        pass

    def _reply(self, status, payload):
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        assert self.headers["Authorization"].startswith("Bearer ")
        data = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if data["email_address"] in self.refuse:
            return self._reply(400, {"status_code": 400, "errors": [
                {"error": "ValidationError", "message": "email_address Not a valid email address"}]})
        notification_id = str(uuid.uuid4())
        self.sent.append((notification_id, data))
        self.statuses[notification_id] = "sending"
        self._reply(201, {"id": notification_id, "reference": data.get("reference")})

    def do_GET(self):
        notification_id = self.path.rsplit("/", 1)[-1]
        self._reply(200, {"id": notification_id, "status": self.statuses[notification_id]})


@pytest.fixture
def notify():
    FakeNotify.sent, FakeNotify.statuses, FakeNotify.refuse = [], {}, set()
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeNotify)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join()


def test_notify_permanent_failure_is_recorded_as_a_bounce(make_app, queue_config, notify, make_user, db_session):
    from leadership.mail import OutboxMessage
    from leadership.notify.bounces import bounced_users
    from leadership.notify.models import SendLog

    app = make_app(NOTIFY_API_KEY=f"test_key-{SERVICE_ID}-{SECRET}", NOTIFY_TEMPLATE_ID=str(uuid.uuid4()),
                   NOTIFY_BASE_URL=notify, **queue_config)
    ok, gone, typo = (make_user(name=f"Cllr {n}", email=f"{n}@example.org") for n in ("ok", "gone", "typo"))
    FakeNotify.refuse = {"typo@example.org"}
    for person in (ok, gone, typo):
        issue(app, person, issued_at=T0)
    result = run_due(app, T0)
    assert "mail-send: ok sent=2 failed=0 dropped=0 bounced=1" in result.output  # Notify refused one address
    assert [data["email_address"] for _id, data in FakeNotify.sent] == ["ok@example.org", "gone@example.org"]
    _id, first = FakeNotify.sent[0]
    assert first["personalisation"]["subject"].startswith("You have earned your certificate")
    assert first["reference"].startswith("outbox-")

    # Notify accepted "gone@" but later could not deliver it.
    gone_id = FakeNotify.sent[1][0]
    FakeNotify.statuses[FakeNotify.sent[0][0]] = "delivered"
    FakeNotify.statuses[gone_id] = "permanent-failure"
    result = run_due(app, T0 + timedelta(minutes=10))
    assert "mail-status: ok checked=2 bounced=1" in result.output
    db_session.expire_all()
    row = db_session.scalar(sa.select(OutboxMessage).where(OutboxMessage.provider_ref == gone_id))
    assert row.bounced_at == T0 + timedelta(minutes=10) and "permanent-failure" in row.last_error
    assert set(bounced_users(db_session)) == {gone.id, typo.id}
    log = {r.user_id: r for r in db_session.scalars(sa.select(SendLog))}
    assert log[gone.id].bounced_at is not None and "permanent-failure" in log[gone.id].failure
    assert log[ok.id].bounced_at is None and log[ok.id].sent_at == T0
    assert "checked=0" in run_due(app, T0 + timedelta(minutes=20)).output  # final statuses are not asked again
