"""Certificate PDFs per second (single thread) and the verification page's latency, in-process.

    .venv/bin/python benchmarks/certificates.py [--database postgresql://postgres@127.0.0.1:5432/bench] [--count 300]

- cold: ``render_pdf`` for ``--count`` *different* certificates (distinct code and holder name each
  time), after one warm-up render (fonts parsed, modules imported) - what a first download costs;
- cached: ``PdfCache.get`` for a certificate already rendered (what a repeat download costs);
- view: ``GET /certificates/<code>.pdf`` through the test client for the signed-in holder (cached after
  the first), including authentication, database lookups and response building;
- verification page: ``GET /verify/<code>`` through the test client, p50 / p99.

Targets: >= 100 PDFs/s after warm-up; verification page p50 < 5 ms. Reports; never fails.
"""
from __future__ import annotations

import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    COURSE, CSRF_RE, PASSWORD, base_parser, create_user, db_label, machine, make_instance, p50, percentile,
    print_table, summary, timed, timed_cpu, verdict,
)

PDF_TARGET, VERIFY_TARGET_MS = 100.0, 5.0


def main() -> None:
    parser = base_parser(__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=300, help="PDFs per measurement (default 300)")
    parser.add_argument("--repeat", type=int, default=500, help="verification page requests (default 500)")
    args = parser.parse_args()
    label = db_label(args.database)
    inst = make_instance(args.database, keep=args.keep)
    try:
        rows, figures = run(inst, args)
    finally:
        inst.cleanup()
    print()
    print(f"certificates on {label} - {machine()}")
    print_table(["measure", "per second", "p50 ms", "p99 ms", "CPU ms", "target"], rows)
    summary(f"certificates {label}", [
        f"cold PDF {figures['cold']:.0f}/s (target >= {PDF_TARGET:g}) {verdict(figures['cold'] >= PDF_TARGET)}",
        f"cached PDF {figures['cached']:,.0f}/s {verdict(figures['cached'] >= PDF_TARGET)}",
        f"verify page p50 {figures['verify']:.2f} ms (target < {VERIFY_TARGET_MS:g}) "
        f"{verdict(figures['verify'] < VERIFY_TARGET_MS)}",
    ])


def run(inst, args):
    from leadership.catalogue import catalogue_service
    from leadership.certificates import views as cert_views
    from leadership.certificates.pdf import PdfCache, render_pdf
    from leadership.certificates.service import issue_certificate
    from leadership.extensions import db

    app = inst.app()
    uid = create_user(app, "cert@example.org", name="Cllr Siân Ŵyn ap Rhys")
    with app.app_context():
        cert = issue_certificate(db.session, uid, catalogue_service.get().course(COURSE, "en"))
        code = cert.code
        db.session.remove()

    rows, figures = [], {}
    with app.test_request_context("/"):
        cert = cert_views.service.find_by_code(db.session, code)
        data = cert_views.print_data(cert)
        render_pdf(data)  # warm-up: fonts, QR encoder, gettext catalogues
        variants = [replace(data, code=f"{data.code[:-4]}{i:04d}", holder_name=f"{data.holder_name} {i}")
                    for i in range(args.count)]
        t0, c0 = time.perf_counter(), time.process_time()
        durations = []
        for v in variants:
            t = time.perf_counter()
            render_pdf(v)
            durations.append((time.perf_counter() - t) * 1000)
        cold = args.count / (time.perf_counter() - t0)
        cold_cpu = (time.process_time() - c0) * 1000 / args.count
        durations.sort()
        rows.append(["PDF, cold (render_pdf, distinct certificates)", cold, p50(durations),
                     percentile(durations, 99), cold_cpu, f">= {PDF_TARGET:g}/s"])
        figures["cold"] = cold
        for language in ("cy", "bilingual"):
            lv = [replace(v, language=language) for v in variants[: max(20, args.count // 5)]]
            render_pdf(lv[0])
            d = timed(lambda it=iter(lv[1:] * 2): render_pdf(next(it)), repeat=len(lv) - 1, warmup=0)
            rows.append([f"PDF, cold, {language}", 1000 / p50(d), p50(d), percentile(d, 99), "", ""])
        cache = PdfCache(size=args.count + 10)
        cache.get(data)
        d = timed(lambda: cache.get(data), repeat=args.count * 10, warmup=0)
        figures["cached"] = 1000 / (sum(d) / len(d))
        rows.append(["PDF, cached (PdfCache.get, same certificate)", figures["cached"], p50(d),
                     percentile(d, 99), "", ""])
        db.session.remove()

    client = app.test_client()
    page = client.get("/sign-in")
    token = CSRF_RE.search(page.text).group(1)
    resp = client.post("/sign-in", data={"csrf_token": token, "email": "cert@example.org", "password": PASSWORD})
    assert resp.status_code == 302, resp.status_code
    pdf_url = f"/certificates/{code}.pdf"
    first = client.get(pdf_url)
    if first.status_code == 200 and first.data.startswith(b"%PDF"):
        d = timed(lambda: client.get(pdf_url), repeat=args.count, warmup=3)
        rows.append(["GET /certificates/<code>.pdf (view, cached)", 1000 / p50(d), p50(d), percentile(d, 99), "",
                     ""])
    else:
        print(f"(PDF view answered {first.status_code}; skipped)")
    anon = app.test_client()
    verify_url = f"/verify/{code}"
    assert anon.get(verify_url).status_code == 200
    d, cpu = timed_cpu(lambda: anon.get(verify_url), repeat=args.repeat, warmup=20)
    figures["verify"] = p50(d)
    rows.append(["GET /verify/<code> (test client)", 1000 / p50(d), p50(d), percentile(d, 99), p50(cpu),
                 f"p50 < {VERIFY_TARGET_MS:g} ms"])
    d = timed(lambda: anon.get("/verify/AAAAA-BBBBB-CCCCC"), repeat=max(50, args.repeat // 5), warmup=5)
    rows.append(["GET /verify/<unknown code> (404 page)", 1000 / p50(d), p50(d), percentile(d, 99), "", ""])
    app.extensions["database"].dispose()
    return rows, figures


if __name__ == "__main__":
    main()
