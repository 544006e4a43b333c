"""Gatherings: a session's mode (online, in person, hybrid), its venue and interpretation.

A venue (name, address, accessibility information in both languages) is required unless
the session is online; interpretation is a list of codes: a language pair such as
``"id-en"`` or a sign language such as ``"sign:BISINDO"``.
"""
from __future__ import annotations

import re

from babel import Locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ...language import current_language
from ...validation import Errors, bilingual, clean_text

MODES = ("online", "in_person", "hybrid")
MODE_LABELS = {"online": _l("Online"), "in_person": _l("In person"), "hybrid": _l("Hybrid")}
PAIR_RE = re.compile(r"^[a-z]{2,3}-[a-z]{2,3}$")
SIGN_RE = re.compile(r"^sign:[A-Za-z][A-Za-z-]{1,29}$")
MAX_INTERPRETATION = 10
VENUE_KEYS = {"name", "address", "accessibility"}


def clean_mode(value, field: str, errors: Errors) -> str | None:
    if value is None or value == "":
        return "online"
    if value not in MODES:
        errors.add(field, _("The mode must be online, in_person or hybrid."))
        return None
    return value


def clean_venue(value, field: str, errors: Errors) -> dict | None:
    """``{"name", "address", "accessibility": {"id", "en"}}`` → column values (or None)."""
    if value is None:
        return {"venue_name": None, "venue_address": None, "venue_accessibility_id": "",
                "venue_accessibility_en": ""}
    if not isinstance(value, dict) or set(value) - VENUE_KEYS:
        errors.add(field, _("A venue is an object with a name, an address and accessibility "
                            "information."))
        return None
    name = clean_text(value.get("name"), f"{field}.name", errors, max_length=300)
    address = clean_text(value.get("address"), f"{field}.address", errors, max_length=1000)
    access = bilingual(value.get("accessibility"), f"{field}.accessibility", errors,
                       max_length=2000)
    if not name:
        errors.add(f"{field}.name", _("Give the venue's name."))
    return {"venue_name": name or None, "venue_address": address or None,
            "venue_accessibility_id": access[0], "venue_accessibility_en": access[1]}


def clean_interpretation(value, field: str, errors: Errors) -> list[str] | None:
    if value is None:
        return []
    if isinstance(value, str):
        value = [v for v in re.split(r"[\s,;]+", value) if v]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        errors.add(field, _("Give a list of interpretation codes such as id-en or sign:BISINDO."))
        return None
    codes = []
    for raw in value:
        code = raw.strip()
        code = code.lower() if PAIR_RE.match(code.lower()) else code
        if PAIR_RE.match(code):
            a, b = code.split("-")
            if a == b:
                errors.add(field, _("A language pair needs two different languages: %(code)s",
                                    code=code))
                continue
        elif SIGN_RE.match(code):
            code = "sign:" + code[5:].upper()
        else:
            errors.add(field, _("Unknown interpretation %(code)s: use a language pair such as "
                                "id-en or a sign language such as sign:BISINDO.",
                                code=code[:40]))
            continue
        if code not in codes:
            codes.append(code)
    if len(codes) > MAX_INTERPRETATION:
        errors.add(field, _("At most %(n)d kinds of interpretation.", n=MAX_INTERPRETATION))
        return None
    return codes


def clean_gathering(data: dict, errors: Errors) -> dict:
    """The mode, venue and interpretation fields present in ``data`` → column values."""
    clean: dict = {}
    if "mode" in data:
        mode = clean_mode(data.get("mode"), "mode", errors)
        if mode:
            clean["mode"] = mode
    if "venue" in data:
        venue = clean_venue(data.get("venue"), "venue", errors)
        if venue is not None:
            clean.update(venue)
    if "interpretation" in data:
        codes = clean_interpretation(data.get("interpretation"), "interpretation", errors)
        if codes is not None:
            clean["interpretation"] = codes
    return clean


def check_venue(mode: str | None, venue_name: str | None, errors: Errors) -> None:
    """In person and hybrid sessions need a venue."""
    if (mode or "online") != "online" and not venue_name:
        errors.add("venue", _("An in-person or hybrid session needs a venue."))


def interpretation_label(code: str) -> str:
    """``id-en`` → "Interpretation Indonesian–English"; ``sign:BISINDO`` → "Sign language: BISINDO"."""
    if code.startswith("sign:"):
        return _("Sign language: %(name)s", name=code[5:])
    locale = Locale.parse(current_language())
    a, b = (locale.languages.get(part, part) for part in code.split("-"))
    return _("Interpretation %(a)s–%(b)s", a=a, b=b)


def venue_dict(session) -> dict | None:
    if not session.venue_name:
        return None
    return {"name": session.venue_name, "address": session.venue_address or "",
            "accessibility": {"id": session.venue_accessibility_id or "",
                              "en": session.venue_accessibility_en or ""}}


def venue_location(session) -> str:
    """The venue as a LOCATION line: "name, address" (empty for online sessions)."""
    if (session.mode or "online") == "online" or not session.venue_name:
        return ""
    return ", ".join(p for p in (session.venue_name, session.venue_address) if p)


def gathering_lines(session, lang: str) -> list[str]:
    """Mode, venue accessibility and interpretation, for feeds and reminders."""
    mode = session.mode or "online"
    if mode == "online" and not session.interpretation:
        return []
    lines = [str(MODE_LABELS[mode])]
    if mode != "online":
        lines[0] = _("%(mode)s at %(venue)s", mode=lines[0], venue=venue_location(session))
        access = session.venue_accessibility(lang)
        if access:
            lines.append(_("Accessibility: %(text)s", text=access))
    for code in session.interpretation or []:
        lines.append(interpretation_label(code))
    return lines
