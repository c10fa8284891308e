"""Shared plumbing for the benchmark scripts.

- a throwaway instance (its own instance folder, a SQLite file or a dedicated
  PostgreSQL database), migrated with the real Alembic migrations;
- a learner with progress, signed in over real HTTP;
- gunicorn serving the app (or the floor app) on loopback;
- a load generator: ``wrk`` when installed, otherwise a bundled multi-process
  Python client (http.client, keep-alive when the server allows it);
- a results table and the final ``SUMMARY`` line.

Benchmarks report; they never assert. Every script exits 0 even when a target
is missed.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import http.client
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PASSWORD = "benchmark-horse-battery-staple"
COURSE = "digital-leadership"
SECRET_KEY = "benchmark-secret-key-not-for-production"


# --------------------------------------------------------------------------- arguments

def base_parser(description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--database", default=None,
                        help="postgresql://postgres@127.0.0.1:5432/bench (a dedicated database; it is wiped). "
                             "Default: a SQLite file in a temporary instance folder.")
    parser.add_argument("--keep", action="store_true", help="keep the temporary instance folder")
    return parser


def db_label(url: str | None) -> str:
    return "postgresql" if url and url.startswith("postgres") else "sqlite"


# --------------------------------------------------------------------------- instance

@dataclass
class Instance:
    path: Path
    database_url: str
    env: dict = field(default_factory=dict)
    keep: bool = False

    def config(self, **extra) -> dict:
        return {"DATABASE_URL": self.database_url, "SECRET_KEY": SECRET_KEY, "RATELIMIT_ENABLED": False,
                "MAIL_OUTBOX_DIR": str(self.path / "outbox"), "PUBLIC_BASE_URL": "http://127.0.0.1",
                # the Flask test client's requests come from "localhost"
                "TRUSTED_HOSTS": ["127.0.0.1", "localhost"],
                **extra}

    def app(self, **extra):
        os.environ["LEADERSHIP_INSTANCE_PATH"] = str(self.path)
        from leadership import create_app

        app = create_app(self.config(**extra))
        # create_app sets INFO logging when nothing is configured; keep benchmark output readable.
        import logging

        logging.getLogger().setLevel(logging.WARNING)
        return app

    def cleanup(self) -> None:
        if not self.keep:
            shutil.rmtree(self.path, ignore_errors=True)


def _prepare_postgres(url: str) -> None:
    """Create the dedicated database if needed and empty its public schema. Never the test database."""
    import psycopg

    parts = urlsplit(url)
    dbname = parts.path.lstrip("/")
    if not dbname or dbname in {"test", "postgres", "template0", "template1"}:
        raise SystemExit(f"refusing to use database {dbname!r}: give a dedicated one, e.g. .../bench")
    admin = parts._replace(scheme="postgresql", path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,)).fetchone():
            conn.execute(f'CREATE DATABASE "{dbname}"')
    plain = parts._replace(scheme="postgresql").geturl()
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
        conn.execute("CREATE SCHEMA public")


def make_instance(database: str | None = None, keep: bool = False) -> Instance:
    """A fresh, migrated instance with the council list loaded."""
    path = Path(tempfile.mkdtemp(prefix="leadership-bench-"))
    if database:
        _prepare_postgres(database)
        url = database
    else:
        url = f"sqlite:///{path / 'bench.sqlite3'}"
    inst = Instance(path=path, database_url=url, keep=keep)
    inst.env = {**os.environ, "LEADERSHIP_INSTANCE_PATH": str(path), "DATABASE_URL": url,
                "PUBLIC_BASE_URL": "http://127.0.0.1",
                "SECRET_KEY": SECRET_KEY, "PYTHONPATH": str(ROOT)}
    app = inst.app()
    import logging

    logging.getLogger("alembic").setLevel(logging.WARNING)
    with app.app_context():
        from leadership.cli import upgrade_database
        from leadership.councils.loader import load_councils
        from leadership.extensions import db

        upgrade_database()
        load_councils(db.session)
        db.session.remove()
    app.extensions["database"].dispose()
    return inst


def create_user(app, email: str, role: str = "learner", council: str = "CRF", name: str | None = None):
    import sqlalchemy as sa

    from leadership.auth import service
    from leadership.auth.models import Role
    from leadership.councils.models import Council
    from leadership.extensions import db

    with app.app_context():
        c = db.session.scalar(sa.select(Council).where(Council.code == council))
        user = service.create_user(db.session, name=name or "Cllr Bench Mark", email=email, password=PASSWORD,
                                   council=c, role=Role(role))
        uid = user.id
        db.session.remove()
    return uid


def give_progress(app, user_id: int, modules_done: int = 3, pass_quizzes: bool = True) -> None:
    """Pages seen in the first ``modules_done`` modules (and their quizzes passed), plus part of the next."""
    from leadership.catalogue import catalogue_service
    from leadership.extensions import db
    from leadership.learning.progress import record_page_view

    with app.app_context():
        course = catalogue_service.get().course(COURSE, "en")
        for index, module in enumerate(course.modules[: modules_done + 1]):
            pages = len(module.pages) if index < modules_done else max(1, len(module.pages) // 2)
            for n in range(1, pages + 1):
                record_page_view(db.session, user_id=user_id, course=course, module=module, page_number=n)
            if index < modules_done and module.has_quiz and pass_quizzes:
                draw_papers(app, user_id, module.slug, 1, submit=True)
        db.session.remove()


def correct_answers(quiz, paper: list[dict]) -> dict[str, set[str]]:
    return {item["question"]: set(quiz.question(item["question"]).correct_keys) for item in paper}


def correct_values(quiz, paper: list[dict]) -> dict[str, list[str]]:
    """The right options as the paper's form carries them (each option's per-paper value)."""
    return {item["question"]: [v for k, v in zip(item["options"], item["values"])
                               if k in quiz.question(item["question"]).correct_keys] for item in paper}


def quiz_takers(app, module_slug: str, count: int) -> list[tuple[str, str, str, dict[str, list[str]]]]:
    """``count`` signed-in learners, each with one open paper for the module (a learner has at
    most one open paper), bulk-inserted: [(Cookie header, CSRF token, paper token, right values)].

    Each gets a server-side session row and the signed session cookie signing in would give.
    """
    import hashlib
    import secrets
    from datetime import timedelta

    import sqlalchemy as sa
    from itsdangerous import URLSafeTimedSerializer

    from leadership.auth.models import User, UserSession
    from leadership.catalogue import catalogue_service
    from leadership.councils.models import Council
    from leadership.db import utcnow
    from leadership.extensions import db
    from leadership.quizzes import service
    from leadership.quizzes.models import QuizAttempt

    out = []
    with app.app_context():
        course = catalogue_service.get().course(COURSE, "en")
        module = course.module(module_slug)
        council_id = db.session.scalar(sa.select(Council.id).where(Council.code == "CRF"))
        now = utcnow()
        first = (db.session.scalar(sa.select(sa.func.max(User.id))) or 0) + 1
        db.session.execute(User.__table__.insert(), [
            dict(id=first + i, email=f"bench-quiz-{i}@example.org", name=f"Cllr Quiz Taker {i}", password_hash="x",
                 role="learner", council_id=council_id, locale="en", created_at=now, session_version=1,
                 email_verified_at=now) for i in range(count)])
        signer = app.session_interface.get_signing_serializer(app)
        csrf_signer = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token")
        attempts, sessions = [], []
        for i in range(count):
            paper = service.draw_paper(module.quiz)
            token, raw, csrf = secrets.token_urlsafe(24), secrets.token_urlsafe(32), secrets.token_hex(20)
            attempts.append(dict(user_id=first + i, course_slug=course.slug, module_slug=module.slug,
                                 content_version=module.version, language="en", paper=paper, draft={},
                                 token=token, started_at=now))
            sessions.append(dict(id_hash=hashlib.sha256(raw.encode()).hexdigest(), user_id=first + i,
                                 created_at=now, last_seen_at=now, expires_at=now + timedelta(days=30)))
            cookie = signer.dumps({"_user_id": raw, "_fresh": True, "auth_at": int(time.time()),
                                   "seen_at": int(time.time()), "mfa": False, "csrf_token": csrf})
            out.append((f"session={cookie}", csrf_signer.dumps(csrf), token, correct_values(module.quiz, paper)))
        db.session.execute(QuizAttempt.__table__.insert(), attempts)
        db.session.execute(UserSession.__table__.insert(), sessions)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            db.session.execute(sa.text("SELECT setval(pg_get_serial_sequence('user_account', 'id'), "
                                       "(SELECT MAX(id) FROM user_account))"))
            db.session.commit()
        db.session.remove()
    return out


def draw_papers(app, user_id: int, module_slug: str, count: int, submit: bool = False) -> list[tuple[str, dict]]:
    """``count`` open quiz papers for the learner (bulk insert), as (token, correct answers).

    With ``submit`` they are marked at once (through the real service) - used to give progress.
    """
    import secrets

    from leadership.catalogue import catalogue_service
    from leadership.db import utcnow
    from leadership.extensions import db
    from leadership.quizzes import service
    from leadership.quizzes.models import QuizAttempt

    out = []
    with app.app_context():
        course = catalogue_service.get().course(COURSE, "en")
        module = course.module(module_slug)
        rows = []
        for _ in range(count):
            paper = service.draw_paper(module.quiz)
            token = secrets.token_urlsafe(24)
            rows.append(dict(user_id=user_id, course_slug=course.slug, module_slug=module.slug,
                             content_version=module.version, language="en", paper=paper, draft={},
                             token=token, started_at=utcnow()))
            out.append((token, correct_answers(module.quiz, paper)))
        db.session.execute(QuizAttempt.__table__.insert(), rows)
        db.session.commit()
        if submit:
            for token, answers in out:
                service.submit_attempt(db.session, token, user_id, answers, course=course)
        db.session.remove()
    return out


# --------------------------------------------------------------------------- HTTP helpers

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(port: int, method: str, path: str, body: str | None = None, cookie: str | None = None,
         headers: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    h = dict(headers or {})
    if cookie:
        h["Cookie"] = cookie
    if body is not None:
        h["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request(method, path, body=body, headers=h)
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp, data


def _cookie_from(resp, jar: dict) -> None:
    for name, value in resp.getheaders():
        if name.lower() == "set-cookie":
            k, v = value.split(";", 1)[0].split("=", 1)
            jar[k.strip()] = v


def sign_in(port: int, email: str, password: str = PASSWORD) -> tuple[str, str]:
    """Sign in over HTTP like a browser; return (Cookie header, a CSRF token for this session)."""
    jar: dict[str, str] = {}
    resp, body = fetch(port, "GET", "/sign-in")
    _cookie_from(resp, jar)
    token = CSRF_RE.search(body.decode()).group(1)
    cookie = "; ".join(f"{k}={v}" for k, v in jar.items())
    resp, body = fetch(port, "POST", "/sign-in", urlencode({"csrf_token": token, "email": email,
                                                             "password": password}), cookie)
    if resp.status != 302:
        raise RuntimeError(f"sign-in failed: {resp.status} {body[:300]!r}")
    _cookie_from(resp, jar)
    cookie = "; ".join(f"{k}={v}" for k, v in jar.items())
    resp, body = fetch(port, "GET", "/account", cookie=cookie)
    _cookie_from(resp, jar)
    cookie = "; ".join(f"{k}={v}" for k, v in jar.items())
    match = CSRF_RE.search(body.decode())
    return cookie, match.group(1) if match else token


# --------------------------------------------------------------------------- gunicorn

class Server:
    """gunicorn on a free loopback port; ``with Server(app_spec, env, workers) as s: s.port``."""

    def __init__(self, app_spec: str, env: dict, workers: int, extra_args: tuple = ()):
        self.app_spec, self.env, self.workers, self.extra = app_spec, env, workers, extra_args
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> "Server":
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        cmd = [gunicorn, "--workers", str(self.workers), "--bind", f"127.0.0.1:{self.port}",
               "--log-level", "warning", "--backlog", "2048", *self.extra, self.app_spec]
        self.proc = subprocess.Popen(cmd, cwd=str(ROOT), env=self.env, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}")
            try:
                resp, _ = fetch(self.port, "GET", "/healthz")
                if resp.status < 500 and len(self.worker_pids()) >= self.workers:
                    # every worker has imported the app (no preload): warm each one up
                    for _ in range(self.workers * 4):
                        fetch(self.port, "GET", "/healthz")
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    def worker_pids(self) -> list[int]:
        if self.proc is None:
            return []
        try:
            out = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()
        except FileNotFoundError:
            return []
        return [int(p) for p in out]

    def __exit__(self, *exc) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


# --------------------------------------------------------------------------- load generation

@dataclass
class Request:
    method: str
    path: str
    body: str | None = None
    cookie: str | None = None  # this request's own Cookie header (python loader), else the run's


@dataclass
class LoadResult:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int
    statuses: dict
    tool: str

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def _client_worker(port, requests, cycle, duration, threads, cookie, out_queue, start_at):
    """One client process: ``threads`` threads sending ``requests`` (cycled, or each once)."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors = 0
    lock = threading.Lock()
    index = {"i": 0}
    while time.time() < start_at:
        time.sleep(0.001)
    stop_at = time.monotonic() + duration

    def next_request():
        with lock:
            i = index["i"]
            index["i"] += 1
        if cycle:
            return requests[i % len(requests)]
        return requests[i] if i < len(requests) else None

    def run():
        nonlocal errors
        conn = None
        local_lat, local_status, local_err = [], {}, 0
        while time.monotonic() < stop_at:
            req = next_request()
            if req is None:
                break
            headers = {"Cookie": req.cookie or cookie} if (req.cookie or cookie) else {}
            if req.body is not None:
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            t0 = time.perf_counter()
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                conn.request(req.method, req.path, body=req.body, headers=headers)
                resp = conn.getresponse()
                resp.read()
                if resp.will_close:
                    conn.close()
                    conn = None
                local_lat.append(time.perf_counter() - t0)
                local_status[resp.status] = local_status.get(resp.status, 0) + 1
            except (OSError, http.client.HTTPException):
                local_err += 1
                if conn is not None:
                    conn.close()
                conn = None
        with lock:
            latencies.extend(local_lat)
            for k, v in local_status.items():
                statuses[k] = statuses.get(k, 0) + v
            errors += local_err

    t_start = time.monotonic()
    pool = [threading.Thread(target=run) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    out_queue.put((latencies, statuses, errors, time.monotonic() - t_start))


def python_load(port: int, requests: list[Request], *, duration: float, connections: int, cookie: str | None,
                cycle: bool = True, processes: int | None = None) -> LoadResult:
    """Closed-loop load: ``connections`` concurrent clients across a few processes (to dodge the GIL).

    With ``cycle=False`` each request is sent once (e.g. one quiz paper per submission), split
    between the processes, and a process stops early when its share is used up.
    """
    processes = processes or max(1, min(connections, os.cpu_count() or 1))
    threads = max(1, connections // processes)
    ctx = mp.get_context("fork")
    queue = ctx.Queue()
    start_at = time.time() + 0.3
    shares = [requests[i::processes] for i in range(processes)] if not cycle else [requests] * processes
    procs = [ctx.Process(target=_client_worker,
                         args=(port, shares[i], cycle, duration, threads, cookie, queue, start_at))
             for i in range(processes)]
    for p in procs:
        p.start()
    results = [queue.get() for _ in procs]
    for p in procs:
        p.join()
    latencies = sorted(x for r in results for x in r[0])
    statuses: dict[int, int] = {}
    for r in results:
        for k, v in r[1].items():
            statuses[k] = statuses.get(k, 0) + v
    seconds = max(r[3] for r in results)
    return LoadResult(requests=len(latencies), seconds=seconds, p50_ms=percentile(latencies, 50) * 1000,
                      p99_ms=percentile(latencies, 99) * 1000, errors=sum(r[2] for r in results),
                      statuses=statuses, tool="python")


WRK_LUA = r"""
-- one distinct request per line of a file ("METHOD<TAB>path<TAB>body"), shared out between threads
local counter, threads = 0, {}
function setup(thread)
  thread:set("id", counter); counter = counter + 1
  table.insert(threads, thread)
end
function init(args)
  lines, i = {}, 0
  local n = 0
  for line in io.lines(args[1]) do
    if n % tonumber(args[2]) == id then
      local m, p, b = line:match("^(%S+)\t(%S+)\t?(.*)$")
      table.insert(lines, {m, p, b})
    end
    n = n + 1
  end
end
function request()
  i = i + 1
  local r = lines[((i - 1) % #lines) + 1]
  if r[3] ~= nil and r[3] ~= "" then
    return wrk.format(r[1], r[2], {["Content-Type"] = "application/x-www-form-urlencoded"}, r[3])
  end
  return wrk.format(r[1], r[2])
end
function done(summary, latency, requests)
  io.write(string.format("JSON {\"requests\": %d, \"seconds\": %f, \"p50\": %f, \"p99\": %f, " ..
    "\"errors\": %d, \"non2xx\": %d}\n", summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
"""


def wrk_load(port: int, requests: list[Request], *, duration: float, connections: int, cookie: str | None,
             threads: int = 2) -> LoadResult:
    """Run wrk with a Lua script that walks the given requests (each thread its own share)."""
    tmp = Path(tempfile.mkdtemp(prefix="wrk-"))
    try:
        script = tmp / "requests.lua"
        script.write_text(WRK_LUA)
        listing = tmp / "requests.txt"
        listing.write_text("".join(f"{r.method}\t{r.path}\t{r.body or ''}\n" for r in requests))
        threads = max(1, min(threads, connections, len(requests)))
        cmd = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{max(1, round(duration))}s", "--latency",
               "-s", str(script)]
        if cookie:
            cmd += ["-H", f"Cookie: {cookie}"]
        cmd += [f"http://127.0.0.1:{port}/", "--", str(listing), str(threads)]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0 or "JSON " not in proc.stdout:
            raise RuntimeError(f"wrk failed: {proc.stdout[-500:]} {proc.stderr[-500:]}")
        out = proc.stdout
        data = json.loads(out[out.index("JSON ") + 5:].splitlines()[0])
        return LoadResult(requests=data["requests"], seconds=data["seconds"], p50_ms=data["p50"],
                          p99_ms=data["p99"], errors=data["errors"], statuses={"non-2xx/3xx": data["non2xx"]},
                          tool="wrk")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def load(port: int, requests: list[Request], *, duration: float, connections: int, cookie: str | None = None,
         cycle: bool = True, tool: str = "auto") -> LoadResult:
    use_wrk = tool == "wrk" or (tool == "auto" and shutil.which("wrk"))
    if use_wrk and cycle and not any(r.cookie for r in requests):
        return wrk_load(port, requests, duration=duration, connections=connections, cookie=cookie)
    return python_load(port, requests, duration=duration, connections=connections, cookie=cookie, cycle=cycle)


def percentile(sorted_values: list[float], pct: float) -> float:
    if not sorted_values:
        return float("nan")
    k = min(len(sorted_values) - 1, max(0, round(pct / 100 * (len(sorted_values) - 1))))
    return sorted_values[k]


def timed(fn, repeat: int, warmup: int = 2) -> list[float]:
    """Run ``fn`` ``warmup`` + ``repeat`` times; return the timed durations in ms, sorted."""
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return sorted(out)


def timed_cpu(fn, repeat: int, warmup: int = 2) -> tuple[list[float], list[float]]:
    """Like :func:`timed`, also returning this process's CPU time per call (ms, sorted).

    On a busy machine wall time includes waiting for a CPU; CPU time does not (nor does
    time spent in another process, such as the PostgreSQL server).
    """
    for _ in range(warmup):
        fn()
    wall, cpu = [], []
    for _ in range(repeat):
        c0, t0 = time.process_time(), time.perf_counter()
        fn()
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    return sorted(wall), sorted(cpu)


def load_average() -> str:
    try:
        return "load average " + " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return ""


def p50(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


# --------------------------------------------------------------------------- output

def print_table(headers: list[str], rows: list[list]) -> None:
    cells = [[str(h) for h in headers]] + [[_fmt(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    line = "  ".join("-" * w for w in widths)
    print("  ".join(c.ljust(w) for c, w in zip(cells[0], widths)))
    print(line)
    for row in cells[1:]:
        print("  ".join(c.rjust(w) if _numeric(c) else c.ljust(w) for c, w in zip(row, widths)))
    sys.stdout.flush()


def _fmt(value) -> str:
    if isinstance(value, float):
        if value != value:
            return "-"
        return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    return str(value)


def _numeric(text: str) -> bool:
    return bool(re.fullmatch(r"[-+]?[\d,.]+x?|-", text))


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def summary(name: str, parts: list[str]) -> None:
    print(f"SUMMARY {name}: " + "; ".join(parts))
    sys.stdout.flush()


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{os.cpu_count()} CPU ({cpu}){mem}, Python {platform.python_version()}, {load_average()}"
