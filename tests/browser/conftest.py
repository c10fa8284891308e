"""Real-browser fixtures: the app served over HTTP from a thread, Debian's Chromium
driven by Playwright, and axe-core. Helpers live in browserkit.py.

Recipe: ../shared/reference/browser-testing.md. Chromium is taken from
/usr/bin/chromium (never downloaded). Without it the browser tests skip with a
message, except under CI=true, where they fail: CI must prove accessibility.
"""
from __future__ import annotations

import shutil
import threading

import pytest
from browserkit import ARGS, AXE_JS, CHROMIUM, DESKTOP, HERE, IN_CI, ROOT


def _unavailable(message: str):
    if IN_CI:
        pytest.fail(f"{message} (CI=true: browser tests must run, not skip)", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        _unavailable("Chromium not found at /usr/bin/chromium; install it with: apt-get install -y "
                     "--no-install-recommends chromium fonts-liberation (scripts/test.sh does so when CI=true)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - dev dependency missing
        _unavailable("playwright is not installed: .venv/bin/pip install -e '.[dev]'")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def browser_courses(tmp_path_factory):
    """The shipped course, plus a one-module course that keeps the keyboard journey short."""
    root = tmp_path_factory.mktemp("courses")
    shutil.copytree(ROOT / "courses" / "digital_leadership", root / "digital_leadership")
    shutil.copytree(HERE / "fixtures" / "keyboard", root / "keyboard")
    return root


@pytest.fixture(scope="session")
def live_app(make_app, browser_courses):
    return make_app(COURSES_DIR=str(browser_courses))


class _CountingApp:
    """WSGI wrapper that counts requests in flight, so a test can wait for the server to
    finish (and release its database connection) before the tables are emptied."""

    def __init__(self, app):
        self.app = app
        self.active = 0
        self.changed = threading.Condition()

    def __call__(self, environ, start_response):
        with self.changed:
            self.active += 1
        try:
            return self.app(environ, start_response)  # Flask tears the request down before returning
        finally:
            with self.changed:
                self.active -= 1
                self.changed.notify_all()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: self.active == 0, timeout)


@pytest.fixture(scope="session")
def _counting_app(live_app):
    return _CountingApp(live_app)


@pytest.fixture(scope="session")
def live_server(_counting_app, browser):
    from werkzeug.serving import make_server

    srv = make_server("127.0.0.1", 0, _counting_app, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_port}"
    srv.shutdown()
    thread.join(5)


@pytest.fixture
def new_context(browser, live_server, _counting_app):
    """Factory for browser contexts (closed after the test): new_context(viewport=..., ...)."""
    made = []

    def factory(**kw):
        kw.setdefault("viewport", DESKTOP)
        ctx = browser.new_context(base_url=live_server, **kw)
        ctx.add_init_script(path=str(AXE_JS))  # axe-core in every page, outside the page's CSP
        ctx.set_default_timeout(10_000)
        made.append(ctx)
        return ctx

    yield factory
    for ctx in made:
        ctx.close()
    # Requests the browser started (a favicon, an abandoned navigation) must finish before
    # the tables are emptied: on PostgreSQL an open transaction would deadlock TRUNCATE.
    assert _counting_app.wait_idle(), "the test server is still busy 10 s after the test"


