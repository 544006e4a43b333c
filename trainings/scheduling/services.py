"""Trainings and sessions: queries and changes. Services take plain values and an actor.

Changes validate everything first and raise one :class:`ValidationError` listing every
problem (``details``), so nothing is written on bad input; they ``flush()`` and leave the
commit to the caller.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from ..attendance.eligibility import validate_rule
from ..attendance.models import AttendanceRecord
from ..auth import services as account_services
from ..auth.models import User
from ..countries import normalise_country
from ..enrolment.models import Enrolment
from ..errors import Conflict, DomainError, NotFound, ValidationError
from ..extensions import db
from ..policy import is_admin
from ..timezones import get_zone, parse_aware, validate_timezone
from .models import (
    Organisation,
    Training,
    TrainingCountryQuota,
    TrainingOrganisation,
    TrainingSession,
    TrainingStaff,
    session_facilitators,
)

MAX_SERIES = 100
MAX_DURATION_MINUTES = 12 * 60
MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_INTERVAL_DAYS = 366
MAX_CAPACITY = 100_000
STAFF_ROLES = ("organiser", "facilitator")
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")
WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


# --------------------------------------------------------------------------- queries

def visible_trainings(actor) -> list[Training]:
    """Trainings the actor may see: all for admins, else staffed, facilitated or enrolled ones
    (the same rule as policy's "training.view")."""
    query = (select(Training).options(selectinload(Training.organisation_links))
             .order_by(Training.created_at.desc(), Training.id.desc()))
    if not is_admin(actor):
        staffed = select(TrainingStaff.training_id).where(TrainingStaff.user_id == actor.id)
        enrolled = select(Enrolment.training_id).where(
            Enrolment.user_id == actor.id,
            Enrolment.status.in_(("accepted", "waitlisted", "applied")))
        facilitated = (select(TrainingSession.training_id)
                       .join(session_facilitators,
                             session_facilitators.c.session_id == TrainingSession.id)
                       .where(session_facilitators.c.user_id == actor.id))
        query = query.where(or_(Training.id.in_(staffed), Training.id.in_(enrolled),
                                Training.id.in_(facilitated)))
    return list(db.session.scalars(query))


def get_training(training_id: int) -> Training | None:
    return db.session.get(Training, training_id)


def get_session(session_id: int) -> TrainingSession | None:
    return db.session.get(TrainingSession, session_id)


def load_training(training_id: int) -> Training:
    """The training, or NotFound (404 on the web and in the API)."""
    training = get_training(training_id)
    if training is None:
        raise NotFound(_l("No such training."))
    return training


def load_session(session_id: int) -> TrainingSession:
    """The session, or NotFound (404 on the web and in the API)."""
    session = get_session(session_id)
    if session is None:
        raise NotFound(_l("No such session."))
    return session


def numbered_sessions(training: Training) -> list[tuple[int, TrainingSession]]:
    """Sessions in start order with their 1-based number (cancelled ones keep a number)."""
    sessions = db.session.scalars(
        select(TrainingSession).where(TrainingSession.training_id == training.id)
        .order_by(TrainingSession.starts_at, TrainingSession.id))
    return list(enumerate(sessions, start=1))


def session_number(session: TrainingSession) -> int:
    """1-based position of the session in its training, by start time (one query)."""
    earlier = db.session.scalar(
        select(func.count(TrainingSession.id)).where(
            TrainingSession.training_id == session.training_id,
            or_(TrainingSession.starts_at < session.starts_at,
                (TrainingSession.starts_at == session.starts_at) & (TrainingSession.id < session.id))))
    return int(earlier or 0) + 1


def session_summaries(trainings) -> dict[int, tuple[int, datetime, datetime]]:
    """(number of sessions, first start, last start) per training id, in one grouped query."""
    ids = [t.id for t in trainings]
    if not ids:
        return {}
    rows = db.session.execute(
        select(TrainingSession.training_id, func.count(TrainingSession.id),
               func.min(TrainingSession.starts_at), func.max(TrainingSession.starts_at))
        .where(TrainingSession.training_id.in_(ids)).group_by(TrainingSession.training_id))
    return {tid: (count, first, last)
            for tid, count, first, last in rows}


def staff_of(training: Training, role: str) -> list:
    return [s.user for s in training.staff if s.role == role]


def participant_zones(training: Training) -> list[str]:
    """Distinct zones of the training's accepted participants, most common first."""
    rows = db.session.execute(
        select(Enrolment.timezone, func.count(Enrolment.id))
        .where(Enrolment.training_id == training.id, Enrolment.status == "accepted")
        .group_by(Enrolment.timezone))
    counted = sorted(rows, key=lambda row: (-row[1], row[0]))
    return [zone for zone, _count in counted if zone]


# --------------------------------------------------------------------------- validation

class _Errors:
    """Collects problems so that one answer names all of them."""

    def __init__(self):
        self.details: list[dict] = []

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
            message = self.details[0]["message"] if len(self.details) == 1 else _(
                "Some values are not valid.")
            raise ValidationError(message, details=self.details)


def _text(value, field: str, errors: _Errors, *, max_length: int, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors.add(field, _("This must be text."))
        return ""
    value = value.strip()
    if required and not value:
        errors.add(field, _("This field is required."))
    if len(value) > max_length:
        errors.add(field, _("At most %(num)d characters.", num=max_length))
    return value


def _bilingual(value, field: str, errors: _Errors, *, max_length: int,
               required: bool = False) -> tuple[str, str]:
    """``{"id": ..., "en": ...}`` → (id, en). Required: at least one language filled."""
    if value is None:
        value = {}
    if isinstance(value, str):
        value = {"id": value, "en": value}
    if not isinstance(value, dict) or set(value) - {"id", "en"}:
        errors.add(field, _('Give an object with "id" and "en" texts.'))
        return "", ""
    text_id = _text(value.get("id"), f"{field}.id", errors, max_length=max_length)
    text_en = _text(value.get("en"), f"{field}.en", errors, max_length=max_length)
    if required and not (text_id or text_en):
        errors.add(field, _("Give a text in Indonesian or English."))
    return text_id, text_en


def _whole_number(value, field: str, errors: _Errors, *, minimum: int, maximum: int,
                  message=None) -> int | None:
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        errors.add(field, message or _("Give a whole number from %(low)d to %(high)d.",
                                       low=minimum, high=maximum))
        return None
    return value


def _instant(value, field: str, errors: _Errors) -> datetime | None:
    try:
        instant = parse_aware(value, field=field)
    except ValidationError as error:
        errors.capture(error)
        return None
    if not MIN_YEAR <= instant.year < MAX_YEAR:
        errors.add(field, _("Choose a date between the years %(low)d and %(high)d.",
                            low=MIN_YEAR, high=MAX_YEAR - 1))
        return None
    return instant


def _duration(value, field: str, errors: _Errors) -> int | None:
    return _whole_number(value, field, errors, minimum=1, maximum=MAX_DURATION_MINUTES,
                         message=_("The duration must be from 1 to %(max)d minutes.",
                                   max=MAX_DURATION_MINUTES))


def _meeting_url(value, field: str, errors: _Errors) -> str | None:
    text = _text(value, field, errors, max_length=500)
    if text and not re.match(r"^https?://[^\s/]+\S*$", text):
        errors.add(field, _("Give a web address starting with https://."))
    return text or None


def _module_slug(value, field: str, errors: _Errors) -> str | None:
    text = _text(value, field, errors, max_length=100)
    if text and not SLUG_RE.match(text):
        errors.add(field, _("A module is named by its short name (lower-case letters, digits, hyphens)."))
    return text or None


def _zone(value, field: str, errors: _Errors) -> str | None:
    try:
        return validate_timezone(value, field=field)
    except ValidationError as error:
        errors.capture(error)
        return None


def _users_by_email(emails, field: str, errors: _Errors) -> list[User]:
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


def _quotas(value, field: str, errors: _Errors) -> dict[str, int] | None:
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
        number = _whole_number(places, f"{field}.{key}", errors, minimum=0, maximum=MAX_CAPACITY,
                               message=_("Places must be a whole number of 0 or more."))
        if number is not None:
            if code in clean:
                errors.add(f"{field}.{key}", _("This country appears twice."))
            clean[code] = number
    return clean


def _organisations(value, field: str, errors: _Errors) -> list[str] | None:
    if value is None:
        return []
    if isinstance(value, str):
        value = [line for line in value.splitlines()]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        errors.add(field, _("Give a list of organisation names."))
        return None
    seen: dict[str, str] = {}
    for item in value:
        name = " ".join(item.split())
        if name:
            seen.setdefault(name.casefold(), name)
    names = list(seen.values())
    for name in names:
        if len(name) > 200:
            errors.add(field, _("An organisation name has at most 200 characters."))
    return names


# --------------------------------------------------------------------------- trainings

TRAINING_FIELDS = {"title", "description", "timezone", "capacity", "country_quotas",
                   "certificate_rule", "organisations", "applications_open", "requires_approval"}


def _clean_training(data: dict, *, partial: bool) -> dict:
    if not isinstance(data, dict):
        raise ValidationError(_("The body must be a JSON object."))
    errors = _Errors()
    clean: dict = {}
    unknown = set(data) - TRAINING_FIELDS - {"id", "created_at"}
    for name in sorted(unknown):
        errors.add(name, _("Unknown field."))
    if not partial or "title" in data:
        clean["title"] = _bilingual(data.get("title"), "title", errors, max_length=300, required=True)
    if "description" in data:
        clean["description"] = _bilingual(data.get("description"), "description", errors,
                                          max_length=20_000)
    if not partial or "timezone" in data:
        clean["timezone"] = _zone(data.get("timezone") or ("" if partial else "Asia/Jakarta"),
                                  "timezone", errors)
    if "capacity" in data:
        capacity = data.get("capacity")
        clean["capacity"] = None if capacity in (None, "") else _whole_number(
            capacity, "capacity", errors, minimum=0, maximum=MAX_CAPACITY)
    if "country_quotas" in data:
        clean["country_quotas"] = _quotas(data.get("country_quotas"), "country_quotas", errors)
    if "certificate_rule" in data:
        try:
            clean["certificate_rule"] = validate_rule(data.get("certificate_rule"))
        except ValidationError as error:
            errors.capture(error)
    if "organisations" in data:
        clean["organisations"] = _organisations(data.get("organisations"), "organisations", errors)
    for flag in ("applications_open", "requires_approval"):
        if flag in data:
            if not isinstance(data[flag], bool):
                errors.add(flag, _("This must be true or false."))
            clean[flag] = data[flag]
    errors.raise_if_any()
    return clean


def _organisation(name: str) -> Organisation:
    org = db.session.scalar(select(Organisation).where(func.lower(Organisation.name) == name.lower()))
    if org is None:
        org = Organisation(name=name)
        db.session.add(org)
    return org


def _apply_training(training: Training, clean: dict) -> None:
    if "title" in clean:
        training.title_id, training.title_en = clean["title"]
    if "description" in clean:
        training.description_id, training.description_en = clean["description"]
    if clean.get("timezone"):
        training.timezone = clean["timezone"]
    if "capacity" in clean:
        training.capacity = clean["capacity"]
    if "certificate_rule" in clean:
        training.certificate_rule = clean["certificate_rule"]
    for flag in ("applications_open", "requires_approval"):
        if flag in clean:
            setattr(training, flag, clean[flag])
    if "country_quotas" in clean:
        wanted = clean["country_quotas"]
        for quota in list(training.quotas):
            if quota.country_code not in wanted:
                training.quotas.remove(quota)
            else:
                quota.places = wanted[quota.country_code]
        have = {q.country_code for q in training.quotas}
        for code, places in sorted(wanted.items()):
            if code not in have:
                training.quotas.append(TrainingCountryQuota(country_code=code, places=places))
    if "organisations" in clean:
        with db.session.no_autoflush:
            orgs = [_organisation(name) for name in clean["organisations"]]
            links = {link.organisation_id: link for link in training.organisation_links
                     if link.organisation_id is not None}
            keep = []
            for position, org in enumerate(orgs):
                link = links.get(org.id) if org.id is not None else None
                if link is None:
                    link = TrainingOrganisation(organisation=org)
                link.position = position
                keep.append(link)
            training.organisation_links[:] = keep


def create_training(data: dict, *, actor) -> Training:
    """A new training; the actor becomes its organiser."""
    clean = _clean_training(data, partial=False)
    training = Training(title_id="", title_en="", created_by_id=getattr(actor, "id", None),
                        certificate_rule={})
    db.session.add(training)
    _apply_training(training, clean)
    if actor is not None:
        training.staff.append(TrainingStaff(user=actor, role="organiser"))
    db.session.flush()
    return training


def update_training(training: Training, data: dict, *, actor) -> Training:
    clean = _clean_training(data, partial=True)
    _apply_training(training, clean)
    training.updated_at = datetime.now(UTC)
    db.session.flush()
    return training


def add_staff(training: Training, email: str, role: str, *, actor) -> TrainingStaff:
    errors = _Errors()
    if role not in STAFF_ROLES:
        errors.add("role", _("The role must be organiser or facilitator."))
    email = _text(email, "email", errors, max_length=254, required=True).lower()
    user = db.session.scalar(select(User).where(User.email == email)) if email else None
    if email and user is None:
        errors.add("email", _("No account with this email: %(emails)s", emails=email))
    errors.raise_if_any()
    if any(s.user_id == user.id and s.role == role for s in training.staff):
        raise Conflict(_("This person already has this role in the training."), field="email",
                       code="already_staff")
    staff = TrainingStaff(user=user, role=role)
    training.staff.append(staff)
    db.session.flush()
    return staff


def remove_staff(training: Training, staff_id: int, *, actor) -> None:
    staff = next((s for s in training.staff if s.id == staff_id), None)
    if staff is None:
        raise NotFound(_l("No such staff member."))
    if staff.role == "organiser" and len(staff_of(training, "organiser")) <= 1:
        raise Conflict(_("A training keeps at least one organiser."), code="last_organiser")
    training.staff.remove(staff)
    db.session.flush()


# --------------------------------------------------------------------------- sessions

SESSION_FIELDS = {"title", "description", "starts_at", "duration_minutes", "meeting_url",
                  "facilitators", "module", "status"}


def _clean_session(data: dict, *, partial: bool, errors: _Errors | None = None) -> dict:
    if not isinstance(data, dict):
        raise ValidationError(_("The body must be a JSON object."))
    errors = errors or _Errors()
    clean: dict = {}
    for name in sorted(set(data) - SESSION_FIELDS - {"id", "number", "training", "ends_at",
                                                     "local", "sequence", "warnings"}):
        errors.add(name, _("Unknown field."))
    if not partial or "title" in data:
        clean["title"] = _bilingual(data.get("title"), "title", errors, max_length=300, required=True)
    if "description" in data:
        clean["description"] = _bilingual(data.get("description"), "description", errors,
                                          max_length=20_000)
    if not partial or "starts_at" in data:
        clean["starts_at"] = _instant(data.get("starts_at"), "starts_at", errors)
    if not partial or "duration_minutes" in data:
        clean["duration_minutes"] = _duration(data.get("duration_minutes"), "duration_minutes", errors)
    if "meeting_url" in data:
        clean["meeting_url"] = _meeting_url(data.get("meeting_url"), "meeting_url", errors)
    if "facilitators" in data:
        clean["facilitators"] = _users_by_email(data.get("facilitators"), "facilitators", errors)
    if "module" in data:
        clean["module_slug"] = _module_slug(data.get("module"), "module", errors)
    if "status" in data:
        if data["status"] not in ("scheduled", "cancelled"):
            errors.add("status", _("The status must be scheduled or cancelled."))
        else:
            clean["status"] = data["status"]
    return clean


def _apply_session(session: TrainingSession, clean: dict) -> bool:
    """Write the values; True when anything a calendar shows changed."""
    changed = False

    def put(attr, value):
        nonlocal changed
        if getattr(session, attr) != value:
            setattr(session, attr, value)
            changed = True

    if "title" in clean:
        put("title_id", clean["title"][0])
        put("title_en", clean["title"][1])
    if "description" in clean:
        put("description_id", clean["description"][0])
        put("description_en", clean["description"][1])
    for attr in ("starts_at", "duration_minutes", "meeting_url", "module_slug", "status"):
        if attr in clean:
            put(attr, clean[attr])
    if "facilitators" in clean:
        wanted = clean["facilitators"]
        if {u.id for u in session.facilitators} != {u.id for u in wanted}:
            session.facilitators = list(wanted)
            changed = True
    return changed


def _ensure_facilitators_are_staff(training: Training, users: list[User]) -> None:
    """Session facilitators become facilitators of the training (so policy knows them)."""
    staffed = {s.user_id for s in training.staff}
    for user in users:
        if user.id not in staffed:
            training.staff.append(TrainingStaff(user=user, role="facilitator"))
            staffed.add(user.id)


def create_session(training: Training, data: dict, *, actor) -> tuple[TrainingSession, list[dict]]:
    errors = _Errors()
    clean = _clean_session(data, partial=False, errors=errors)
    if clean.get("status") == "cancelled":
        errors.add("status", _("A new session cannot be cancelled."))
    errors.raise_if_any()
    session = TrainingSession(training=training, title_id="", title_en="", status="scheduled",
                              sequence=0)
    with db.session.no_autoflush:
        _apply_session(session, clean)
        _ensure_facilitators_are_staff(training, clean.get("facilitators", []))
    db.session.add(session)
    db.session.flush()
    return session, facilitator_conflicts(session)


def _weekdays(value, field: str, errors: _Errors) -> list[int] | None:
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


def series_starts(first: datetime, count: int, zone: str, *, interval_days: int | None = None,
                  weekdays: list[int] | None = None) -> list[datetime]:
    """Start instants (UTC) of a series, keeping the wall-clock time in the training's zone.

    Every ``interval_days`` days from ``first``, or on the chosen ``weekdays`` (0 = Monday)
    from the date of ``first`` on (``first``'s own date only if it is one of them).
    """
    tz = get_zone(zone)
    local = first.astimezone(tz)
    wall, day = local.timetz().replace(tzinfo=None), local.date()

    def at(d: date) -> datetime:
        return datetime.combine(d, wall, tzinfo=tz).astimezone(UTC)

    if weekdays:
        wanted = set(weekdays)
        starts = []
        d = day
        while len(starts) < count:
            if d.weekday() in wanted:
                starts.append(at(d))
            d += timedelta(days=1)
        return starts
    step = interval_days or 1
    return [at(day + timedelta(days=step * i)) for i in range(count)]


def create_series(training: Training, data: dict, *, actor) -> tuple[list[TrainingSession], list[dict]]:
    """``count`` sessions every ``interval_days`` days, or weekly on ``weekdays``."""
    if not isinstance(data, dict):
        raise ValidationError(_("The body must be a JSON object."))
    errors = _Errors()
    known = {"first_starts_at", "count", "interval_days", "weekdays", "duration_minutes",
             "title_prefix", "description", "meeting_url", "facilitators", "module"}
    for name in sorted(set(data) - known):
        errors.add(name, _("Unknown field."))
    first = _instant(data.get("first_starts_at"), "first_starts_at", errors)
    count = _whole_number(data.get("count"), "count", errors, minimum=1, maximum=MAX_SERIES,
                          message=_("A series has from 1 to %(max)d sessions.", max=MAX_SERIES))
    weekdays = _weekdays(data.get("weekdays"), "weekdays", errors)
    interval = None
    if weekdays is None and "weekdays" not in data:
        interval = _whole_number(data.get("interval_days", 7), "interval_days", errors, minimum=1,
                                 maximum=MAX_INTERVAL_DAYS)
    elif data.get("interval_days") is not None:
        errors.add("interval_days", _("Give either an interval in days or weekdays, not both."))
    duration = _duration(data.get("duration_minutes"), "duration_minutes", errors)
    prefix = data.get("title_prefix") or {"id": "Sesi", "en": "Session"}
    prefix_id, prefix_en = _bilingual(prefix, "title_prefix", errors, max_length=250, required=True)
    description = _bilingual(data.get("description"), "description", errors, max_length=20_000)
    meeting_url = _meeting_url(data.get("meeting_url"), "meeting_url", errors)
    facilitators = _users_by_email(data.get("facilitators"), "facilitators", errors)
    module = _module_slug(data.get("module"), "module", errors)
    errors.raise_if_any()

    starts = series_starts(first, count, training.timezone, interval_days=interval, weekdays=weekdays)
    if starts[-1].year >= MAX_YEAR:
        raise ValidationError(_("The series would end after the year %(year)d.", year=MAX_YEAR - 1),
                              field="count")
    existing = db.session.scalar(select(func.count(TrainingSession.id)).where(
        TrainingSession.training_id == training.id)) or 0
    sessions = []
    with db.session.no_autoflush:
        _ensure_facilitators_are_staff(training, facilitators)
        for i, start in enumerate(starts, start=existing + 1):
            session = TrainingSession(
                training=training, title_id=f"{prefix_id or prefix_en} {i}",
                title_en=f"{prefix_en or prefix_id} {i}", description_id=description[0],
                description_en=description[1], starts_at=start, duration_minutes=duration,
                meeting_url=meeting_url, module_slug=module, status="scheduled", sequence=0)
            session.facilitators = list(facilitators)
            db.session.add(session)
            sessions.append(session)
    db.session.flush()
    warnings = []
    for session in sessions:
        warnings.extend(facilitator_conflicts(session))
    return sessions, warnings


def update_session(session: TrainingSession, data: dict, *, actor) -> list[dict]:
    """Reschedule or change a session; SEQUENCE rises on every change. Returns conflict warnings."""
    errors = _Errors()
    clean = _clean_session(data, partial=True, errors=errors)
    errors.raise_if_any()
    before = (session.starts_at, session.duration_minutes, session.status)
    with db.session.no_autoflush:
        changed = _apply_session(session, clean)
        _ensure_facilitators_are_staff(session.training, clean.get("facilitators", []))
    if changed:
        _raise_sequence(session)
        after = (session.starts_at, session.duration_minutes, session.status)
        if after[2] != before[2]:
            notify_participants(session, "cancelled" if after[2] == "cancelled" else "reinstated")
        elif after != before:
            notify_participants(session, "rescheduled")
    db.session.flush()
    return facilitator_conflicts(session)


def _raise_sequence(session: TrainingSession) -> None:
    """SEQUENCE + 1 in the database itself, so that concurrent changes never share a number."""
    session.sequence = TrainingSession.sequence + 1
    session.updated_at = datetime.now(UTC)
    db.session.flush()
    db.session.refresh(session, ["sequence"])


def cancel_session(session: TrainingSession, *, actor) -> TrainingSession:
    """Cancel: the session stays (participants see it), marked cancelled."""
    if session.status != "cancelled":
        session.status = "cancelled"
        _raise_sequence(session)
        notify_participants(session, "cancelled")
    return session


def reinstate_session(session: TrainingSession, *, actor) -> TrainingSession:
    if session.status == "cancelled":
        session.status = "scheduled"
        _raise_sequence(session)
        notify_participants(session, "reinstated")
    return session


def notify_participants(session: TrainingSession, change: str) -> int:
    """Tell the accepted participants (through the outbox) that an upcoming session moved,
    was cancelled or is back on; each in their own language and zone. Returns the count."""
    from flask_babel import force_locale

    from ..outbox.services import queue_mail
    from ..timezones import format_datetime

    if session.ends_at < datetime.now(UTC):
        return 0  # the past does not change anybody's plans
    training = session.training
    number = session_number(session)
    people = db.session.scalars(select(Enrolment).where(
        Enrolment.training_id == training.id, Enrolment.status == "accepted").order_by(Enrolment.id))
    sent = 0
    for enrolment in people:
        lang = enrolment.language if enrolment.language in ("id", "en") else "en"
        zone = enrolment.timezone if enrolment.timezone else training.timezone
        with force_locale(lang):
            names = {"training": training.title(lang), "number": number,
                     "title": session.title(lang),
                     "when": format_datetime(session.starts_at, zone, locale=lang)}
            subject = {
                "rescheduled": _("Session %(number)d of %(training)s has a new time", **names),
                "cancelled": _("Session %(number)d of %(training)s is cancelled", **names),
                "reinstated": _("Session %(number)d of %(training)s takes place after all", **names),
            }[change]
            lines = [_("Hello %(name)s,", name=enrolment.name), ""]
            lines.append({
                "rescheduled": _("Session %(number)d (%(title)s) of %(training)s now starts on "
                                 "%(when)s.", **names),
                "cancelled": _("Session %(number)d (%(title)s) of %(training)s, planned for "
                               "%(when)s, is cancelled.", **names),
                "reinstated": _("Session %(number)d (%(title)s) of %(training)s takes place after "
                                "all, on %(when)s.", **names),
            }[change])
            lines += ["", _("Calendars subscribed to your Anyam calendar link update by themselves.")]
        queue_mail(enrolment.email, subject, "\n".join(lines), to_name=enrolment.name,
                   training=training, kind=f"session_{change}")
        sent += 1
    return sent


def _conflict(session: TrainingSession, other: TrainingSession, user) -> dict:
    return {
        "code": "facilitator_conflict",
        "session": session.id,
        "facilitator": user.email,
        "conflicting_session": other.id,
        "conflicting_training": other.training_id,
        # The other training's details stay private: its title only within one training.
        "message": (_("%(name)s already facilitates “%(title)s” at an overlapping time.",
                      name=user.name, title=other.title_en or other.title_id)
                    if other.training_id == session.training_id else
                    _("%(name)s already facilitates a session of another training at an "
                      "overlapping time.", name=user.name)),
    }


def _overlap(a: TrainingSession, b: TrainingSession) -> bool:
    return a.id != b.id and a.starts_at < b.ends_at and b.starts_at < a.ends_at


def _booked(user_ids, start: datetime, end: datetime) -> list[tuple[TrainingSession, int]]:
    """Held sessions of these facilitators that may overlap [start, end) (one query)."""
    if not user_ids:
        return []
    return list(db.session.execute(
        select(TrainingSession, session_facilitators.c.user_id)
        .join(session_facilitators, session_facilitators.c.session_id == TrainingSession.id)
        .where(session_facilitators.c.user_id.in_(list(user_ids)),
               TrainingSession.status != "cancelled",
               TrainingSession.starts_at < end,
               TrainingSession.starts_at > start - timedelta(minutes=MAX_DURATION_MINUTES))))


def facilitator_conflicts(session: TrainingSession) -> list[dict]:
    """Other held sessions (of any training) overlapping this one with a facilitator in common."""
    if session.status == "cancelled" or not session.facilitators:
        return []
    by_id = {u.id: u for u in session.facilitators}
    return [_conflict(session, other, by_id[user_id])
            for other, user_id in _booked(by_id, session.starts_at, session.ends_at)
            if _overlap(session, other)]


def training_conflicts(sessions: list[TrainingSession]) -> dict[int, list[dict]]:
    """Conflict warnings of many sessions at once (one query): session id → warnings."""
    held = [s for s in sessions if s.status != "cancelled" and s.facilitators]
    if not held:
        return {}
    users = {u.id: u for s in held for u in s.facilitators}
    rows = _booked(users, min(s.starts_at for s in held), max(s.ends_at for s in held))
    found: dict[int, list[dict]] = {}
    for session in held:
        mine = {u.id for u in session.facilitators}
        for other, user_id in rows:
            if user_id in mine and _overlap(session, other):
                found.setdefault(session.id, []).append(_conflict(session, other, users[user_id]))
    return found


# --------------------------------------------------------------------------- personal views

@dataclass
class ScheduleItem:
    session: TrainingSession
    training: Training
    number: int
    enrolment: Enrolment | None
    attendance: str | None
    may_join: bool  # accepted participant or staff: sees the meeting link


def _numbered_subquery():
    return select(
        TrainingSession.id.label("sid"),
        func.row_number().over(partition_by=TrainingSession.training_id,
                               order_by=(TrainingSession.starts_at, TrainingSession.id)).label("number"),
    ).subquery()


def schedule_for(user, *, statuses=("accepted", "waitlisted", "applied"),
                 include_staff: bool = True) -> list[ScheduleItem]:
    """Every session of the user's trainings, with number, enrolment and own attendance.

    Two joined queries whatever the number of trainings and sessions.
    """
    numbered = _numbered_subquery()
    rows = db.session.execute(
        select(TrainingSession, Training, Enrolment, AttendanceRecord.status, numbered.c.number)
        .join(Training, Training.id == TrainingSession.training_id)
        .join(Enrolment, Enrolment.training_id == Training.id)
        .join(numbered, numbered.c.sid == TrainingSession.id)
        .outerjoin(AttendanceRecord, (AttendanceRecord.session_id == TrainingSession.id)
                   & (AttendanceRecord.enrolment_id == Enrolment.id))
        .where(Enrolment.user_id == user.id, Enrolment.status.in_(statuses))
        .order_by(TrainingSession.starts_at, TrainingSession.id))
    items: dict[int, ScheduleItem] = {}
    for session, training, enrolment, status, number in rows:
        items[session.id] = ScheduleItem(session, training, int(number), enrolment, status,
                                         enrolment.status == "accepted")
    if include_staff:
        staffed = select(TrainingStaff.training_id).where(TrainingStaff.user_id == user.id)
        rows = db.session.execute(
            select(TrainingSession, Training, numbered.c.number)
            .join(Training, Training.id == TrainingSession.training_id)
            .join(numbered, numbered.c.sid == TrainingSession.id)
            .where(Training.id.in_(staffed))
            .order_by(TrainingSession.starts_at, TrainingSession.id))
        for session, training, number in rows:
            current = items.get(session.id)
            if current is None:
                items[session.id] = ScheduleItem(session, training, int(number), None, None, True)
            else:
                current.may_join = True
    return sorted(items.values(), key=lambda item: (item.session.starts_at, item.session.id))


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


@dataclass
class FacilitatedSession:
    session: TrainingSession
    training: Training
    number: int
    participants: list[Enrolment]
    checklist: list[dict]  # {"key", "label", "people": [names], "notes": [texts]}


def sessions_facilitated_by(user, *, upcoming_from: datetime | None = None) -> list[FacilitatedSession]:
    """Sessions the user facilitates (own sessions, or staff of the training), with the roster."""
    numbered = _numbered_subquery()
    own = select(session_facilitators.c.session_id).where(session_facilitators.c.user_id == user.id)
    staffed = select(TrainingStaff.training_id).where(TrainingStaff.user_id == user.id)
    query = (select(TrainingSession, Training, numbered.c.number)
             .join(Training, Training.id == TrainingSession.training_id)
             .join(numbered, numbered.c.sid == TrainingSession.id)
             .where(or_(TrainingSession.id.in_(own), Training.id.in_(staffed)))
             .order_by(TrainingSession.starts_at, TrainingSession.id))
    if upcoming_from is not None:
        query = query.where(TrainingSession.starts_at
                            >= upcoming_from - timedelta(minutes=MAX_DURATION_MINUTES))
    rows = [(s, t, int(n)) for s, t, n in db.session.execute(query)
            if upcoming_from is None or s.ends_at >= upcoming_from]
    training_ids = {t.id for _s, t, _n in rows}
    roster: dict[int, list[Enrolment]] = {}
    if training_ids:
        for enrolment in db.session.scalars(
                select(Enrolment).where(Enrolment.training_id.in_(training_ids),
                                        Enrolment.status == "accepted")
                .order_by(Enrolment.name)):
            roster.setdefault(enrolment.training_id, []).append(enrolment)
    labels = {key: label for key, label, _w in ACCESSIBILITY_NEEDS}
    labels["other"] = _l("Other needs")
    result = []
    for session, training, number in rows:
        people = roster.get(training.id, [])
        checklist: dict[str, dict] = {}
        for enrolment in people:
            if not enrolment.accessibility_consent or not enrolment.accessibility_needs:
                continue
            for key in classify_needs(enrolment.accessibility_needs):
                entry = checklist.setdefault(key, {"key": key, "label": labels[key], "people": [],
                                                   "notes": []})
                entry["people"].append(enrolment.name)
                entry["notes"].append(f"{enrolment.name}: {enrolment.accessibility_needs}")
        order = [key for key, _l2, _w in ACCESSIBILITY_NEEDS] + ["other"]
        result.append(FacilitatedSession(session, training, number, people,
                                         [checklist[k] for k in order if k in checklist]))
    return result


# --------------------------------------------------------------------------- calendar tokens

# Stored hashed (only the digest; the link is shown again from an HMAC): trainings.auth.
issue_calendar_token = account_services.issue_calendar_token
revoke_calendar_token = account_services.revoke_calendar_token
user_for_calendar_token = account_services.user_for_calendar_token
calendar_feed_token = account_services.calendar_feed_token


def local_wall_time(day: date, clock: time, zone: str) -> datetime:
    """An aware instant from a local date and time in a zone (web forms)."""
    return datetime.combine(day, clock, tzinfo=get_zone(zone))
