"""Certificate codes: short, unguessable, readable aloud and typeable.

15 characters from a 30-symbol alphabet with no 0/O, 1/I/L or U, drawn with
``secrets``: 30**15 ≈ 2**73.6 (``CODE_BITS``). Twelve characters would give only
58.9 bits with an unambiguous alphabet, short of the 60-bit floor, so codes are
three groups of five. Stored bare, shown grouped: ``K7QM2-XR9TB-4HWNP``.
"""
from __future__ import annotations

import math
import re
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 15
GROUP = 5
CODE_BITS = LENGTH * math.log2(len(ALPHABET))

_STRIP = re.compile(r"[\s\-_.]")


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def format_code(code: str) -> str:
    return "-".join(code[i:i + GROUP] for i in range(0, len(code), GROUP))


def normalise_code(text: str) -> str | None:
    """Turn what someone typed or scanned into a stored code, or None if it cannot be one."""
    bare = _STRIP.sub("", (text or "").upper())
    if len(bare) != LENGTH or any(ch not in ALPHABET for ch in bare):
        return None
    return bare
