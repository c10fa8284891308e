"""The per-learner completions feed behind ``GET /api/v1/completions`` (domain logic).

One record per completion: a module completion (``ModuleCompletion``) or a
course completion (a ``Certificate``). Records are ordered by ``(updated_at,
kind, id)`` and paged with an opaque keyset cursor, so a client walking the
pages sees every row exactly once even while new completions arrive (they sort
after the cursor). A certificate's ``updated_at`` moves when it is revoked or
withdrawn, so an incremental pull (``since=``) sees the change.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..auth.models import Role, User
from ..certificates.models import Certificate
from ..councils.models import Council
from ..db import utcnow
from ..quizzes.models import ModuleCompletion

COURSE, MODULE = "course", "module"  # kinds; "course" < "module" in the sort order


class BadCursor(ValueError):
    pass


@dataclass(frozen=True)
class Cursor:
    ts: datetime
    kind: str
    id: int

    def encode(self) -> str:
        raw = json.dumps([self.ts.isoformat(), self.kind, self.id], separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> "Cursor":
        # The OpenAPI document's pattern for it: base64url without padding, at most 200 characters.
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,200}", text or ""):
            raise BadCursor("cursor is not one this API issued")
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            ts, kind, id_ = json.loads(raw)
            if kind not in (COURSE, MODULE) or not isinstance(id_, int) or isinstance(id_, bool):
                raise ValueError
            return cls(datetime.fromisoformat(ts), kind, id_)
        except (ValueError, TypeError, json.JSONDecodeError) as err:
            raise BadCursor("cursor is not one this API issued") from err


def learner_ref(secret: str, user_id: int | None) -> str | None:
    """A stable, opaque learner id (an HMAC of the account id under the app's secret)."""
    if user_id is None:
        return None
    digest = hmac.new(secret.encode(), f"learner:{user_id}".encode(), hashlib.sha256).hexdigest()
    return "lrn_" + digest[:24]


def iso(dt: datetime | None) -> str | None:
    return None if dt is None else dt.replace(tzinfo=timezone.utc).isoformat().replace("+00:00", "Z")


def _after(ts_col, id_col, kind: str, cursor: Cursor | None, since: datetime | None) -> list:
    conds = []
    if since is not None:
        conds.append(ts_col >= since)
    if cursor is not None:
        if kind > cursor.kind:
            conds.append(ts_col >= cursor.ts)
        elif kind == cursor.kind:
            conds.append(sa.or_(ts_col > cursor.ts, sa.and_(ts_col == cursor.ts, id_col > cursor.id)))
        else:
            conds.append(ts_col > cursor.ts)
    return conds


def completions_page(session: Session, *, council_id: int | None, course_slug: str | None = None,
                     cursor: Cursor | None = None, since: datetime | None = None, limit: int = 100
                     ) -> tuple[list[dict], Cursor | None]:
    """One page of completion records in scope, and the cursor for the next page (None at the end).

    Two small queries (one per kind, each using its own index and ``LIMIT``), merged in order.
    """
    mc_ts = ModuleCompletion.completed_at
    mc = (sa.select(ModuleCompletion.id, mc_ts.label("ts"), ModuleCompletion.user_id, User.name, Council.code,
                    ModuleCompletion.course_slug, ModuleCompletion.module_slug, ModuleCompletion.score,
                    ModuleCompletion.content_version)
          .join(User, User.id == ModuleCompletion.user_id).join(Council, Council.id == User.council_id)
          .where(User.role == Role.LEARNER.value, *_after(mc_ts, ModuleCompletion.id, MODULE, cursor, since))
          .order_by(mc_ts, ModuleCompletion.id).limit(limit + 1))
    cert_ts = sa.func.coalesce(Certificate.revoked_at, Certificate.withdrawn_at, Certificate.issued_at)
    ct = (sa.select(Certificate, cert_ts.label("ts"), Council.code)
          .outerjoin(User, User.id == Certificate.user_id).join(Council, Council.id == Certificate.council_id)
          .where(sa.or_(Certificate.user_id.is_(None), User.role == Role.LEARNER.value),
                 *_after(cert_ts, Certificate.id, COURSE, cursor, since))
          .order_by(cert_ts, Certificate.id).limit(limit + 1))
    if council_id is not None:
        mc = mc.where(User.council_id == council_id)
        ct = ct.where(Certificate.council_id == council_id)
    if course_slug:
        mc = mc.where(ModuleCompletion.course_slug == course_slug)
        ct = ct.where(Certificate.course_slug == course_slug)
    merged = [(row.ts, MODULE, row.id, row) for row in session.execute(mc)]
    merged += [(row.ts, COURSE, row.Certificate.id, row) for row in session.execute(ct)]
    merged.sort(key=lambda item: item[:3])
    page, more = merged[:limit], len(merged) > limit
    from flask import current_app

    secret = current_app.config["SECRET_KEY"]
    now = utcnow()
    records = []
    for ts, kind, id_, row in page:
        if kind == MODULE:
            records.append({
                "id": f"module-{id_}", "type": MODULE,
                "learner": {"id": learner_ref(secret, row.user_id), "name": row.name},
                "council_code": row.code, "course": row.course_slug, "module": row.module_slug,
                "completed_at": iso(ts), "updated_at": iso(ts), "score": row.score,
                "content_version": row.content_version, "certificate": None,
            })
        else:
            cert = row.Certificate
            records.append({
                "id": f"course-{id_}", "type": COURSE,
                "learner": ({"id": learner_ref(secret, cert.user_id), "name": cert.holder_name}
                            if cert.user_id is not None else None),
                "council_code": row.code, "course": cert.course_slug, "module": None,
                "completed_at": iso(cert.issued_at), "updated_at": iso(ts), "score": None,
                "content_version": cert.content_version,
                "certificate": {"code": cert.display_code, "status": cert.status(now), "cycle": cert.cycle,
                                "issued_at": iso(cert.issued_at), "expires_at": iso(cert.expires_at)},
            })
    next_cursor = Cursor(*page[-1][:3]) if more and page else None
    return records, next_cursor
