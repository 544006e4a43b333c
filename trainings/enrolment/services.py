"""Enrolments: applications, seat allocation (capacity and country quotas), waitlist,
status changes with promotion, participant accounts and invitations, stats.

Seat allocation is serialised per training: every change that can take or free a seat
starts with a write on the training's row (``UPDATE trainings SET capacity = capacity``).
On PostgreSQL that takes the row lock until commit; on SQLite the write takes the
database's write lock (a deferred transaction whose first statement is a write waits
on ``busy_timeout`` instead of failing). The seats in use are then counted from the
enrolments themselves, so the numbers can never drift from the data, and no two
transactions can both see the last free seat.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app, has_request_context, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..auth.models import User
from ..countries import normalise_country
from ..db import utcnow
from ..errors import Conflict, Forbidden, NotFound, ValidationError
from ..extensions import db
from ..outbox.services import queue_mail
from ..scheduling.models import Training, TrainingSession
from ..timezones import is_valid_timezone
from .models import SECTORS, STATUSES, Enrolment, Invitation

LANGUAGES = ("id", "en")
MAX_LENGTHS = {"name": 200, "email": 254, "organisation": 200, "accessibility_needs": 2000}

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
_SECTOR_ALIASES = {
    "academic": "academic", "academia": "academic", "akademisi": "academic",
    "akademik": "academic", "activist": "activist", "aktivis": "activist",
    "civil society": "activist", "ngo": "activist", "lsm": "activist",
    "government": "government", "pemerintah": "government", "pemerintahan": "government",
    "other": "other", "lainnya": "other", "lain-lain": "other", "lain": "other",
}
_LANGUAGE_ALIASES = {
    "id": "id", "ind": "id", "indonesian": "id", "bahasa indonesia": "id", "indonesia": "id",
    "en": "en", "eng": "en", "english": "en", "inggris": "en", "bahasa inggris": "en",
}


# --------------------------------------------------------------------------- queries

def get_enrolment(enrolment_id: int) -> Enrolment | None:
    return db.session.get(Enrolment, enrolment_id)


def list_enrolments(training, *, country: str | None = None, status: str | None = None,
                    sector: str | None = None, search: str | None = None) -> list[Enrolment]:
    query = select(Enrolment).where(Enrolment.training_id == training.id)
    if country:
        query = query.where(Enrolment.country_code == normalise_country(country))
    if status:
        if status not in STATUSES:
            raise ValidationError(_("Unknown status: %(status)s", status=status), field="status")
        query = query.where(Enrolment.status == status)
    if sector:
        if sector not in SECTORS:
            raise ValidationError(_("Unknown sector: %(sector)s", sector=sector), field="sector")
        query = query.where(Enrolment.sector == sector)
    if search and search.strip():
        like = "%" + search.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace(
            "_", "\\_") + "%"
        query = query.where(func.lower(Enrolment.name).like(like, escape="\\")
                            | Enrolment.email.like(like, escape="\\")
                            | func.lower(Enrolment.organisation).like(like, escape="\\"))
    query = query.options(selectinload(Enrolment.user))
    return list(db.session.scalars(query.order_by(Enrolment.created_at, Enrolment.id)))


def own_enrolment(training, user) -> Enrolment | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(select(Enrolment).where(Enrolment.training_id == training.id,
                                                     Enrolment.user_id == user.id))


# --------------------------------------------------------------------------- validation

def _text(data: dict, key: str, *, required: bool = False, label=None) -> str:
    value = data.get(key)
    if value is None:
        value = ""
    if not isinstance(value, str):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        else:
            raise ValidationError(_("This must be text."), field=key)
    value = " ".join(value.replace("\x00", "").split()) if key != "accessibility_needs" \
        else value.replace("\x00", "").strip()
    if required and not value:
        raise ValidationError(_("This field is required."), field=key, code="required")
    limit = MAX_LENGTHS.get(key)
    if limit and len(value) > limit:
        raise ValidationError(_("At most %(n)d characters.", n=limit), field=key, code="too_long")
    return value


def normalise_sector(value) -> str:
    text_value = (value or "").strip().casefold() if isinstance(value, str) else value
    if not text_value:
        return "other"
    sector = _SECTOR_ALIASES.get(text_value) if isinstance(text_value, str) else None
    if sector is None:
        raise ValidationError(_("Unknown sector: %(sector)s. Use academic, activist, government "
                                "or other.", sector=str(value)[:40]), field="sector",
                              code="unknown_sector")
    return sector


def normalise_language(value, default: str = "en") -> str:
    text_value = (value or "").strip().casefold() if isinstance(value, str) else value
    if not text_value:
        return default
    lang = _LANGUAGE_ALIASES.get(text_value) if isinstance(text_value, str) else None
    if lang is None:
        raise ValidationError(_("Unknown language: %(lang)s. Use id or en.", lang=str(value)[:40]),
                              field="language", code="unknown_language")
    return lang


def default_timezone(country_code: str, fallback: str = "UTC") -> str:
    """The main zone of a country (CLDR's territory zones), for rows that name none."""
    from babel.core import get_global
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
    from ..auth.services import normalise_email
    if not isinstance(data, dict):
        raise ValidationError(_("The body must be a JSON object."), code="invalid_json")
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
    consent = data.get("accessibility_consent", True)
    # Accessibility needs are stored only with their own explicit consent.
    clean["accessibility_needs"] = needs if needs and consent is True else None
    clean["accessibility_consent"] = bool(clean["accessibility_needs"])
    if details:
        first = details[0]
        raise ValidationError(first["message"] if len(details) == 1
                              else _("Some fields are not valid."),
                              code=first.get("code") if len(details) == 1 else None,
                              details=[{"field": d["field"], "message": d["message"]}
                                       for d in details])
    return clean


# --------------------------------------------------------------------------- seats

@dataclass
class SeatState:
    """Seats in use in one training, counted while holding the training's lock."""

    capacity: int | None
    quotas: dict[str, int]
    accepted: int = 0
    by_country: dict[str, int] = field(default_factory=dict)

    def fits(self, country_code: str) -> bool:
        if self.capacity is not None and self.accepted >= self.capacity:
            return False
        quota = self.quotas.get(country_code)
        # A country without a quota entry is limited only by the capacity.
        return quota is None or self.by_country.get(country_code, 0) < quota

    def take(self, country_code: str) -> None:
        self.accepted += 1
        self.by_country[country_code] = self.by_country.get(country_code, 0) + 1

    def free(self, country_code: str) -> None:
        self.accepted -= 1
        self.by_country[country_code] = self.by_country.get(country_code, 0) - 1


def lock_seats(training: Training) -> SeatState:
    """Take the training's allocation lock (a write, first) and count the seats in use."""
    result = db.session.execute(text("UPDATE trainings SET capacity = capacity WHERE id = :id"),
                                {"id": training.id})
    if result.rowcount != 1:
        raise NotFound(_("No such training."))
    return count_seats(training)


def count_seats(training: Training) -> SeatState:
    """The seats in use now (without the lock: for previews and display only)."""
    capacity = db.session.scalar(select(Training.capacity).where(Training.id == training.id))
    from ..scheduling.models import TrainingCountryQuota
    quotas = dict(db.session.execute(
        select(TrainingCountryQuota.country_code, TrainingCountryQuota.places)
        .where(TrainingCountryQuota.training_id == training.id)).all())
    rows = db.session.execute(
        select(Enrolment.country_code, func.count())
        .where(Enrolment.training_id == training.id, Enrolment.status == "accepted")
        .group_by(Enrolment.country_code)).all()
    by_country = {code: n for code, n in rows}
    return SeatState(capacity=capacity, quotas=quotas, accepted=sum(by_country.values()),
                     by_country=by_country)


def _email_taken(training: Training, email: str) -> bool:
    return db.session.scalar(select(func.count()).select_from(Enrolment).where(
        Enrolment.training_id == training.id, Enrolment.email == email)) > 0


def _duplicate(email: str) -> Conflict:
    return Conflict(_("This email address is already enrolled in this training."),
                    field="email", code="duplicate_email")


# --------------------------------------------------------------------------- enrol

def enrol(training: Training, data: dict, *, actor=None, public: bool = False,
          notify: bool = True) -> Enrolment:
    """Create an enrolment: ``accepted`` while the capacity and the country's quota have
    room, else ``waitlisted``; ``applied`` for a public application when the training
    requires approval. ``public`` applications need the training's applications open."""
    clean = clean_enrolment_data(data)
    if public and not training.applications_open:
        raise Conflict(_("Applications for this training are closed."),
                       code="applications_closed")
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
    _after_status(enrolment, notify=notify)
    return enrolment


# --------------------------------------------------------------------------- status changes

TRANSITIONS = {
    "accepted": {"applied", "waitlisted", "rejected", "withdrawn"},
    "waitlisted": {"applied", "rejected", "withdrawn"},
    "rejected": {"applied", "waitlisted", "accepted"},
    "withdrawn": {"applied", "waitlisted", "accepted"},
}


def change_status(enrolment: Enrolment, status: str, *, actor=None, notify: bool = True) -> list[Enrolment]:
    """Accept, waitlist, reject or withdraw an enrolment. A freed seat promotes the oldest
    waitlisted enrolments that now fit. Returns the promoted enrolments."""
    if status not in TRANSITIONS:
        raise ValidationError(_("Unknown status: %(status)s", status=str(status)[:20]),
                              field="status", code="invalid_status")
    training = enrolment.training
    seats = lock_seats(training)
    db.session.refresh(enrolment)  # its current status, read under the lock
    old = enrolment.status
    if old == status:
        return []
    if old not in TRANSITIONS[status]:
        raise Conflict(_("An enrolment that is %(old)s cannot become %(new)s.",
                         old=STATUS_LABELS[old], new=STATUS_LABELS[status]),
                       field="status", code="invalid_transition")
    if status == "accepted":
        if not seats.fits(enrolment.country_code):
            raise Conflict(_("No place is free: the training or this country's quota is full."),
                           field="status", code="no_place")
        seats.take(enrolment.country_code)
    enrolment.status = status
    enrolment.decided_at = utcnow()
    db.session.flush()
    promoted: list[Enrolment] = []
    if old == "accepted":
        seats.free(enrolment.country_code)
        promoted = _promote(training, seats, notify=notify)
    _after_status(enrolment, notify=notify)
    return promoted


def withdraw_own(enrolment: Enrolment, *, actor) -> list[Enrolment]:
    if actor is None or enrolment.user_id != getattr(actor, "id", None):
        raise Forbidden(_("You are not allowed to do this."))
    return change_status(enrolment, "withdrawn", actor=actor)


def promote_waitlisted(training: Training, *, actor=None, notify: bool = True) -> list[Enrolment]:
    """Accept the oldest waitlisted enrolments that fit (e.g. after raising the capacity)."""
    return _promote(training, lock_seats(training), notify=notify)


def _promote(training: Training, seats: SeatState, *, notify: bool) -> list[Enrolment]:
    promoted = []
    if seats.capacity is not None and seats.accepted >= seats.capacity:
        return promoted
    waiting = db.session.scalars(
        select(Enrolment).where(Enrolment.training_id == training.id,
                                Enrolment.status == "waitlisted")
        .order_by(Enrolment.created_at, Enrolment.id))
    for candidate in waiting:
        if seats.capacity is not None and seats.accepted >= seats.capacity:
            break
        if seats.fits(candidate.country_code):
            seats.take(candidate.country_code)
            candidate.status = "accepted"
            candidate.decided_at = utcnow()
            promoted.append(candidate)
    db.session.flush()
    for candidate in promoted:
        _after_status(candidate, notify=notify)
    return promoted


# --------------------------------------------------------------------------- settings

def update_settings(training: Training, *, applications_open: bool, requires_approval: bool,
                    actor=None) -> None:
    training.applications_open = bool(applications_open)
    training.requires_approval = bool(requires_approval)
    db.session.flush()


# --------------------------------------------------------------------------- accounts and mail

def _absolute_url(endpoint: str, **values) -> str:
    base = current_app.config.get("PUBLIC_BASE_URL")
    if base:
        path = current_app.url_map.bind("localhost").build(endpoint, values)
        return base.rstrip("/") + path
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    return current_app.url_map.bind("localhost").build(endpoint, values)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_invitation(user: User, enrolment: Enrolment | None = None) -> str:
    """A one-time set-password token (returned once; only its digest is stored)."""
    token = secrets.token_urlsafe(32)
    days = int(current_app.config["INVITATION_DAYS"])
    db.session.add(Invitation(user_id=user.id, enrolment_id=enrolment.id if enrolment else None,
                              token_hash=_digest(token), expires_at=utcnow() + timedelta(days=days)))
    db.session.flush()
    return token


def invitation_for_token(token: str | None) -> Invitation | None:
    """The valid (unused, unexpired) invitation of that token, else None."""
    if not token or len(token) > 200:
        return None
    invitation = db.session.scalar(select(Invitation).where(
        Invitation.token_hash == _digest(token)))
    if invitation is None or invitation.used_at is not None or invitation.expires_at <= utcnow():
        return None
    if not invitation.user.is_active:
        return None
    return invitation


def accept_invitation(token: str, password: str) -> User:
    from ..auth.services import set_password
    invitation = invitation_for_token(token)
    if invitation is None:
        raise NotFound(_("This link is not valid any more. Ask the organisers for a new one."),
                       code="invalid_invitation")
    set_password(invitation.user, password)
    now = utcnow()
    for other in db.session.scalars(select(Invitation).where(
            Invitation.user_id == invitation.user_id, Invitation.used_at.is_(None))):
        other.used_at = now
    db.session.flush()
    return invitation.user


def resend_invitation(enrolment: Enrolment, *, actor=None) -> None:
    """A fresh set-password link for an accepted participant who has not set a password."""
    if enrolment.status != "accepted":
        raise Conflict(_("Only accepted participants get an invitation."), code="not_accepted")
    user, needs_invitation = _link_account(enrolment)
    if not needs_invitation:
        raise Conflict(_("This participant has already set a password."),
                       code="password_already_set")
    _notify(enrolment, create_invitation(user, enrolment))


def _link_account(enrolment: Enrolment) -> tuple[User, bool]:
    """The user of an accepted enrolment, created when needed. (user, needs_invitation)"""
    user = enrolment.user
    if user is None:
        user = db.session.scalar(select(User).where(User.email == enrolment.email))
    if user is None:
        user = User(email=enrolment.email, name=enrolment.name, role="participant",
                    language=enrolment.language, timezone=enrolment.timezone)
        db.session.add(user)
        db.session.flush()
    enrolment.user_id = user.id
    enrolment.user = user
    return user, not user.password_hash


def _after_status(enrolment: Enrolment, *, notify: bool) -> None:
    """Link the account of an accepted enrolment; tell the person what happened."""
    token = None
    if enrolment.status == "accepted":
        user, needs_invitation = _link_account(enrolment)
        if needs_invitation:
            token = create_invitation(user, enrolment)
    if notify:
        _notify(enrolment, token)


def _notify(enrolment: Enrolment, token: str | None) -> None:
    training = enrolment.training
    lang = enrolment.language if enrolment.language in LANGUAGES else "en"
    with force_locale(lang):
        title = training.title(lang)
        greeting = _("Dear %(name)s,", name=enrolment.name)
        if enrolment.status == "accepted":
            subject = _("You are enrolled: %(title)s", title=title)
            lines = [_("You have a place in the training “%(title)s”.", title=title)]
            if token:
                link = _absolute_url("enrolment.invitation", token=token)
                lines += ["", _("Set your password to see your schedule, sessions and "
                                "certificate (the link works once and for %(days)d days):",
                                days=int(current_app.config["INVITATION_DAYS"])), link]
            else:
                lines += ["", _("Log in with your existing account to see your schedule.")]
            kind = "invitation" if token else "enrolment"
        elif enrolment.status == "waitlisted":
            subject = _("On the waiting list: %(title)s", title=title)
            lines = [_("The training “%(title)s” is full for now, so you are on the waiting "
                       "list. If a place becomes free, you get it in the order of application "
                       "and we write to you.", title=title)]
            kind = "enrolment"
        elif enrolment.status == "applied":
            subject = _("Application received: %(title)s", title=title)
            lines = [_("We have received your application for “%(title)s”. The organisers "
                       "will decide on it and write to you.", title=title)]
            kind = "enrolment"
        elif enrolment.status == "rejected":
            subject = _("Your application: %(title)s", title=title)
            lines = [_("We are sorry: your application for “%(title)s” could not be accepted.",
                       title=title)]
            kind = "enrolment"
        else:  # withdrawn
            subject = _("Enrolment withdrawn: %(title)s", title=title)
            lines = [_("Your enrolment in “%(title)s” is withdrawn.", title=title)]
            kind = "enrolment"
        body = "\n".join([greeting, "", *lines, "", _("Kind regards,"),
                          ", ".join(o.name for o in training.organisations) or "Anyam"])
    queue_mail(enrolment.email, subject, body, to_name=enrolment.name, training=training,
               kind=kind)


# --------------------------------------------------------------------------- stats

def stats(training: Training) -> dict:
    """Counts per country and status; attendance rates over accepted enrolments and held
    sessions (sessions not cancelled with at least one record). None when nothing is recorded."""
    from ..attendance.models import AttendanceRecord
    by_country: dict[str, dict[str, int]] = {}
    for code in training.country_quotas:
        by_country[code] = dict.fromkeys(STATUSES, 0)
    rows = db.session.execute(
        select(Enrolment.country_code, Enrolment.status, func.count())
        .where(Enrolment.training_id == training.id)
        .group_by(Enrolment.country_code, Enrolment.status)).all()
    totals = dict.fromkeys(STATUSES, 0)
    for code, status, n in rows:
        by_country.setdefault(code, dict.fromkeys(STATUSES, 0))[status] = n
        totals[status] += n
    accepted = totals["accepted"]

    sessions = list(db.session.scalars(
        select(TrainingSession).where(TrainingSession.training_id == training.id)
        .order_by(TrainingSession.starts_at, TrainingSession.id)))
    record_rows = db.session.execute(
        select(AttendanceRecord.session_id, AttendanceRecord.status, func.count())
        .join(Enrolment, Enrolment.id == AttendanceRecord.enrolment_id)
        .join(TrainingSession, TrainingSession.id == AttendanceRecord.session_id)
        .where(TrainingSession.training_id == training.id, Enrolment.status == "accepted")
        .group_by(AttendanceRecord.session_id, AttendanceRecord.status)).all()
    recorded: dict[int, int] = {}
    attended: dict[int, int] = {}
    for session_id, status, n in record_rows:
        recorded[session_id] = recorded.get(session_id, 0) + n
        if status in ("present", "late"):
            attended[session_id] = attended.get(session_id, 0) + n
    session_items = []
    held = 0
    attended_total = 0
    for number, session in enumerate(sessions, start=1):
        rate = None
        if session.status != "cancelled" and recorded.get(session.id) and accepted:
            held += 1
            attended_total += attended.get(session.id, 0)
            rate = round(attended.get(session.id, 0) / accepted, 4)
        session_items.append({"id": session.id, "number": number, "status": session.status,
                              "attendance_rate": rate})
    overall = round(attended_total / (accepted * held), 4) if held and accepted else None
    return {"by_country": by_country, "totals": totals, "capacity": training.capacity,
            "country_quotas": training.country_quotas, "attendance_rate": overall,
            "sessions": session_items}


def country_counts(training: Training) -> list[dict]:
    """Rows for the participant list: per country, accepted against the quota, and waiting."""
    data = stats_counts(training)
    quotas = training.country_quotas
    codes = sorted(set(data) | set(quotas))
    return [{"country": code, "quota": quotas.get(code), **data.get(code, dict.fromkeys(STATUSES, 0))}
            for code in codes]


def stats_counts(training: Training) -> dict[str, dict[str, int]]:
    rows = db.session.execute(
        select(Enrolment.country_code, Enrolment.status, func.count())
        .where(Enrolment.training_id == training.id)
        .group_by(Enrolment.country_code, Enrolment.status)).all()
    counts: dict[str, dict[str, int]] = {}
    for code, status, n in rows:
        counts.setdefault(code, dict.fromkeys(STATUSES, 0))[status] = n
    return counts


# --------------------------------------------------------------------------- exports

EXPORT_HEADER = ["id", "name", "email", "country", "country_name", "organisation", "sector",
                 "timezone", "language", "status", "accessibility_needs", "created_at",
                 "decided_at"]


def export_rows(training: Training, enrolments: list[Enrolment], locale: str = "en") -> list[list]:
    from ..countries import country_name
    from ..timezones import iso_utc
    return [[e.id, e.name, e.email, e.country_code, country_name(e.country_code, locale),
             e.organisation, e.sector, e.timezone, e.language, e.status,
             e.accessibility_needs or "", iso_utc(e.created_at), iso_utc(e.decided_at)]
            for e in enrolments]
