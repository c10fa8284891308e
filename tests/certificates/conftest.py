"""Certificate fixtures: the app served over real HTTP (for the independent verifiers)."""
from __future__ import annotations

import threading

import pytest


class _Dispatch:
    """The server is bound before the app exists (the app's PUBLIC_BASE_URL needs the port)."""

    app = None

    def __call__(self, environ, start_response):
        return self.app(environ, start_response)


@pytest.fixture(scope="session")
def live(make_app):
    """(app, base, origin): the app at PUBLIC_BASE_URL http://localhost:<port> (so its issuer is
    did:web:localhost%3A<port>), listening on 127.0.0.1:<port>."""
    from werkzeug.serving import make_server

    dispatch = _Dispatch()
    srv = make_server("127.0.0.1", 0, dispatch, threaded=True)
    base, origin = f"http://localhost:{srv.server_port}", f"http://127.0.0.1:{srv.server_port}"
    dispatch.app = make_app(PUBLIC_BASE_URL=base)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield dispatch.app, base, origin
    srv.shutdown()
    thread.join(5)
    srv.server_close()
