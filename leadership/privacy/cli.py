"""``flask privacy apply-retention``: erase learners inactive longer than RETENTION_INACTIVE_DAYS."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from ..extensions import db

privacy_cli = AppGroup("privacy", help="Personal data: retention.")


@privacy_cli.command("apply-retention")
@click.option("--dry-run", is_flag=True, help="Only list who would be erased.")
@click.option("--days", type=click.IntRange(30, None), default=None,
              help="Override RETENTION_INACTIVE_DAYS (at least 30).")
def apply_retention(dry_run, days):
    """Erase learner accounts inactive for RETENTION_INACTIVE_DAYS (default 1095 = 3 years)."""
    from . import service

    days = days or int(current_app.config["RETENTION_INACTIVE_DAYS"])
    ids = service.apply_retention(db.session, days, dry_run=dry_run)
    verb = "Would erase" if dry_run else "Erased"
    click.echo(f"{verb} {len(ids)} learner account(s) inactive for more than {days} days.")
    for uid in ids:
        click.echo(f"  user:{uid}")
