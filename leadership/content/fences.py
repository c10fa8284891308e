"""Which Markdown lines are inside fenced code blocks (headings and links there are not real)."""

from __future__ import annotations

import re
from typing import Iterable, Iterator

__all__ = ["fence_states"]

FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def fence_states(lines: Iterable[tuple[int, str]]) -> Iterator[tuple[int, str, bool]]:
    """Yield (line_number, text, in_code) for each line; in_code is true for fenced code blocks,
    their opening and closing fences included (CommonMark: a closing fence is at least as long as
    the opening one, of the same character, with nothing after it)."""
    fence: str | None = None
    for n, text in lines:
        fm = FENCE_RE.match(text)
        if fence is not None:
            if fm and fm.group(1)[0] == fence[0] and len(fm.group(1)) >= len(fence) \
                    and not text.strip()[len(fm.group(1)):].strip():
                fence = None
            yield n, text, True
        elif fm:
            fence = fm.group(1)
            yield n, text, True
        else:
            yield n, text, False
