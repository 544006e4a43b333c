"""Folding text for matching that ignores case and diacritics ("Tanah Tinggi" = "tánah tinggi").

The folded form is stored next to the text it comes from (organisation names, enrolment
search keys), so one indexed ``LIKE`` matches on SQLite and PostgreSQL alike.
"""
from __future__ import annotations

import unicodedata


def fold(text: str | None) -> str:
    """NFKD, marks stripped, case folded, whitespace collapsed."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.casefold().split())


def like_pattern(query: str) -> str:
    """A ``LIKE ... ESCAPE '\\'`` pattern matching the folded query anywhere."""
    folded = fold(query).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{folded}%"
