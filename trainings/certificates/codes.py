"""Verification codes: 80 random bits in Crockford's base32, read aloud in groups of four.

``7KQ3-MX9D-2HTP-B4RW``: 16 symbols from ``0-9 A-Z`` without I, L, O and U (no 1/I/L or
0/O confusion, no accidental words), grouped by four. Typed codes are case-insensitive and
tolerate missing or extra hyphens and spaces; I and L read as 1 and O as 0, as Crockford
decoding does.
"""
from __future__ import annotations

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 16  # 16 x 5 bits = 80 random bits
GROUP = 4
PATTERN = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$")
_TYPED = str.maketrans({"I": "1", "L": "1", "O": "0"})


def new_code() -> str:
    symbols = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return "-".join(symbols[i:i + GROUP] for i in range(0, LENGTH, GROUP))


def normalise(typed: str | None) -> str | None:
    """The canonical form of a typed code, or None when it cannot be one."""
    if not isinstance(typed, str) or len(typed) > 64:
        return None
    symbols = re.sub(r"[\s\-_.]", "", typed).upper().translate(_TYPED)
    if len(symbols) != LENGTH or any(c not in ALPHABET for c in symbols):
        return None
    return "-".join(symbols[i:i + GROUP] for i in range(0, LENGTH, GROUP))
