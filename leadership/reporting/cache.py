"""A small in-process, time-limited cache for dashboard aggregates.

The aggregates scan the progress tables; at national scale that is tens to a few
hundred milliseconds, and the figures do not need to be fresher than a minute.
``REPORTING_CACHE_SECONDS`` (default 60; 0 turns caching off, as in tests).
"""
from __future__ import annotations

import threading
import time

_lock = threading.Lock()
_items: dict = {}
MAX_ITEMS = 256


def cached(key, seconds: float, compute):
    if seconds <= 0:
        return compute()
    now = time.monotonic()
    with _lock:
        hit = _items.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
    value = compute()
    with _lock:
        if len(_items) >= MAX_ITEMS:
            _items.clear()
        _items[key] = (now + seconds, value)
    return value


def clear() -> None:
    with _lock:
        _items.clear()
