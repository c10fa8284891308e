"""The trainer's authoring dashboard and module editor with the shipped course, in-process.

    .venv/bin/python benchmarks/authoring_pages.py [--database postgresql://postgres@127.0.0.1:5432/bench]
                                                   [--repeat 100]

A trainer signs in through the real sign-in form (test client), then these are timed (p50 / p99,
wall and this process's CPU time):

- ``GET /author/``: every module of every course with its title, draft state and problem count;
- ``GET /author/digital-leadership/<name>``: the editor of the biggest module (source, problems and
  the rendered preview);
- the same two pages with a draft saved for one module (the dashboard must then notice the draft);
- for comparison, a preview of a text the editor has not seen (parsed and rendered every time).

Target: both pages p50 < 100 ms with the shipped course. Reports; never fails.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    COURSE, CSRF_RE, PASSWORD, base_parser, create_user, db_label, machine, make_instance, p50, percentile,
    print_table, summary, timed_cpu, verdict,
)

TARGET_MS = 100.0


def main() -> None:
    parser = base_parser(__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=100, help="requests per row (default 100)")
    args = parser.parse_args()
    label = db_label(args.database)
    inst = make_instance(args.database, keep=args.keep)
    try:
        rows, figures = run(inst, args)
    finally:
        inst.cleanup()
    print()
    print(f"authoring pages on {label} - {machine()}")
    print_table(["page", "p50 ms", "p99 ms", "CPU p50 ms", "target"], rows)
    summary(f"authoring pages {label}", [
        f"{what} p50 {ms:.1f} ms (target < {TARGET_MS:g}) {verdict(ms < TARGET_MS)}"
        for what, ms in figures.items()
    ])


def _give_authenticator(app, email: str) -> str:
    """Staff must use two-step verification: give the trainer an authenticator secret."""
    import pyotp
    import sqlalchemy as sa

    from leadership.auth.models import User
    from leadership.db import utcnow
    from leadership.extensions import db

    secret = pyotp.random_base32()
    with app.app_context():
        db.session.execute(sa.update(User).where(User.email == email)
                           .values(totp_secret=secret, mfa_enabled_at=utcnow()))
        db.session.commit()
        db.session.remove()
    return secret


def _sign_in(client, email: str, secret: str) -> None:
    """The real sign-in form, then the real second-factor form with the current TOTP code."""
    import pyotp

    token = CSRF_RE.search(client.get("/sign-in").text).group(1)
    resp = client.post("/sign-in", data={"csrf_token": token, "email": email, "password": PASSWORD})
    if resp.status_code != 302 or not resp.headers["Location"].endswith("/sign-in/two-factor"):
        raise SystemExit(f"sign-in answered {resp.status_code} {resp.headers.get('Location')}")
    token = CSRF_RE.search(client.get("/sign-in/two-factor").text).group(1)
    resp = client.post("/sign-in/two-factor", data={"csrf_token": token, "code": pyotp.TOTP(secret).now()})
    if resp.status_code != 302:
        raise SystemExit(f"the second factor answered {resp.status_code}")


def _row(rows, figures, what: str, client, url: str, repeat: int) -> None:
    first = client.get(url)
    if first.status_code != 200:
        raise SystemExit(f"{url} answered {first.status_code}")
    wall, cpu = timed_cpu(lambda: client.get(url), repeat=repeat, warmup=3)
    figures[what] = p50(wall)
    rows.append([f"{what} ({url})", p50(wall), percentile(wall, 99), p50(cpu), f"p50 < {TARGET_MS:g} ms"])


def run(inst, args):
    from leadership.catalogue import catalogue_service

    app = inst.app()
    email = "bench-trainer@example.org"
    create_user(app, email, role="trainer", name="Tess Trainer")
    secret = _give_authenticator(app, email)
    with app.app_context():
        course = catalogue_service.get().course(COURSE, "en")
        biggest = max(course.modules, key=lambda m: len(m.source))
    client = app.test_client()
    _sign_in(client, email, secret)
    rows: list[list] = []
    figures: dict[str, float] = {}
    editor = f"/author/{COURSE}/{biggest.name}"
    _row(rows, figures, "dashboard", client, "/author/", args.repeat)
    _row(rows, figures, "module editor", client, editor, args.repeat)

    page = client.get(editor).text
    token = CSRF_RE.search(page).group(1)
    lock = _hidden(page, "lock_version")
    base = _hidden(page, "base_version")
    resp = client.post(editor + "/save", data={"csrf_token": token, "source": biggest.source + "\nA draft line.\n",
                                               "lock_version": lock, "base_version": base, "save": "Save draft"})
    if resp.status_code != 302:
        raise SystemExit(f"saving a draft answered {resp.status_code}")
    _row(rows, figures, "dashboard with a draft", client, "/author/", args.repeat)
    _row(rows, figures, "module editor with a draft", client, editor, args.repeat)
    rows.append(_preview_row(client, editor, biggest.source, token, args.repeat))
    app.extensions["database"].dispose()
    return rows, figures


def _preview_row(client, editor: str, source: str, token: str, repeat: int) -> list:
    """Preview of a text never seen before (each request differs): parsed and rendered every time."""
    counter = iter(range(10 ** 9))

    def preview():
        resp = client.post(editor + "/preview", data={"csrf_token": token, "lock_version": "0", "base_version": "",
                                                      "source": source + f"\nEdit {next(counter)}.\n",
                                                      "preview": "Preview"})
        if resp.status_code != 200:
            raise SystemExit(f"preview answered {resp.status_code}")

    wall, cpu = timed_cpu(preview, repeat=repeat, warmup=3)
    return [f"editor preview of a new text (POST {editor}/preview)", p50(wall), percentile(wall, 99), p50(cpu),
            "(not a target)"]


def _hidden(page: str, name: str) -> str:
    import re

    match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', page) or \
        re.search(rf'value="([^"]*)"[^>]*name="{name}"', page)
    return match.group(1) if match else ""


if __name__ == "__main__":
    main()
