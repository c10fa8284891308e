"""Module order set in the browser: it overrides course.yaml ``modules`` once stored."""
from __future__ import annotations

from sqlalchemy.orm import Session

from .. import audit
from ..db import utcnow
from .baseline import Baseline
from .errors import AuthoringError
from .generation import bump_generation
from .models import CourseOrder


def course_order(session: Session, baseline: Baseline) -> list[str]:
    row = session.get(CourseOrder, baseline.slug)
    return list(row.module_names) if row is not None else list(baseline.meta.module_names)


def set_order(session: Session, baseline: Baseline, names: list[str]) -> None:
    """Store the order (part of the caller's transaction; every process reloads)."""
    row = session.get(CourseOrder, baseline.slug)
    if row is None:
        session.add(CourseOrder(course_slug=baseline.slug, module_names=list(names), updated_at=utcnow()))
    else:
        row.module_names = list(names)
        row.updated_at = utcnow()
    bump_generation(session)


def move_module(session: Session, baseline: Baseline, name: str, direction: str, *, actor: object
                ) -> list[str]:
    names = course_order(session, baseline)
    if name not in names:
        raise AuthoringError("That module is not in the course.")
    i = names.index(name)
    j = i - 1 if direction == "up" else i + 1
    if direction not in ("up", "down") or not 0 <= j < len(names):
        return names
    names[i], names[j] = names[j], names[i]
    set_order(session, baseline, names)
    audit.record(session, actor=actor, action="content.reorder", target=f"course:{baseline.slug}",
                 detail={"module": name, "direction": direction, "order": names})
    session.commit()
    return names
