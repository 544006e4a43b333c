"""The accessibility classifier: which checklist items a free-text need asks for."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

ACCESSIBILITY_NEEDS = [
    # (key, label, words that signal it, in English and Indonesian)
    ("captions", _l("Live captions"), ("caption", "subtit", "teks", "takarir", "transkrip",
                                       "deaf", "tuli", "hard of hearing")),
    ("sign_language", _l("Sign language interpretation"), ("sign language", "signing", "isyarat", "bisindo", "sibi", "bsl", "auslan")),
    ("audio_only", _l("Audio-only participation (low bandwidth)"),
     ("audio", "bandwidth", "suara", "phone", "telepon", "dial", "sinyal", "koneksi")),
    ("documents", _l("Accessible documents (screen reader, large print)"),
     ("screen reader", "screen-reader", "pembaca layar", "blind", "netra", "low vision",
      "braille", "large print", "large-print", "huruf besar", "cetak besar")),
    ("interpretation", _l("Language interpretation"),
     ("interpret", "penerjemah", "juru bahasa", "translation", "terjemah")),
    ("breaks", _l("Extra breaks"), ("break", "istirahat", "jeda")),
]
OTHER_NEEDS = _l("Other needs")


def need_labels() -> dict:
    """Checklist key → its translatable label (``other`` included), in checklist order."""
    labels = {key: label for key, label, _words in ACCESSIBILITY_NEEDS}
    labels["other"] = OTHER_NEEDS
    return labels


def classify_needs(text: str | None) -> list[str]:
    """Checklist keys a free-text accessibility need asks for (``other`` if none fits)."""
    lowered = (text or "").lower()
    if not lowered.strip():
        return []
    keys = []
    for key, _label, words in ACCESSIBILITY_NEEDS:
        if key == "interpretation" and "sign_language" in keys:
            continue  # "sign language interpreting" is one need, not two
        if any(word in lowered for word in words):
            keys.append(key)
    return keys or ["other"]
