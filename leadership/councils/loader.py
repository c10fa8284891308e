"""Load the official council list into the database, idempotently.

Data: mySociety, *UK Local Authority Names and Codes* (CC BY 4.0); GSS codes
from ONS (OGL v3). Principal councils only: combined authorities and the GLA
are not councils a councillor sits on.
"""
from __future__ import annotations

import csv
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .models import Council

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "councils-england-wales-current.csv"
NOT_PRINCIPAL = {"Combined authority", "Strategic Regional Authority"}


def read_councils(path: Path = DATA_FILE) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["type"] not in NOT_PRINCIPAL]
    return [
        {
            "code": r["code"],
            "name": r["name"],
            "nice_name": r["nice_name"] or r["name"],
            "nation": r["nation"],
            "type": r["type"],
            "type_code": r["type_code"],
            "gss_code": r["gss_code"] or None,
            "region": r["region"],
            "current": r["current"] == "True",
        }
        for r in rows
    ]


def load_councils(session: Session, path: Path = DATA_FILE) -> tuple[int, int]:
    """Insert new councils and update changed ones. Returns (added, updated)."""
    existing = {c.code: c for c in session.scalars(sa.select(Council))}
    added = updated = 0
    for row in read_councils(path):
        council = existing.get(row["code"])
        if council is None:
            session.add(Council(**row))
            added += 1
            continue
        changed = False
        for key, value in row.items():
            if getattr(council, key) != value:
                setattr(council, key, value)
                changed = True
        updated += changed
    session.commit()
    return added, updated


def search_councils(session: Session, query: str, limit: int = 20) -> list[Council]:
    q = (query or "").strip()[:100]
    stmt = sa.select(Council).where(Council.current.is_(True)).order_by(Council.nice_name)
    if q:
        like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(sa.or_(Council.name.ilike(like, escape="\\"), Council.nice_name.ilike(like, escape="\\")))
    return list(session.scalars(stmt.limit(limit)))


def council_choices(session: Session) -> list[tuple[str, str]]:
    return [(c.code, c.name) for c in session.scalars(
        sa.select(Council).where(Council.current.is_(True)).order_by(Council.name))]


def resolve_council(session: Session, typed: str, chosen_code: str | None) -> tuple[Council | None, list[Council]]:
    """Turn what a registrant typed (or picked from suggestions) into one council.

    Returns (council, []) on an exact match or a valid pick, else (None, suggestions).
    """
    if chosen_code:
        council = session.scalar(sa.select(Council).where(Council.code == chosen_code[:8], Council.current.is_(True)))
        if council is not None:
            return council, []
    typed = (typed or "").strip()
    if not typed:
        return None, []
    exact = session.scalars(sa.select(Council).where(
        Council.current.is_(True),
        sa.or_(sa.func.lower(Council.name) == typed.lower(), sa.func.lower(Council.nice_name) == typed.lower()),
    )).all()
    if len(exact) == 1:
        return exact[0], []
    return None, search_councils(session, typed, limit=10)
