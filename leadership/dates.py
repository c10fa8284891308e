"""Dates and times that people type (report filters, the API's ``since``): parsed in one place.

A typed date must be a real calendar date between :data:`EARLIEST` and :data:`LATEST`.
The range is far wider than the service's lifetime, and narrow enough that adding a day,
converting a time zone or comparing with the database can never overflow (pen test F7:
``to=9999-12-31`` used to answer 500).
"""
from __future__ import annotations

import re
from datetime import date, datetime, timezone

EARLIEST = date(2000, 1, 1)
LATEST = date(2099, 12, 31)

# RFC 3339 date-time (what OpenAPI's "format: date-time" means): a "T", seconds, and "Z" or an offset.
_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?(?:[Zz]|[+-]\d{2}:\d{2})")


class DateProblem(ValueError):
    """``kind`` is "format" (not a real date) or "range" (outside EARLIEST..LATEST)."""

    def __init__(self, kind: str):
        super().__init__(kind)
        self.kind = kind


def in_range(value: date) -> bool:
    return EARLIEST <= value <= LATEST


def parse_date(text: str) -> date:
    """A YYYY-MM-DD date within the range, or DateProblem."""
    text = (text or "").strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise DateProblem("format")
    try:
        value = date.fromisoformat(text)
    except ValueError:
        raise DateProblem("format") from None
    if not in_range(value):
        raise DateProblem("range")
    return value


def parse_date_time_utc(text: str) -> datetime:
    """An RFC 3339 date-time (``Z`` or an offset) within the range, as naive UTC, or DateProblem.

    A ``+`` left unencoded in a query string arrives as a space; it is read as ``+``.
    """
    text = (text or "").strip().replace(" ", "+")
    if not _DATE_TIME.fullmatch(text):
        raise DateProblem("format")
    try:
        value = datetime.fromisoformat(text.replace("z", "Z").replace("Z", "+00:00").replace("t", "T"))
    except ValueError:
        raise DateProblem("format") from None
    if not in_range(value.date()):
        raise DateProblem("range")
    return value.astimezone(timezone.utc).replace(tzinfo=None)
