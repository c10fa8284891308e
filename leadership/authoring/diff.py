"""Line diffs as plain rows, for an accessible table (markers and words, not colour alone)."""
from __future__ import annotations

import difflib
from dataclasses import dataclass


@dataclass(frozen=True)
class DiffRow:
    kind: str  # "hunk" | "context" | "added" | "removed"
    old: int | None
    new: int | None
    text: str

    @property
    def marker(self) -> str:
        return {"added": "+", "removed": "-", "context": " ", "hunk": "@@"}[self.kind]


def diff_rows(old: str, new: str, context: int = 3) -> list[DiffRow]:
    a, b = (old or "").split("\n"), (new or "").split("\n")
    rows: list[DiffRow] = []
    for group in difflib.SequenceMatcher(None, a, b, autojunk=False).get_grouped_opcodes(context):
        first, last = group[0], group[-1]
        rows.append(DiffRow("hunk", first[1] + 1, first[3] + 1,
                            f"@@ -{first[1] + 1},{last[2] - first[1]} +{first[3] + 1},{last[4] - first[3]} @@"))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                rows += [DiffRow("context", i1 + k + 1, j1 + k + 1, a[i1 + k]) for k in range(i2 - i1)]
                continue
            if tag in ("replace", "delete"):
                rows += [DiffRow("removed", i1 + k + 1, None, a[i1 + k]) for k in range(i2 - i1)]
            if tag in ("replace", "insert"):
                rows += [DiffRow("added", None, j1 + k + 1, b[j1 + k]) for k in range(j2 - j1)]
    return rows

