"""A real HTTP worker for the kill-mid-request test (run as a subprocess).

Configuration comes as JSON in LEADERSHIP_TEST_CONFIG. When the request being
served is an account deletion, a ``before_commit`` hook writes a marker file and
sleeps: every row of the erasure has been written inside the open transaction,
none committed. The test then SIGKILLs this process.
"""
import json
import os
import sys
import time
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session

from leadership import create_app

config = json.loads(os.environ["LEADERSHIP_TEST_CONFIG"])
marker = Path(os.environ["LEADERSHIP_TEST_MARKER"])
app = create_app(config)


@event.listens_for(Session, "before_commit")
def _hang_in_the_middle(session):
    from flask import has_request_context, request

    if has_request_context() and request.path == "/account/delete" and request.method == "POST":
        marker.write_text("in transaction")
        time.sleep(120)


from werkzeug.serving import make_server  # noqa: E402

server = make_server("127.0.0.1", 0, app, threaded=True)
print(server.server_port, flush=True)
sys.stdout.flush()
server.serve_forever()
