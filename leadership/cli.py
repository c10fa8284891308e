"""``flask`` commands: database, councils, users, and course content."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from .config import PROJECT_ROOT
from .extensions import db


def alembic_config():
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    cfg.set_main_option("sqlalchemy.url", current_app.config["DATABASE_URL"].replace("%", "%%"))
    return cfg


def upgrade_database() -> None:
    from alembic import command

    command.upgrade(alembic_config(), "head")


db_cli = AppGroup("db", help="Database schema (Alembic migrations).")


@db_cli.command("upgrade")
def db_upgrade():
    """Create or migrate the database to the latest schema."""
    upgrade_database()
    click.echo("Database is up to date.")


councils_cli = AppGroup("councils", help="The official list of councils.")


@councils_cli.command("load")
def councils_load():
    """Load or update the council list (idempotent)."""
    from .councils.loader import load_councils

    added, updated = load_councils(db.session)
    click.echo(f"Councils: {added} added, {updated} updated.")


users_cli = AppGroup("users", help="User accounts.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", default=None, help="Full name (defaults to the email's name part).")
@click.option("--role", type=click.Choice(["learner", "trainer", "council_admin", "lga_admin"]), default="learner")
@click.option("--council", "council_code", default="LND", show_default=True, help="Council code, e.g. CRF.")
@click.option("--password", default=None, help="Prompted for when omitted.")
def users_create(email, name, role, council_code, password):
    """Create a user with a role."""
    import sqlalchemy as sa

    from .auth import service
    from .auth.models import Role
    from .councils.models import Council

    council = db.session.scalar(sa.select(Council).where(Council.code == council_code.upper()))
    if council is None:
        raise click.ClickException(f"unknown council code {council_code!r}; run `flask councils load` first?")
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = service.create_user(db.session, name=name or email.split("@")[0], email=email,
                                   password=password, council=council, role=Role(role))
    except service.AccountError as err:
        raise click.ClickException(err.message)
    click.echo(f"Created {role} {user.email} ({council.name}).")


course_cli = AppGroup("course", help="Course content.")


@course_cli.command("validate")
@click.argument("path", required=False, type=click.Path(path_type=Path))
def course_validate(path):
    """Check course files; print `path:line: message` per problem; exit 1 if any.

    Advice that does not make content invalid follows as `path:line: warning: message`
    lines; warnings never change the exit code.
    """
    from .content import validate_path, warnings_for_path

    target = path or Path(current_app.config["COURSES_DIR"])
    if not target.exists():
        click.echo(f"{target}:0: no such file or folder", err=False)
        sys.exit(1)
    problems = validate_path(target)
    for problem in problems:
        click.echo(str(problem))
    for warning in warnings_for_path(target):
        click.echo(str(warning))
    if problems:
        click.echo(f"{len(problems)} problem(s) found.", err=True)
        sys.exit(1)
    click.echo("Course content is valid.", err=True)


@course_cli.command("reload")
def course_reload():
    """Re-read course files now and report what was loaded."""
    from .catalogue import catalogue_service

    from .authoring.cli import bump_reload_stamp

    bump_reload_stamp()  # other worker processes notice within a few seconds
    catalogue = catalogue_service.reload()
    for course in catalogue.courses_for("en"):
        click.echo(f"{course.slug}: {len(course.modules)} modules, content version {course.content_version}")
    for problem in catalogue.problems:
        click.echo(str(problem))


def init_app(app) -> None:
    for command in app.extensions.get("course_commands", ()):  # e.g. authoring's export/import
        course_cli.add_command(command)
    from .demo.cli import demo_cli
    from .mail import mail_cli
    from .privacy.cli import privacy_cli

    for group in (mail_cli, privacy_cli):
        app.cli.add_command(group)

    for group in (db_cli, councils_cli, users_cli, course_cli, demo_cli):
        app.cli.add_command(group)
