"""``flask demo ...``: demo accounts for trying the service (and, later, demo data)."""
from __future__ import annotations

import json
import secrets
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

from ..extensions import db

demo_cli = AppGroup("demo", help="Demo accounts and data.")

DEMO_ACCOUNTS = [
    ("learner", "councillor@example.org", "Cllr Alex Morgan", "CRF"),
    ("trainer", "trainer@example.org", "Sam Trainer", "LND"),
    ("council_admin", "member-support@example.org", "Jo Member-Support", "CRF"),
    ("lga_admin", "lga-admin@example.org", "Pat LGA", "LND"),
]


@demo_cli.command("accounts")
def demo_accounts():
    """Create one account per role (idempotent) and print how to sign in."""
    from ..auth import service
    from ..auth.models import Role
    from ..councils.models import Council

    store = Path(current_app.instance_path) / "demo-accounts.json"
    passwords = json.loads(store.read_text()) if store.exists() else {}
    click.echo("Demo accounts (development only):")
    for role, email, name, code in DEMO_ACCOUNTS:
        council = db.session.scalar(sa.select(Council).where(Council.code == code))
        if council is None:
            raise click.ClickException("no councils loaded: run `flask councils load` first")
        password = passwords.get(email) or "-".join(secrets.choice(_WORDS) for _ in range(3))
        user = service.find_user_by_email(db.session, email)
        if user is None:
            user = service.create_user(db.session, name=name, email=email, password=password,
                                       council=council, role=Role(role))
        passwords[email] = password
        click.echo(f"  {role:<14} {email:<30} password: {password:<28} ({council.name})")
        if Role(role).is_staff:  # staff must use two-step verification: give the demo a known key
            from ..auth import mfa
            from ..db import utcnow

            if not user.totp_secret:
                user.totp_secret = passwords.get(f"{email}#totp") or mfa.new_secret()
                user.mfa_enabled_at = utcnow()
                db.session.commit()
            passwords[f"{email}#totp"] = user.totp_secret
            uri = mfa.provisioning_uri(user.totp_secret, email, current_app.config["SERVICE_NAME"])
            click.echo(f"  {'':<14} authenticator key: {mfa.grouped(user.totp_secret)}  ({uri})")
    store.write_text(json.dumps(passwords, indent=2))
    store.chmod(0o600)


_WORDS = ("kettle", "harbour", "lantern", "meadow", "copper", "falcon", "orchard", "pebble", "quartz",
          "saddle", "thistle", "valley", "willow", "bramble", "cobalt", "ember", "glacier", "heron")


@demo_cli.command("seed")
@click.option("--learners", type=click.IntRange(1, 1_000_000), default=1000, show_default=True,
              help="How many demo learners to create.")
@click.option("--seed", "seed_value", type=int, default=1, show_default=True, help="Random seed (same seed, same data).")
@click.option("--reset", is_flag=True, help="First delete learners created by an earlier seed.")
@click.option("--answers/--no-answers", default=True, show_default=True,
              help="Also store each quiz attempt's answers (about 12 rows per attempt).")
def demo_seed(learners, seed_value, reset, answers):
    """Create realistic, deterministic learners, progress, quiz attempts and certificates across every council."""
    import time

    from .seed import reset as reset_demo, seed

    if reset:
        started = time.perf_counter()
        removed = reset_demo(db.session)
        click.echo(f"Reset: removed {removed.get('user_account', 0)} demo learners and their data "
                   f"in {time.perf_counter() - started:.1f}s.")
    try:
        result = seed(db.session, learners=learners, seed=seed_value, answers=answers)
    except ValueError as err:
        raise click.ClickException(str(err))
    for table, count in result.counts.items():
        click.echo(f"  {table:<18} {count:>10,}")
    click.echo(f"Seeded {learners:,} learners (seed {seed_value}) in {result.seconds:.1f}s.")
