"""Sessions and series: create, reschedule, cancel and reinstate them.

Every change a calendar shows raises the session's SEQUENCE; participants hear of a held
session that moved, was cancelled or is back on (:func:`.notices.notify_participants`).
"""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select

from ...audit.services import record as audit
from ...auth.models import User
from ...errors import ValidationError
from ...extensions import db
from ...messages import BODY_NOT_OBJECT, UNKNOWN_FIELD
from ...timezones import get_zone
from ...validation import MAX_YEAR, Errors, bilingual, instant, web_url, whole_number
from ..models import Training, TrainingSession, TrainingStaff
from ..signals import session_module_set
from . import checks
from .conflicts import facilitator_conflicts
from .notices import notify_participants
from .venues import check_venue, clean_gathering

SESSION_FIELDS = {"title", "description", "starts_at", "duration_minutes", "meeting_url",
                  "facilitators", "module", "status"} | {"mode", "venue", "interpretation"}
SERIES_FIELDS = {"first_starts_at", "count", "interval_days", "weekdays", "duration_minutes",
                 "title_prefix", "description", "meeting_url", "facilitators", "module",
                 "mode", "venue", "interpretation"}


def _clean_session(data: dict, *, partial: bool, errors: Errors | None = None) -> dict:
    if not isinstance(data, dict):
        raise ValidationError(BODY_NOT_OBJECT)
    errors = Errors() if errors is None else errors
    clean = checks.start(data, SESSION_FIELDS | {"id", "number", "training", "ends_at", "local",
                                                 "sequence", "warnings"}, errors, partial=partial)
    if not partial or "starts_at" in data:
        clean["starts_at"] = instant(data.get("starts_at"), "starts_at", errors)
    if not partial or "duration_minutes" in data:
        clean["duration_minutes"] = checks.duration(data.get("duration_minutes"),
                                                    "duration_minutes", errors)
    if "meeting_url" in data:
        clean["meeting_url"] = web_url(data.get("meeting_url"), "meeting_url", errors)
    if "facilitators" in data:
        clean["facilitators"] = checks.users_by_email(data.get("facilitators"), "facilitators",
                                                      errors)
    if "module" in data:
        clean["module_slug"] = checks.module_slug(data.get("module"), "module", errors)
    if "status" in data:
        if data["status"] not in ("scheduled", "cancelled"):
            errors.add("status", _("The status must be scheduled or cancelled."))
        else:
            clean["status"] = data["status"]
    clean.update(clean_gathering(data, errors))
    return clean


def _check_venue(session: TrainingSession | None, clean: dict, errors: Errors) -> None:
    """The venue rule on the values the session will have after the change."""
    def final(attr, default=None):
        if attr in clean:
            return clean[attr]
        return getattr(session, attr) if session is not None else default
    check_venue(final("mode", "online"), final("venue_name"), errors)


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
    module_before = session.module_slug
    for attr in ("starts_at", "duration_minutes", "meeting_url", "module_slug", "status", "mode",
                 "venue_name", "venue_address", "venue_accessibility_id",
                 "venue_accessibility_en", "interpretation"):
        if attr in clean:
            put(attr, clean[attr])
    if session.module_slug != module_before:
        session_module_set.send(session)
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
    errors = Errors()
    clean = _clean_session(data, partial=False, errors=errors)
    if clean.get("status") == "cancelled":
        errors.add("status", _("A new session cannot be cancelled."))
    _check_venue(None, clean, errors)
    errors.raise_if_any()
    session = TrainingSession(training=training, title_id="", title_en="", status="scheduled",
                              sequence=0, mode="online", interpretation=[])
    with db.session.no_autoflush:
        _apply_session(session, clean)
        _ensure_facilitators_are_staff(training, clean.get("facilitators", []))
    db.session.add(session)
    db.session.flush()
    audit(training.id, actor, "session.created", session, {"fields": sorted(clean)})
    return session, facilitator_conflicts(session)


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


def _clean_series(data: dict) -> dict:
    if not isinstance(data, dict):
        raise ValidationError(BODY_NOT_OBJECT)
    errors = Errors()
    for name in sorted(set(data) - SERIES_FIELDS):
        errors.add(name, UNKNOWN_FIELD)
    clean = {
        "first": instant(data.get("first_starts_at"), "first_starts_at", errors),
        "count": whole_number(data.get("count"), "count", errors, minimum=1,
                              maximum=checks.MAX_SERIES,
                              message=_("A series has from 1 to %(max)d sessions.",
                                        max=checks.MAX_SERIES)),
        "weekdays": checks.weekdays(data.get("weekdays"), "weekdays", errors),
        "interval": None,
    }
    if clean["weekdays"] is None and "weekdays" not in data:
        clean["interval"] = whole_number(data.get("interval_days", 7), "interval_days", errors,
                                         minimum=1, maximum=checks.MAX_INTERVAL_DAYS)
    elif data.get("interval_days") is not None:
        errors.add("interval_days", _("Give either an interval in days or weekdays, not both."))
    clean["duration"] = checks.duration(data.get("duration_minutes"), "duration_minutes", errors)
    prefix = data.get("title_prefix") or {"id": "Sesi", "en": "Session"}
    clean["prefix"] = bilingual(prefix, "title_prefix", errors, max_length=250, required=True)
    clean["description"] = bilingual(data.get("description"), "description", errors,
                                     max_length=20_000)
    clean["meeting_url"] = web_url(data.get("meeting_url"), "meeting_url", errors)
    clean["facilitators"] = checks.users_by_email(data.get("facilitators"), "facilitators", errors)
    clean["module"] = checks.module_slug(data.get("module"), "module", errors)
    clean["gathering"] = clean_gathering(data, errors)
    _check_venue(None, clean["gathering"], errors)
    errors.raise_if_any()
    return clean


def create_series(training: Training, data: dict, *, actor) -> tuple[list[TrainingSession], list[dict]]:
    """``count`` sessions every ``interval_days`` days, or weekly on ``weekdays``."""
    clean = _clean_series(data)
    starts = series_starts(clean["first"], clean["count"], training.timezone,
                           interval_days=clean["interval"], weekdays=clean["weekdays"])
    if starts[-1].year >= MAX_YEAR:
        raise ValidationError(_("The series would end after the year %(year)d.", year=MAX_YEAR - 1),
                              field="count")
    existing = db.session.scalar(select(func.count(TrainingSession.id)).where(
        TrainingSession.training_id == training.id)) or 0
    prefix_id, prefix_en = clean["prefix"]
    description, facilitators = clean["description"], clean["facilitators"]
    sessions = []
    with db.session.no_autoflush:
        _ensure_facilitators_are_staff(training, facilitators)
        for i, start in enumerate(starts, start=existing + 1):
            session = TrainingSession(
                training=training, title_id=f"{prefix_id or prefix_en} {i}",
                title_en=f"{prefix_en or prefix_id} {i}", description_id=description[0],
                description_en=description[1], starts_at=start, duration_minutes=clean["duration"],
                meeting_url=clean["meeting_url"], module_slug=clean["module"], status="scheduled",
                sequence=0, **{"mode": "online", "interpretation": [], **clean["gathering"]})
            session.facilitators = list(facilitators)
            db.session.add(session)
            sessions.append(session)
            if session.module_slug:
                session_module_set.send(session)
    db.session.flush()
    for session in sessions:
        audit(training.id, actor, "session.created", session, {"series": True})
    warnings = []
    for session in sessions:
        warnings.extend(facilitator_conflicts(session))
    return sessions, warnings


def update_session(session: TrainingSession, data: dict, *, actor) -> list[dict]:
    """Reschedule or change a session; SEQUENCE rises on every change. Returns conflict warnings."""
    errors = Errors()
    clean = _clean_session(data, partial=True, errors=errors)
    _check_venue(session, clean, errors)
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
        audit(session.training_id, actor, "session.updated", session, {"fields": sorted(clean)})
    db.session.flush()
    return facilitator_conflicts(session)


def _raise_sequence(session: TrainingSession) -> None:
    """SEQUENCE + 1 in the database itself, so that concurrent changes never share a number."""
    session.sequence = TrainingSession.sequence + 1
    session.updated_at = datetime.now(UTC)
    db.session.flush()
    db.session.refresh(session, ["sequence"])


def cancel_session(session: TrainingSession, *, actor, notify: bool = True) -> TrainingSession:
    """Cancel: the session stays (participants see it), marked cancelled; its people are
    told by mail unless ``notify`` is false."""
    if session.status != "cancelled":
        session.status = "cancelled"
        _raise_sequence(session)
        if notify:
            notify_participants(session, "cancelled")
        audit(session.training_id, actor, "session.cancelled", session)
    return session


def reinstate_session(session: TrainingSession, *, actor) -> TrainingSession:
    if session.status == "cancelled":
        session.status = "scheduled"
        _raise_sequence(session)
        notify_participants(session, "reinstated")
        audit(session.training_id, actor, "session.reinstated", session)
    return session


def local_wall_time(day: date, clock: time, zone: str) -> datetime:
    """An aware instant from a local date and time in a zone (web forms)."""
    return datetime.combine(day, clock, tzinfo=get_zone(zone))
