"""Periodic schedules are settings: five-field cron expressions, evaluated in UTC."""
from __future__ import annotations

from typing import Callable

from huey import crontab


def parse(expression: str, *, setting: str = "schedule") -> Callable:
    """``"*/10 * * * *"`` -> Huey's crontab test. Raises ValueError naming the setting."""
    fields = str(expression).split()
    if len(fields) != 5:
        raise ValueError(f"{setting} must be a cron expression of five fields "
                         f"(minute hour day month weekday), got {expression!r}")
    minute, hour, day, month, weekday = fields
    try:
        return crontab(minute=minute, hour=hour, day=day, month=month, day_of_week=weekday, strict=True)
    except ValueError as exc:
        raise ValueError(f"{setting}: {expression!r} is not a valid cron expression ({exc})") from None
