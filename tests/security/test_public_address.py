"""F6 (security test): emailed links never take their host from the request.

Outside debug and testing the app refuses to start without PUBLIC_BASE_URL; requests for a
host other than the public one (TRUSTED_HOSTS) get 400; every emailed link is built on
PUBLIC_BASE_URL by ``links.public_url``.
"""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from support import Client, outbox_messages

ROOT = Path(__file__).resolve().parents[2]
FLASK = str(Path(sys.executable).with_name("flask"))


def _reset_link_hosts(instance_path) -> list[str]:
    return [re.search(r"https?://([^/\s]+)/reset-password/", m.get_body(("plain",)).get_content()).group(1)
            for m in outbox_messages(instance_path)]


def test_forged_host_header_gets_400_and_no_email(make_app, learner, instance_path):
    """The report's reproduction: POST /forgot-password with Host: attacker.example, on an app
    started without PUBLIC_BASE_URL (as run.sh used to)."""
    app = make_app(PUBLIC_BASE_URL="")
    client = Client(app.test_client())
    token = client.csrf_token("/forgot-password")
    response = client.raw.post("/forgot-password", data={"email": learner.email, "csrf_token": token},
                               base_url="http://attacker.example", buffered=True)
    assert response.status_code == 400
    assert "does not answer for that host name" in response.get_data(as_text=True)
    assert _reset_link_hosts(instance_path) == []


def test_links_use_the_public_address_even_from_another_trusted_host(make_app, learner, instance_path):
    app = make_app(PUBLIC_BASE_URL="https://learn.example.org",
                   TRUSTED_HOSTS=["learn.example.org", "alias.example.org"])
    client = Client(app.test_client())
    token = client.raw.get("/forgot-password", base_url="https://alias.example.org")
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', token.get_data(as_text=True)).group(1)
    response = client.raw.post("/forgot-password", data={"email": learner.email, "csrf_token": csrf},
                               base_url="https://alias.example.org", buffered=True,
                               headers={"Referer": "https://alias.example.org/forgot-password"})
    assert response.status_code == 200
    assert _reset_link_hosts(instance_path) == ["learn.example.org"]


def test_trusted_hosts_come_from_the_public_address(make_app):
    app = make_app(PUBLIC_BASE_URL="https://learn.example.org/", TESTING=False)
    assert app.config["TRUSTED_HOSTS"] == ["learn.example.org"]
    assert app.config["PUBLIC_BASE_URL"] == "https://learn.example.org"
    assert Client(app.test_client()).get("/healthz", base_url="https://learn.example.org").status_code == 200
    assert Client(app.test_client()).get("/healthz", base_url="https://evil.example").status_code == 400


def test_public_url_works_outside_a_request(app):
    from leadership.links import public_url

    with app.app_context():
        assert public_url("verify.verify", code="ABCD") == "http://localhost/verify/ABCD"
        assert public_url("auth.reset_password", token="t0k") == "http://localhost/reset-password/t0k"


def test_refuses_to_start_without_public_base_url(database_url, monkeypatch):
    from leadership import create_app
    from leadership.config import ConfigurationError

    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    with pytest.raises(ConfigurationError, match="PUBLIC_BASE_URL is not set"):
        create_app({"DATABASE_URL": database_url, "SECRET_KEY": "x" * 32})
    with pytest.raises(ConfigurationError, match="must be an http:// or https:// address"):
        create_app({"DATABASE_URL": database_url, "SECRET_KEY": "x" * 32, "PUBLIC_BASE_URL": "learn.example.org"})


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(tmp_path, **extra):
    env = {k: v for k, v in os.environ.items() if k not in ("PUBLIC_BASE_URL", "FLASK_DEBUG", "TRUSTED_HOSTS")}
    env.update({"LEADERSHIP_INSTANCE_PATH": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
                "FLASK_APP": "leadership"}, **extra)
    return env


def test_flask_run_refuses_without_it_and_serves_with_it(tmp_path):
    """Real processes: `flask run` (what run.sh ends with) exits with the message when the
    setting is missing; with it, the server answers its own host and refuses a forged one.
    Commands that serve nothing (db upgrade) need no public address."""
    port = _free_port()
    upgraded = subprocess.run([FLASK, "db", "upgrade"], cwd=ROOT, env=_env(tmp_path), capture_output=True,
                              text=True, timeout=120)
    assert upgraded.returncode == 0, upgraded.stderr
    refused = subprocess.run([FLASK, "run", "--port", str(port)], cwd=ROOT, env=_env(tmp_path),
                             capture_output=True, text=True, timeout=60)
    assert refused.returncode != 0
    assert "PUBLIC_BASE_URL is not set" in refused.stderr
    server = subprocess.Popen([FLASK, "run", "--port", str(port)], cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL,
                              env=_env(tmp_path, PUBLIC_BASE_URL=f"http://127.0.0.1:{port}"))
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    assert r.status == 200
                    break
            except OSError:
                assert time.monotonic() < deadline, "flask run did not start"
                time.sleep(0.3)
        forged = urllib.request.Request(f"http://127.0.0.1:{port}/healthz", headers={"Host": "attacker.example"})
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(forged, timeout=5)
        assert err.value.code == 400
        err.value.close()
    finally:
        server.terminate()
        server.wait(10)
