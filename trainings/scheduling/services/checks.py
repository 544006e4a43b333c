"""Checks of scheduling values, built on the shared kit in :mod:`trainings.validation`.

Each takes ``(value, field, errors)`` and returns the clean value (or ``None``), adding
every problem to ``errors`` so that one answer names all of them.
"""
from __future__ import annotations

import re

from flask_babel import gettext as _
from sqlalchemy import select

from ...auth.models import User
from ...countries import normalise_country
from ...errors import ValidationError
from ...extensions import db
from ...messages import UNKNOWN_FIELD
from ...validation import Errors, bilingual, clean_text, whole_number

MAX_SERIES = 100
MAX_DURATION_MINUTES = 12 * 60
MAX_INTERVAL_DAYS = 366
MAX_CAPACITY = 100_000
STAFF_ROLES = ("organiser", "facilitator")
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")
WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def start(data: dict, known: set[str], errors: Errors, *, partial: bool) -> dict:
    """The part trainings and sessions share: unknown fields are errors; the bilingual
    ``title`` (required unless ``partial``) and ``description``."""
    for name in sorted(set(data) - known):
        errors.add(name, UNKNOWN_FIELD)
    clean: dict = {}
    if not partial or "title" in data:
        clean["title"] = bilingual(data.get("title"), "title", errors, max_length=300, required=True)
    if "description" in data:
        clean["description"] = bilingual(data.get("description"), "description", errors,
                                         max_length=20_000)
    return clean


def duration(value, field: str, errors: Errors) -> int | None:
    return whole_number(value, field, errors, minimum=1, maximum=MAX_DURATION_MINUTES,
                        message=_("The duration must be from 1 to %(max)d minutes.",
                                  max=MAX_DURATION_MINUTES))


def module_slug(value, field: str, errors: Errors) -> str | None:
    text = clean_text(value, field, errors, max_length=100)
    if text and not SLUG_RE.match(text):
        errors.add(field, _("A module is named by its short name (lower-case letters, digits, hyphens)."))
    return text or None


def users_by_email(emails, field: str, errors: Errors) -> list[User]:
    if emails is None:
        return []
    if isinstance(emails, str):
        emails = [e for e in re.split(r"[\s,;]+", emails) if e]
    if not isinstance(emails, list) or not all(isinstance(e, str) for e in emails):
        errors.add(field, _("Give a list of email addresses."))
        return []
    wanted = list(dict.fromkeys(e.strip().lower() for e in emails if e.strip()))
    if not wanted:
        return []
    found = {u.email: u for u in db.session.scalars(select(User).where(User.email.in_(wanted)))}
    missing = [e for e in wanted if e not in found]
    if missing:
        errors.add(field, _("No account with this email: %(emails)s", emails=", ".join(missing)))
    return [found[e] for e in wanted if e in found]


def quotas(value, field: str, errors: Errors) -> dict[str, int] | None:
    if value is None:
        return {}
    if not isinstance(value, dict):
        errors.add(field, _("Give an object of country codes and numbers of places."))
        return None
    clean: dict[str, int] = {}
    for key, places in value.items():
        try:
            code = normalise_country(str(key), field=f"{field}.{key}")
        except ValidationError as error:
            errors.capture(error)
            continue
        number = whole_number(places, f"{field}.{key}", errors, minimum=0, maximum=MAX_CAPACITY,
                              message=_("Places must be a whole number of 0 or more."))
        if number is not None:
            if code in clean:
                errors.add(f"{field}.{key}", _("This country appears twice."))
            clean[code] = number
    return clean


def organisation_names(value, field: str, errors: Errors) -> list[str | int] | None:
    """Names (spaces collapsed, duplicates ignoring case dropped) or ids of organisations,
    in order; ``organisations.services.resolve`` links them to the records."""
    if value is None:
        return []
    if isinstance(value, str):
        value = [line for line in value.splitlines()]
    if not isinstance(value, list) or not all(
            isinstance(v, (str, int)) and not isinstance(v, bool) for v in value):
        errors.add(field, _("Give a list of organisation names or ids."))
        return None
    seen: dict = {}
    for item in value:
        if isinstance(item, int):
            seen.setdefault(item, item)
            continue
        name = " ".join(item.split())
        if name:
            seen.setdefault(name.casefold(), name)
    names = list(seen.values())
    for name in names:
        if isinstance(name, str) and len(name) > 200:
            errors.add(field, _("An organisation name has at most 200 characters."))
    return names


def weekdays(value, field: str, errors: Errors) -> list[int] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not value:
        errors.add(field, _("Choose at least one weekday."))
        return None
    days = set()
    for item in value:
        if isinstance(item, str) and item.strip().lower()[:3] in WEEKDAY_NAMES:
            days.add(WEEKDAY_NAMES.index(item.strip().lower()[:3]))
        elif isinstance(item, str) and item.strip().isdigit() and 0 <= int(item) <= 6:
            days.add(int(item))
        elif isinstance(item, int) and not isinstance(item, bool) and 0 <= item <= 6:
            days.add(item)
        else:
            errors.add(field, _("Weekdays are mon … sun or 0 (Monday) … 6 (Sunday)."))
            return None
    return sorted(days)
