"""A small validation kit for services that take plain dicts (from forms, the API, imports).

One :class:`Errors` collects every problem so that one answer names all of them; the
checks take ``(value, field, errors)`` and return the clean value (or ``None``). The
messages come from :mod:`trainings.messages`, so a form, a service and the API say the
same thing for the same mistake. Area-specific checks live with their area and build on
these.
"""
from __future__ import annotations

import re
from datetime import datetime

from .errors import DomainError, ValidationError
from .messages import (
    BILINGUAL_REQUIRED,
    DATE_OUT_OF_RANGE,
    INVALID_URL,
    NOT_BILINGUAL,
    NOT_TEXT,
    NOT_WHOLE_NUMBER,
    REQUIRED,
    SOME_INVALID,
    TOO_LONG,
    text,
)
from .timezones import parse_aware, validate_timezone

MIN_YEAR, MAX_YEAR = 2000, 2100
URL_RE = re.compile(r"^https?://[^\s/]+\S*$")


class Errors:
    """Collects problems so that one answer names all of them."""

    def __init__(self):
        self.details: list[dict] = []

    def __bool__(self) -> bool:
        return bool(self.details)

    def add(self, field: str, message) -> None:
        self.details.append({"field": field, "message": str(message)})

    def capture(self, error: DomainError, field: str | None = None) -> None:
        if error.details:
            for detail in error.details:
                self.add(field or detail.get("field") or "", detail.get("message") or error.message)
        else:
            self.add(field or error.field or "", error.message)

    def raise_if_any(self) -> None:
        if self.details:
            message = self.details[0]["message"] if len(self.details) == 1 else SOME_INVALID
            raise ValidationError(message, details=self.details)


def clean_text(value, field: str, errors: Errors, *, max_length: int,
               required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors.add(field, NOT_TEXT)
        return ""
    value = value.strip()
    if required and not value:
        errors.add(field, REQUIRED)
    if len(value) > max_length:
        errors.add(field, text(TOO_LONG, num=max_length))
    return value


def bilingual(value, field: str, errors: Errors, *, max_length: int,
              required: bool = False) -> tuple[str, str]:
    """``{"id": ..., "en": ...}`` → (id, en). Required: at least one language filled."""
    if value is None:
        value = {}
    if isinstance(value, str):
        value = {"id": value, "en": value}
    if not isinstance(value, dict) or set(value) - {"id", "en"}:
        errors.add(field, NOT_BILINGUAL)
        return "", ""
    text_id = clean_text(value.get("id"), f"{field}.id", errors, max_length=max_length)
    text_en = clean_text(value.get("en"), f"{field}.en", errors, max_length=max_length)
    if required and not (text_id or text_en):
        errors.add(field, BILINGUAL_REQUIRED)
    return text_id, text_en


def whole_number(value, field: str, errors: Errors, *, minimum: int, maximum: int,
                 message=None) -> int | None:
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        errors.add(field, message or text(NOT_WHOLE_NUMBER, low=minimum, high=maximum))
        return None
    return value


def instant(value, field: str, errors: Errors) -> datetime | None:
    """An aware instant (a naive one is an error), within sensible years."""
    try:
        moment = parse_aware(value, field=field)
    except ValidationError as error:
        errors.capture(error)
        return None
    if not MIN_YEAR <= moment.year < MAX_YEAR:
        errors.add(field, text(DATE_OUT_OF_RANGE, low=MIN_YEAR, high=MAX_YEAR - 1))
        return None
    return moment


def web_url(value, field: str, errors: Errors, *, max_length: int = 500) -> str | None:
    url = clean_text(value, field, errors, max_length=max_length)
    if url and not URL_RE.match(url):
        errors.add(field, INVALID_URL)
    return url or None


def zone(value, field: str, errors: Errors) -> str | None:
    try:
        return validate_timezone(value, field=field)
    except ValidationError as error:
        errors.capture(error)
        return None
