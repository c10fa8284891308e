"""Start-up time and memory per gunicorn worker.

    .venv/bin/python benchmarks/startup_memory.py [--database postgresql://postgres@127.0.0.1:5432/bench]
                                                  [--workers N] [--requests 10000]

1. In a fresh interpreter (so nothing is warm), repeated a few times, median reported:
   - ``leadership.content.load_catalogue``: parse, render and sanitise the whole course (every language);
   - ``create_app()`` (imports included), and the first ``catalogue_service.get()`` in it.
2. RSS (VmRSS from /proc/<pid>/status) of each gunicorn worker after ``--requests`` mixed requests by a
   signed-in learner: every content page of every module, module and course pages, the dashboard,
   quiz intros, the transcript, the verification page and /healthz.

Targets: whole course loaded and rendered in < 1 s; RSS < 150 MB per worker. Reports; never fails.
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    COURSE, ROOT, Request, Server, base_parser, create_user, db_label, give_progress, machine, make_instance,
    print_table, python_load, rss_mb, sign_in, summary, verdict, fetch,
)

LOAD_TARGET_S, RSS_TARGET_MB = 1.0, 150.0

PROBE = r"""
import json, os, sys, time
t0 = time.perf_counter()
from pathlib import Path
from leadership.content import load_catalogue
from leadership.catalogue import course_asset_url
t1 = time.perf_counter()
cat = load_catalogue(Path(sys.argv[1]), asset_url=course_asset_url)
t2 = time.perf_counter()
from leadership import create_app
app = create_app({"DATABASE_URL": sys.argv[2], "SECRET_KEY": "x", "PUBLIC_BASE_URL": "http://127.0.0.1"})
t3 = time.perf_counter()
with app.app_context():
    from leadership.catalogue import catalogue_service
    c2 = catalogue_service.get()
t4 = time.perf_counter()
pages = sum(len(m.pages) for lang in cat.languages for c in cat.courses_for(lang) for m in c.modules)
print(json.dumps({"import_content": t1 - t0, "load_catalogue": t2 - t1, "create_app": t3 - t2,
                  "first_get": t4 - t3, "pages": pages, "problems": len(cat.problems)}))
"""


def startup(inst, runs: int) -> dict:
    samples = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", PROBE, str(ROOT / "courses"), inst.database_url],
                             cwd=str(ROOT), env=inst.env, capture_output=True, text=True, check=True).stdout
        samples.append(json.loads(out.strip().splitlines()[-1]))
    return {k: statistics.median(s[k] for s in samples) for k in samples[0]}


def mixed_requests(app, code: str | None) -> list[Request]:
    from leadership.catalogue import catalogue_service

    with app.app_context():
        course = catalogue_service.get().course(COURSE, "en")
        reqs = [Request("GET", "/courses/"), Request("GET", f"/courses/{COURSE}"), Request("GET", "/healthz"),
                Request("GET", "/courses/transcript")]
        if code:
            reqs.append(Request("GET", f"/verify/{code}"))
        for module in course.modules:
            reqs.append(Request("GET", f"/courses/{COURSE}/{module.slug}"))
            if module.has_quiz:
                reqs.append(Request("GET", f"/courses/{COURSE}/{module.slug}/quiz"))
            for n in range(1, len(module.pages) + 1):
                reqs.append(Request("GET", f"/courses/{COURSE}/{module.slug}/{n}"))
                reqs.append(Request("GET", f"/courses/{COURSE}/{module.slug}/{n}?lang=cy"))
    return reqs


def main() -> None:
    parser = base_parser(__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3, help="fresh-interpreter start-up runs (median)")
    args = parser.parse_args()
    label = db_label(args.database)
    inst = make_instance(args.database, keep=args.keep)
    try:
        times = startup(inst, args.runs)
        app = inst.app()
        uid = create_user(app, "memory@example.org")
        give_progress(app, uid, modules_done=3)
        code = None
        try:
            from leadership.catalogue import catalogue_service
            from leadership.certificates.service import issue_certificate
            from leadership.extensions import db

            with app.app_context():
                code = issue_certificate(db.session, uid, catalogue_service.get().course(COURSE, "en")).code
                db.session.remove()
        except Exception as err:  # pragma: no cover - feature not there yet
            print(f"(no certificate: {err})")
        base = mixed_requests(app, code)
        app.extensions["database"].dispose()
        with Server("leadership:create_app()", inst.env, args.workers) as server:
            cookie, _csrf = sign_in(server.port, "memory@example.org")
            before = {pid: rss_mb(pid) for pid in server.worker_pids()}
            bad = [r.path for r in base if fetch(server.port, "GET", r.path, cookie=cookie)[0].status >= 400]
            if bad:
                print(f"(requests answering >= 400: {bad[:5]})")
            reqs = [base[i % len(base)] for i in range(args.requests)]
            res = python_load(server.port, reqs, duration=3600, connections=4, cookie=cookie, cycle=False)
            after = {pid: rss_mb(pid) for pid in server.worker_pids()}
            master = rss_mb(server.proc.pid)
    finally:
        inst.cleanup()

    print()
    print(f"start-up and memory on {label} - {machine()}")
    print_table(["measure", "value", "target"], [
        ["import leadership.content (s)", times["import_content"], ""],
        [f"load_catalogue: whole course, {times['pages']:.0f} pages, all languages (s)",
         times["load_catalogue"], f"< {LOAD_TARGET_S:g}"],
        ["create_app() incl. imports (s)", times["create_app"], ""],
        ["first catalogue_service.get() (s)", times["first_get"], ""],
        ["gunicorn master RSS (MB)", master, ""],
        *[[f"worker {pid} RSS before -> after (MB)", f"{before.get(pid, float('nan')):.1f} -> {mb:.1f}",
           f"< {RSS_TARGET_MB:g}"] for pid, mb in after.items()],
    ])
    print(f"{res.requests:,} mixed requests in {res.seconds:.1f}s ({res.rps:,.0f} req/s), statuses {res.statuses}")
    worst = max(after.values()) if after else float("nan")
    summary(f"startup-memory {label}", [
        f"course load+render {times['load_catalogue']:.2f}s (target < {LOAD_TARGET_S:g}) "
        f"{verdict(times['load_catalogue'] < LOAD_TARGET_S)}",
        f"create_app {times['create_app']:.2f}s",
        f"max worker RSS {worst:.0f} MB after {res.requests:,} requests (target < {RSS_TARGET_MB:g}) "
        f"{verdict(worst < RSS_TARGET_MB)}",
    ])


if __name__ == "__main__":
    main()
