"""The words of the enrolment area: languages, sectors and statuses with their labels, and
the aliases people write in spreadsheets (in both languages)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

LANGUAGES = ("id", "en")

SECTOR_LABELS = {
    "academic": _l("Academic"),
    "activist": _l("Activist"),
    "government": _l("Government"),
    "other": _l("Other"),
}
STATUS_LABELS = {
    "applied": _l("Applied"),
    "accepted": _l("Accepted"),
    "waitlisted": _l("Waitlisted"),
    "rejected": _l("Rejected"),
    "withdrawn": _l("Withdrawn"),
}
# Words people write in spreadsheets, in both languages.
SECTOR_ALIASES = {
    "academic": "academic", "academia": "academic", "akademisi": "academic",
    "akademik": "academic", "activist": "activist", "aktivis": "activist",
    "civil society": "activist", "ngo": "activist", "lsm": "activist",
    "government": "government", "pemerintah": "government", "pemerintahan": "government",
    "other": "other", "lainnya": "other", "lain-lain": "other", "lain": "other",
}
LANGUAGE_ALIASES = {
    "id": "id", "ind": "id", "indonesian": "id", "bahasa indonesia": "id", "indonesia": "id",
    "en": "en", "eng": "en", "english": "en", "inggris": "en", "bahasa inggris": "en",
}
