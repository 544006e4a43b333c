"""Applications and enrolling: the fields of an application (cleaned and defaulted), a
new enrolment placed by the seats free, and the training's application settings."""
from __future__ import annotations

from babel.core import get_global
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ...audit.services import record as audit
from ...auth.services import normalise_email
from ...countries import normalise_country
from ...db import utcnow
from ...errors import Conflict, ValidationError
from ...extensions import db
from ...messages import BODY_NOT_OBJECT, NOT_TEXT, REQUIRED, SOME_INVALID
from ...scheduling.models import Training
from ...timezones import is_valid_timezone
from ...validation import Errors, clean_text
from ..models import Enrolment
from .accounts import after_status
from .labels import LANGUAGE_ALIASES, SECTOR_ALIASES
from .seats import lock_seats

MAX_LENGTHS = {"name": 200, "email": 254, "organisation": 200, "accessibility_needs": 2000}


def _text(data: dict, key: str, *, required: bool = False) -> str:
    """One text field of an application: a number is taken as text, NUL bytes dropped and
    spaces collapsed (line breaks kept in the accessibility needs); the checks and their
    messages are the shared ones of :mod:`trainings.validation`."""
    value = data.get(key)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str):
        value = value.replace("\x00", "")
        if key != "accessibility_needs":
            value = " ".join(value.split())
    errors = Errors()
    value = clean_text(value, key, errors, max_length=MAX_LENGTHS.get(key, 10_000),
                       required=required)
    if errors:
        message = errors.details[0]["message"]
        code = ("required" if message == str(REQUIRED)
                else None if message == str(NOT_TEXT) else "too_long")
        raise ValidationError(message, field=key, code=code)
    return value


def normalise_sector(value) -> str:
    text_value = (value or "").strip().casefold() if isinstance(value, str) else value
    if not text_value:
        return "other"
    sector = SECTOR_ALIASES.get(text_value) if isinstance(text_value, str) else None
    if sector is None:
        raise ValidationError(_("Unknown sector: %(sector)s. Use academic, activist, government "
                                "or other.", sector=str(value)[:40]), field="sector",
                              code="unknown_sector")
    return sector


def normalise_language(value, default: str = "en") -> str:
    text_value = (value or "").strip().casefold() if isinstance(value, str) else value
    if not text_value:
        return default
    lang = LANGUAGE_ALIASES.get(text_value) if isinstance(text_value, str) else None
    if lang is None:
        raise ValidationError(_("Unknown language: %(lang)s. Use id or en.", lang=str(value)[:40]),
                              field="language", code="unknown_language")
    return lang


def default_timezone(country_code: str, fallback: str = "UTC") -> str:
    """The main zone of a country (CLDR's territory zones), for rows that name none."""
    zones = get_global("territory_zones").get(country_code) or []
    preferred = {"ID": "Asia/Jakarta", "MY": "Asia/Kuala_Lumpur", "AU": "Australia/Sydney",
                 "US": "America/New_York", "BR": "America/Sao_Paulo", "RU": "Europe/Moscow",
                 "CA": "America/Toronto", "MX": "America/Mexico_City"}.get(country_code)
    if preferred:
        return preferred
    for zone in zones:
        if is_valid_timezone(zone):
            return zone
    return fallback


def clean_enrolment_data(data: dict, *, fill_defaults: bool = True) -> dict:
    """Validate an application's fields. Raises one ValidationError listing every bad field.

    A missing time zone becomes the country's main zone, a missing language ``id`` for
    Indonesia else ``en``, a missing sector ``other``."""
    if not isinstance(data, dict):
        raise ValidationError(BODY_NOT_OBJECT, code="invalid_json")
    clean: dict = {}
    details: list[dict] = []

    def attempt(key, func_):
        try:
            clean[key] = func_()
        except ValidationError as error:
            details.append({"field": key, "message": str(error.message), "code": error.code})

    attempt("name", lambda: _text(data, "name", required=True))
    attempt("email", lambda: normalise_email(_text(data, "email", required=True)))
    attempt("country_code", lambda: normalise_country(
        _text(data, "country", required=True), field="country"))
    for d in details:
        if d["field"] == "country_code":
            d["field"] = "country"
    attempt("organisation", lambda: _text(data, "organisation"))
    attempt("sector", lambda: normalise_sector(data.get("sector")))
    zone = data.get("timezone")
    if (zone is None or zone == "") and fill_defaults and "country_code" in clean:
        clean["timezone"] = default_timezone(clean["country_code"])
    elif not isinstance(zone, str) or not is_valid_timezone(zone.strip()):
        details.append({"field": "timezone", "code": "unknown_timezone",
                        "message": _("Unknown time zone: %(zone)s", zone=str(zone or "")[:64])})
    else:
        clean["timezone"] = zone.strip()
    default_lang = "id" if clean.get("country_code") == "ID" else "en"
    attempt("language", lambda: normalise_language(data.get("language"), default_lang))
    needs = None
    try:
        needs = _text(data, "accessibility_needs") or None
    except ValidationError as error:
        details.append({"field": "accessibility_needs", "message": str(error.message)})
    # Accessibility needs are stored only with their own explicit consent (never assumed):
    # needs sent without ``"accessibility_consent": true`` are refused, not dropped silently.
    consent = data.get("accessibility_consent")
    if needs and consent is not True:
        details.append({"field": "accessibility_consent", "code": "consent_required",
                        "message": _("Accessibility needs are stored only with the person's "
                                     "explicit consent: send accessibility_consent true, or "
                                     "leave the needs out.")})
    clean["accessibility_needs"] = needs if needs and consent is True else None
    clean["accessibility_consent"] = bool(clean["accessibility_needs"])
    if details:
        first = details[0]
        raise ValidationError(first["message"] if len(details) == 1
                              else SOME_INVALID,
                              code=first.get("code") if len(details) == 1 else None,
                              details=[{"field": d["field"], "message": d["message"]}
                                       for d in details])
    return clean


def _email_taken(training: Training, email: str) -> bool:
    return db.session.scalar(select(func.count()).select_from(Enrolment).where(
        Enrolment.training_id == training.id, Enrolment.email == email)) > 0


def _duplicate(email: str) -> Conflict:
    return Conflict(_("This email address is already enrolled in this training."),
                    field="email", code="duplicate_email")


def applications_state(training: Training, now=None) -> str:
    """Whether the public application page takes applications: ``open``; ``ended`` once
    every session that is not cancelled is over (whatever the switch says: computed on
    read, so it holds without a worker and opens again when a future session is added);
    ``closed`` while the organiser's *applications open* switch is off."""
    if training.has_ended(now):
        return "ended"
    return "open" if training.applications_open else "closed"


def closed_message(state: str) -> str:
    """Why applications are not taken, for the applicant (``state`` is not ``open``)."""
    if state == "ended":
        return _("Applications for this training are closed: its last session has ended.")
    return _("Applications for this training are closed.")


def enrol(training: Training, data: dict, *, actor=None, public: bool = False,
          notify: bool = True) -> Enrolment:
    """Create an enrolment: ``accepted`` while the capacity and the country's quota have
    room, else ``waitlisted``; ``applied`` for a public application when the training
    requires approval. ``public`` applications need the training's applications open."""
    if public and (state := applications_state(training)) != "open":
        raise Conflict(closed_message(state), code="applications_closed")
    clean = clean_enrolment_data(data)
    seats = lock_seats(training)
    if _email_taken(training, clean["email"]):
        raise _duplicate(clean["email"])
    enrolment = Enrolment(training_id=training.id, **clean)
    if public and training.requires_approval:
        enrolment.status = "applied"
    elif seats.fits(clean["country_code"]):
        enrolment.status = "accepted"
        enrolment.decided_at = utcnow()
        seats.take(clean["country_code"])
    else:
        enrolment.status = "waitlisted"
    db.session.add(enrolment)
    try:
        db.session.flush()
    except IntegrityError as exc:  # the unique constraint, should a writer bypass the lock
        raise _duplicate(clean["email"]) from exc
    if actor is not None and not public:
        audit(training.id, actor, "enrolment.created", enrolment, {"status": enrolment.status})
    after_status(enrolment, notify_person=notify)
    return enrolment


def update_settings(training: Training, *, applications_open: bool, requires_approval: bool,
                    actor=None) -> None:
    training.applications_open = bool(applications_open)
    training.requires_approval = bool(requires_approval)
    audit(training.id, actor, "enrolment.settings", training,
          {"fields": ["applications_open", "requires_approval"]})
    db.session.flush()
