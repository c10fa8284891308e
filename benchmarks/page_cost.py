"""Page cost under gunicorn: real pages compared with a floor app returning the same bytes.

    .venv/bin/python benchmarks/page_cost.py [--database postgresql://postgres@127.0.0.1:5432/bench]
                                             [--workers N] [--duration S] [--connections C] [--tool auto|wrk|python]

Rows (all for one signed-in learner with progress in three modules and part of a fourth):

- module page: ``GET /courses/digital-leadership/<module>/1`` - a content page (records the page view: an
  upsert and a commit per request, as in real use);
- quiz submission: ``POST .../quiz/paper/<token>`` with the CSRF token and the correct answers. Each
  request submits a *different*, freshly drawn, unmarked paper (drawn in bulk before the run), because
  a resubmitted paper only returns the attempt already marked (replay protection) and would measure
  a cheaper path. A learner has at most one open paper per module, so each paper belongs to its own
  signed-in learner (bulk-inserted with a server-side session; each request carries that learner's
  cookie and CSRF token, and the paper's opaque option values). The response is the 303 to the
  results page; the results page is not fetched. After the run the script counts how many papers were
  really marked and reports any replays;
- learner dashboard: ``GET /courses/``;
- verification page: ``GET /verify/<code>`` (public, no cookie);
- floor: ``benchmarks/floor_app.py`` under the same gunicorn settings, returning as many bytes as the
  module page. Every ratio is rows' req/s divided by the floor's req/s (measured by the same tool).

Targets: module page >= 0.6 of the floor, quiz submission >= 0.4. Reports; never fails.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    COURSE, Request, Server, base_parser, create_user, db_label, fetch, give_progress, load, quiz_takers,
    machine, make_instance, print_table, sign_in, summary, verdict,
)
from urllib.parse import urlencode  # noqa: E402

MODULE_TARGET, QUIZ_TARGET = 0.6, 0.4


def main() -> None:
    parser = base_parser(__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2,
                        help="gunicorn workers, the same for every row (default: CPU count)")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per row (default 10)")
    parser.add_argument("--connections", type=int, default=8, help="concurrent connections (default 8)")
    parser.add_argument("--tool", choices=["auto", "wrk", "python"], default="auto",
                        help="load generator: wrk if installed (auto), or the bundled Python client")
    parser.add_argument("--papers", type=int, default=0, help="quiz papers to draw (default: 500 per second)")
    args = parser.parse_args()

    inst = make_instance(args.database, keep=args.keep)
    label = db_label(args.database)
    try:
        run(inst, args, label)
    finally:
        inst.cleanup()


def run(inst, args, label) -> None:
    from leadership.catalogue import catalogue_service
    from leadership.extensions import db

    app = inst.app()
    email = "bench-learner@example.org"
    uid = create_user(app, email)
    give_progress(app, uid, modules_done=3)
    with app.app_context():
        course = catalogue_service.get().course(COURSE, "en")
        quiz_module = next(m for m in course.modules[3:] if m.has_quiz and m.quiz.settings.display == "all")
        page_module = course.modules[3]
        code = None
        try:
            from leadership.certificates.service import issue_certificate

            code = issue_certificate(db.session, uid, course).code
        except Exception as err:  # the certificates feature may not be there yet
            print(f"(no certificate: {err})")
        db.session.remove()
    n_papers = args.papers or int(max(2000, 500 * args.duration))
    papers = quiz_takers(app, quiz_module.slug, n_papers)
    app.extensions["database"].dispose()

    module_path = f"/courses/{COURSE}/{page_module.slug}/1"
    results = {}
    with Server("leadership:create_app()", inst.env, args.workers) as server:
        cookie, csrf = sign_in(server.port, email)
        resp, body = fetch(server.port, "GET", module_path, cookie=cookie)
        assert resp.status == 200, resp.status
        page_bytes = len(body)
        checks = {"learner dashboard": (f"/courses/", cookie)}
        if code:
            checks["verification page"] = (f"/verify/{code}", None)
        for name, (path, ck) in checks.items():
            resp, _ = fetch(server.port, "GET", path, cookie=ck)
            if resp.status != 200:
                print(f"({name} {path} answered {resp.status}; skipped)")
                checks[name] = None

        def measure(name, requests, cookie=None, cycle=True):
            res = load(server.port, requests, duration=args.duration, connections=args.connections,
                       cookie=cookie, cycle=cycle, tool=args.tool)
            results[name] = res
            print(f"  {name}: {res.rps:,.0f} req/s ({res.tool})", flush=True)

        print(f"Measuring {label}, {args.workers} gunicorn workers, {args.connections} connections, "
              f"{args.duration:g}s per row; module page is {page_bytes:,} bytes", flush=True)
        measure("module page", [Request("GET", module_path)], cookie)
        for name, spec in checks.items():
            if spec:
                measure(name, [Request("GET", spec[0])], spec[1])
        quiz_base = f"/courses/{COURSE}/{quiz_module.slug}/quiz/paper/"
        quiz_requests = [Request("POST", quiz_base + token, urlencode(
            [("csrf_token", taker_csrf)] + [(f"q-{q}", v) for q, values in answers.items() for v in values]),
            cookie=taker_cookie)
            for taker_cookie, taker_csrf, token, answers in papers]
        # Sanity check one submission by hand (must be a 303 to the results page).
        resp, _ = fetch(server.port, "POST", quiz_requests[0].path, quiz_requests[0].body, quiz_requests[0].cookie)
        assert resp.status == 303, f"quiz submission answered {resp.status}"
        measure("quiz submission", quiz_requests[1:], cookie, cycle=False)
    marked = count_marked(inst, quiz_module.slug)
    quiz = results["quiz submission"]
    replays = max(0, quiz.requests - (marked - 1))

    floor_env = {**inst.env, "FLOOR_BYTES": str(page_bytes)}
    floors = {}
    with Server("benchmarks.floor_app:create_app()", floor_env, args.workers) as server:
        for res in results.values():
            if res.tool not in floors:
                floors[res.tool] = load(server.port, [Request("GET", "/floor")], duration=args.duration,
                                        connections=args.connections, tool=res.tool)
                print(f"  floor ({res.tool}): {floors[res.tool].rps:,.0f} req/s", flush=True)

    print()
    print(f"page cost on {label} - {machine()}")
    rows = []
    for tool, res in floors.items():
        rows.append([f"floor ({tool})", res.rps, res.p50_ms, res.p99_ms, "1.00x", res.errors, tool])
    ratios = {}
    for name, res in results.items():
        ratios[name] = res.rps / floors[res.tool].rps
        note = res.errors
        rows.append([name, res.rps, res.p50_ms, res.p99_ms, f"{ratios[name]:.2f}x", note, res.tool])
    print_table(["row", "req/s", "p50 ms", "p99 ms", "vs floor", "errors", "tool"], rows)
    print(f"quiz submission: {quiz.requests:,} requests, {marked - 1:,} distinct papers marked, "
          f"{replays:,} replays; statuses {quiz.statuses}")
    summary(f"page-cost {label}", [
        f"module page {ratios['module page']:.2f}x floor (target {MODULE_TARGET}) "
        f"{verdict(ratios['module page'] >= MODULE_TARGET)}",
        f"quiz submit {ratios['quiz submission']:.2f}x (target {QUIZ_TARGET}) "
        f"{verdict(ratios['quiz submission'] >= QUIZ_TARGET)}",
    ])


def count_marked(inst, module_slug) -> int:
    """Marked papers of the quiz takers (``common.quiz_takers``) for the module."""
    import sqlalchemy as sa

    from leadership.auth.models import User
    from leadership.extensions import db
    from leadership.quizzes.models import QuizAttempt

    app = inst.app()
    with app.app_context():
        n = db.session.scalar(sa.select(sa.func.count(QuizAttempt.id)).join(User, User.id == QuizAttempt.user_id)
                              .where(User.email.like("bench-quiz-%"), QuizAttempt.module_slug == module_slug,
                                     QuizAttempt.submitted_at.is_not(None)))
        db.session.remove()
    app.extensions["database"].dispose()
    return int(n or 0)


if __name__ == "__main__":
    main()
