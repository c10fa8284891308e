"""Reporting at national scale: LGA dashboard, council drill-down, CSV exports and the API.

    .venv/bin/python benchmarks/reporting_scale.py [--database postgresql://postgres@127.0.0.1:5432/bench]
                                                   [--learners 20000] [--repeat 15]

Seeds ``--learners`` demo learners with ``leadership.demo.seed.seed`` (the function behind
``flask demo seed --learners N --seed 1``) across every council, then times each request in-process
(Flask test client, real views and templates, signed in as an lga_admin or a council_admin, or with an
API bearer token). The dashboard cache (REPORTING_CACHE_SECONDS) is OFF for the main figures, so every
request runs its queries; one extra row shows the dashboard with the default 60 s cache.

Query counts come from a ``before_cursor_execute`` listener. They are shown for a small and the largest
council, and for the API's first and last page, to show they do not grow with the data.

Targets: dashboard and drill-down p50 < 150 ms (SQLite and PostgreSQL); export of everything < 3 s.
Reports; never fails.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    base_parser, create_user, db_label, machine, make_instance, p50, print_table, summary, timed, timed_cpu,
    verdict,
)

PAGE_TARGET_MS, EXPORT_TARGET_S = 150.0, 3.0


def main() -> None:
    parser = base_parser(__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=15, help="timed runs per page (p50 reported)")
    args = parser.parse_args()
    label = db_label(args.database)
    inst = make_instance(args.database, keep=args.keep)
    try:
        run(inst, args, label)
    finally:
        inst.cleanup()


def run(inst, args, label) -> None:
    import sqlalchemy as sa
    from sqlalchemy import event

    from leadership.extensions import db

    app = inst.app(REPORTING_CACHE_SECONDS=0)
    with app.app_context():
        from leadership.demo.seed import seed

        t0 = time.perf_counter()
        seed(db.session, learners=args.learners, seed=args.seed)
        seed_s = time.perf_counter() - t0
        counts = {t: db.session.scalar(sa.text(f"SELECT count(*) FROM {t}")) for t in (
            "user_account", "page_view", "quiz_attempt", "quiz_answer", "module_completion", "certificate")}
        if db.engine.dialect.name == "postgresql":
            db.session.execute(sa.text("ANALYZE"))
        else:
            db.session.execute(sa.text("ANALYZE"))
        db.session.commit()
        by_council = db.session.execute(sa.text(
            "SELECT c.code, count(u.id) AS n FROM council c JOIN user_account u ON u.council_id = c.id "
            "GROUP BY c.code ORDER BY n DESC, c.code")).all()
        db.session.remove()
    big, small = by_council[0], by_council[-1]
    print(f"seeded in {seed_s:.1f}s: " + ", ".join(f"{t} {n:,}" for t, n in counts.items()), flush=True)
    print(f"largest council {big.code} ({big.n:,} learners), smallest {small.code} ({small.n:,})", flush=True)

    lga = create_user(app, "bench-lga@example.org", role="lga_admin", council="LND")
    cadmin = create_user(app, "bench-council@example.org", role="council_admin", council=big.code)
    with app.app_context():
        from leadership.api.tokens import issue_token
        from leadership.auth.models import User

        actor = db.session.get(User, lga)
        _tok, bearer = issue_token(db.session, name="benchmark", council_id=None, actor=actor)
        versions = {uid: db.session.get(User, uid).session_version for uid in (lga, cadmin)}
        db.session.remove()

    queries = {"n": 0}

    @event.listens_for(app.extensions["database"].engine, "before_cursor_execute")
    def _count(*_a, **_k):
        queries["n"] += 1

    def client_for(uid, flask_app=app):
        client = flask_app.test_client()
        staff_session(client, uid, versions[uid])
        return client

    lga_client, council_client, api_client = client_for(lga), client_for(cadmin), app.test_client()
    auth = {"Authorization": f"Bearer {bearer}"}

    # Walk the API to its last page (keyset cursors), remembering the last page's URL.
    url, pages, records = "/api/v1/completions?limit=1000", 0, 0
    last_url = url
    walk_start = time.perf_counter()
    while url:
        resp = api_client.get(url, headers=auth)
        assert resp.status_code == 200, (resp.status_code, resp.data[:300])
        body = resp.get_json()
        pages += 1
        records += len(body["data"])
        last_url = url
        url = body["links"]["next"]
        if url and not url.startswith("/"):
            url = "/" + url.split("/", 3)[3]
    walk_s = time.perf_counter() - walk_start

    rows, results = [], {}

    def measure(name, client, path, repeat=args.repeat, headers=None, key=None):
        resp = client.get(path, headers=headers or {})
        assert resp.status_code == 200, (name, path, resp.status_code, resp.data[:300])
        size = len(resp.data)
        queries["n"] = 0
        client.get(path, headers=headers or {})
        n_queries = queries["n"]
        d, cpu = timed_cpu(lambda: client.get(path, headers=headers or {}), repeat=repeat, warmup=1)
        rows.append([name, p50(d), d[-1], p50(cpu), n_queries, f"{size:,}"])
        if key:
            results[key] = p50(d)
        print(f"  {name}: p50 {p50(d):.1f} ms, {n_queries} queries", flush=True)

    print(f"timing ({args.repeat} runs each)...", flush=True)
    measure("LGA dashboard /reports/", lga_client, "/reports/", key="dashboard")
    measure("LGA dashboard, sorted by completion rate, page 2", lga_client,
            "/reports/?sort=rate&dir=desc&page=2")
    measure(f"drill-down {big.code} as council_admin", council_client, f"/reports/councils/{big.code}",
            key="drilldown")
    measure(f"drill-down {big.code} as lga_admin", lga_client, f"/reports/councils/{big.code}")
    measure(f"drill-down {small.code} (smallest) as lga_admin", lga_client, f"/reports/councils/{small.code}")
    measure("CSV export, every council (/reports/export.csv)", lga_client, "/reports/export.csv",
            repeat=max(3, args.repeat // 3), key="export")
    measure(f"CSV export, every learner in {big.code}", council_client,
            f"/reports/councils/{big.code}/export.csv", repeat=max(3, args.repeat // 3), key="council_export")
    measure("API completions, first page (limit 1000)", api_client, "/api/v1/completions?limit=1000",
            headers=auth, key="api_first")
    measure(f"API completions, last page ({pages} of them)", api_client, last_url, headers=auth, key="api_last")
    cached_app = inst.app(REPORTING_CACHE_SECONDS=60)
    cached_client = client_for(lga, cached_app)
    resp = cached_client.get("/reports/")
    d = timed(lambda: cached_client.get("/reports/"), repeat=args.repeat, warmup=1)
    rows.append(["LGA dashboard, default 60 s cache (warm)", p50(d), d[-1], "", "-", f"{len(resp.data):,}"])
    for a in (app, cached_app):
        a.extensions["database"].dispose()

    print()
    print(f"reporting at scale on {label}: {args.learners:,} learners, {counts['page_view']:,} page views, "
          f"{counts['quiz_attempt']:,} attempts - {machine()}")
    print_table(["request", "p50 ms", "max ms", "app CPU ms", "queries", "bytes"], rows)
    print("(app CPU ms: this process's CPU per request, p50; excludes waiting for a CPU and the PostgreSQL server's work)")
    print(f"API: walked {pages} pages / {records:,} records in {walk_s:.1f}s")
    export_s = max(results["export"], results["council_export"]) / 1000
    summary(f"reporting-scale {label}", [
        f"dashboard p50 {results['dashboard']:.0f} ms (target < {PAGE_TARGET_MS:g}) "
        f"{verdict(results['dashboard'] < PAGE_TARGET_MS)}",
        f"drill-down p50 {results['drilldown']:.0f} ms {verdict(results['drilldown'] < PAGE_TARGET_MS)}",
        f"export {export_s:.2f} s (target < {EXPORT_TARGET_S:g}) {verdict(export_s < EXPORT_TARGET_S)}",
        f"API first/last page {results['api_first']:.0f}/{results['api_last']:.0f} ms",
    ])


def staff_session(client, uid: int, version: int) -> None:
    """The session a staff member has after the sign-in form and the second factor (TOTP):
    a server-side session row and the same keys ``leadership.auth.views._start_session`` writes."""
    from datetime import timedelta

    from leadership.auth import sessions
    from leadership.auth.models import User
    from leadership.extensions import db

    with client.application.app_context():
        raw = sessions.open_session(db.session, db.session.get(User, uid), timedelta(hours=12))
        db.session.remove()
    now = int(time.time())
    with client.session_transaction() as s:
        s["_user_id"] = raw
        s["_fresh"] = True
        s["auth_at"] = now
        s["seen_at"] = now
        s["mfa"] = True


if __name__ == "__main__":
    main()
