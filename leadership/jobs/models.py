"""A record of every background task run, for ``flask jobs status`` and monitoring."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, utcnow


class JobRun(Base):
    __tablename__ = "job_run"
    __table_args__ = (sa.Index("ix_job_run_task_finished", "task", "finished_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task: Mapped[str] = mapped_column(sa.String(60))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    ok: Mapped[bool] = mapped_column(default=True)
    result: Mapped[str] = mapped_column(sa.String(300), default="")  # e.g. "sent=3 failed=0"
    error: Mapped[str] = mapped_column(sa.String(1000), default="")
