"""``flask course export`` / ``flask course import``, and the cross-process reload stamp.

:data:`COURSE_COMMANDS` are added to the ``flask course`` group by
:func:`leadership.authoring.init_app` (through ``app.extensions["course_commands"]``).
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import click
import yaml
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.orm import Session

from ..catalogue import catalogue_service
from ..content import normalise
from .baseline import Baseline, find_baselines
from .db_session import current_session
from .errors import AuthoringError, HasProblems
from .generation import bump_generation
from .order import course_order
from .published import published_text
from .versions import import_course


def write_course_yaml_order(text: str, names: list[str]) -> str:
    """Replace the ``modules:`` list in course.yaml text, keeping everything else as written."""
    lines = normalise(text).split("\n")
    out, i = [], 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("modules:"):
            out.append("modules:")
            out += [f"  - {n}" for n in names]
            i += 1
            while i < len(lines) and (lines[i].startswith((" ", "\t", "-")) or not lines[i].strip()):
                if not lines[i].strip() and i + 1 < len(lines) and not lines[i + 1].startswith((" ", "\t", "-")):
                    break
                i += 1
            continue
        out.append(line)
        i += 1
    result = "\n".join(out)
    data = yaml.safe_load(result)
    if not isinstance(data, dict) or data.get("modules") != names:
        raise AuthoringError("course.yaml is laid out in a way the module order cannot be written "
                             'into; edit its "modules:" list by hand.')
    return result


def export_course(session: Session, baseline: Baseline, out_dir: Path) -> list[str]:
    """Write the published state of one course to ``out_dir`` (a course folder); return written paths."""
    written = []
    names = course_order(session, baseline)
    if out_dir.resolve() != baseline.path.resolve():
        shutil.copytree(baseline.path, out_dir, dirs_exist_ok=True)
    yaml_path = out_dir / "course.yaml"
    original = (baseline.path / "course.yaml").read_text(encoding="utf-8")
    new_yaml = write_course_yaml_order(original, names) if names != list(baseline.meta.module_names) else original
    if yaml_path.read_text(encoding="utf-8") != new_yaml:
        yaml_path.write_text(new_yaml, encoding="utf-8")
        written.append(str(yaml_path))
    (out_dir / "modules").mkdir(parents=True, exist_ok=True)
    for name in names:
        text = published_text(session, baseline, name)
        if text is None:
            continue
        path = out_dir / "modules" / f"{name}.md"
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if current is None or normalise(current) != normalise(text):
            path.write_text(text, encoding="utf-8")
            written.append(str(path))
    return written


@click.command("export")
@click.option("--out", "out", type=click.Path(path_type=Path), default=None,
              help="Folder to write to (default: over the courses folder itself).")
@with_appcontext
def course_export(out: Path | None) -> None:
    """Write the published content (browser versions over files) out as course files."""
    root = Path(current_app.config["COURSES_DIR"])
    for slug, baseline in find_baselines(root).items():
        target = baseline.path if out is None else (Path(out) / baseline.path.relative_to(root)
                                                    if baseline.path != root else Path(out))
        try:
            written = export_course(current_session(), baseline, target)
        except AuthoringError as err:
            click.echo(f"{baseline.path / 'course.yaml'}:1: {err.message}", err=True)
            sys.exit(1)
        click.echo(f"{slug}: {len(written)} file(s) written to {target}")
        for w in written:
            click.echo(f"  {w}")


@click.command("import")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@with_appcontext
def course_import(path: Path | None) -> None:
    """Publish course files as new versions where they differ from what is published."""
    root = Path(current_app.config["COURSES_DIR"])
    baselines = find_baselines(root)
    sources = find_baselines(path or root)
    if not sources:
        click.echo(f"{path or root}:0: no course.yaml found", err=True)
        sys.exit(1)
    failed = False
    for slug, source in sources.items():
        baseline = baselines.get(slug)
        if baseline is None:
            click.echo(f"{slug}: not a course in {root}; skipped", err=True)
            failed = True
            continue
        try:
            created = import_course(current_session(), baseline, source)
        except HasProblems as err:
            current_session().rollback()
            click.echo(f"{slug}: {err.message}", err=True)
            for p in err.problems:
                click.echo(str(p), err=True)
            failed = True
            continue
        current_session().commit()
        click.echo(f"{slug}: {len(created)} new version(s)")
        for name, number in created:
            click.echo(f"  {name}: version {number}")
    catalogue_service.reload()
    if failed:
        sys.exit(1)


COURSE_COMMANDS = (course_export, course_import)


def bump_reload_stamp() -> None:
    """Make every running process reload content (``flask course reload``)."""
    try:
        bump_generation(current_session())
        current_session().commit()
    except Exception as exc:  # e.g. before `flask db upgrade`
        current_session().rollback()
        click.echo(f"(could not tell other processes to reload: {exc.__class__.__name__})", err=True)
