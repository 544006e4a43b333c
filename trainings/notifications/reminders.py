"""Session reminders: before each session (by default 24 h and 1 h), each accepted
participant and each facilitator gets one mail in their language, with the time in their
zone, the meeting link and the session as an ``.ics`` attachment.

The periodic task :func:`send_due` (every minute, on the worker) looks at the sessions of
the next two weeks that are not cancelled and have not started. A reminder is due when the
session's *current* start minus the offset has passed; its row in ``reminders`` (unique per
session, person, offset and start) is written in the same transaction as its outbox
message, so two workers never send it twice, and a session moved to another time is
reminded again for the new time. When several offsets have passed at once (someone
enrolled an hour before the start), only the nearest one is sent.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..enrolment.models import Enrolment
from ..extensions import db
from ..messages import NOT_A_LIST, NOT_AN_OBJECT, NOT_WHOLE_NUMBER, text
from ..outbox.services import queue_mail
from ..scheduling.calendar import build_calendar
from ..scheduling.models import Training, TrainingSession
from ..scheduling.services import session_number
from ..timezones import format_datetime
from ..validation import Errors, whole_number
from ..web import absolute_url
from .models import Reminder

logger = logging.getLogger(__name__)

DEFAULT_HOURS = [24, 1]
MAX_OFFSETS = 5
MAX_HOURS = 14 * 24  # two weeks
TOO_MANY = _l("At most %(num)d reminders.")


def clean_hours(value, field: str = "reminders.hours_before") -> list[int]:
    """``[24, 1]`` → the offsets in hours, largest first, each once; ``[]`` for none.
    Anything else is a ValidationError naming the field."""
    errors = Errors()
    if not isinstance(value, list):
        errors.add(field, NOT_A_LIST)
        errors.raise_if_any()
    hours = []
    for index, item in enumerate(value):
        if isinstance(item, str):  # only from the API: "24" is not a number there
            errors.add(f"{field}[{index}]", text(NOT_WHOLE_NUMBER, low=1, high=MAX_HOURS))
            continue
        number = whole_number(item, f"{field}[{index}]", errors, minimum=1, maximum=MAX_HOURS)
        if number is not None:
            hours.append(number)
    if len(set(hours)) > MAX_OFFSETS:
        errors.add(field, text(TOO_MANY, num=MAX_OFFSETS))
    errors.raise_if_any()
    return sorted(set(hours), reverse=True)


def parse_hours_text(value: str | None, field: str = "reminders_hours_before") -> list[int]:
    """The settings form's "24, 1" (empty: no reminders)."""
    parts = [p.strip() for p in (value or "").replace(";", ",").split(",") if p.strip()]
    errors = Errors()
    numbers = []
    for part in parts:
        number = whole_number(part, field, errors, minimum=1, maximum=MAX_HOURS)
        if number is not None:
            numbers.append(number)
    if len(set(numbers)) > MAX_OFFSETS:
        errors.add(field, text(TOO_MANY, num=MAX_OFFSETS))
    errors.raise_if_any()
    return sorted(set(numbers), reverse=True)


def set_reminders(training: Training, value, *, actor) -> list[int]:
    """Change a training's reminders: ``{"hours_before": [24, 1]}`` (``[]`` for none)."""
    if not isinstance(value, dict) or set(value) != {"hours_before"}:
        errors = Errors()
        errors.add("reminders", NOT_AN_OBJECT)
        errors.raise_if_any()
    training.reminders_hours_before = clean_hours(value["hours_before"])
    db.session.flush()
    return training.reminders_hours_before


def hours_of(training: Training) -> list[int]:
    hours = training.reminders_hours_before
    return list(DEFAULT_HOURS if hours is None else hours)


@dataclass(frozen=True)
class Person:
    email: str
    name: str
    language: str
    timezone: str


def recipients(session: TrainingSession) -> list[Person]:
    """The accepted participants and the session's facilitators, each address once."""
    training = session.training
    people: dict[str, Person] = {}
    for user in session.facilitators:
        people[user.email] = Person(user.email, user.name, _lang(user.language),
                                    user.timezone or training.timezone)
    for enrolment in db.session.scalars(select(Enrolment).where(
            Enrolment.training_id == training.id, Enrolment.status == "accepted")
            .order_by(Enrolment.id)):
        people.setdefault(enrolment.email, Person(
            enrolment.email, enrolment.name, _lang(enrolment.language),
            enrolment.timezone or training.timezone))
    return list(people.values())


def _lang(value: str | None) -> str:
    return value if value in ("id", "en") else "en"


def _hours_text(hours: int) -> str:
    if hours % 24 == 0 and hours >= 48:
        return _("%(num)d days", num=hours // 24)
    if hours == 24:
        return _("one day")
    return _("%(num)d hours", num=hours) if hours > 1 else _("one hour")


def message_for(session: TrainingSession, number: int, person: Person, hours: int) -> dict:
    """Subject, body and attachment of one reminder, in the person's language."""
    training = session.training
    lang = person.language
    with force_locale(lang):
        names = {"training": training.title(lang), "number": number,
                 "title": session.title(lang),
                 "when": format_datetime(session.starts_at, person.timezone, locale=lang)}
        subject = _("Reminder: session %(number)d of %(training)s, %(when)s", **names)
        lines = [_("Hello %(name)s,", name=person.name), "",
                 _("Session %(number)d (%(title)s) of %(training)s starts on %(when)s "
                   "(in about %(hours)s).", hours=_hours_text(hours), **names), ""]
        if session.meeting_url:
            lines.append(_("Join the meeting: %(url)s", url=session.meeting_url))
        else:
            lines.append(_("The meeting link is not set yet; the organisers will share it."))
        lines += [_("Training page: %(url)s",
                    url=absolute_url("scheduling.detail", training_id=training.id)), "",
                  _("The session is attached as a calendar file (.ics).")]
        ics = build_calendar([(session, training, number, True)],
                             name=training.title(lang), lang=lang).decode("utf-8")
    return {"subject": subject, "body": "\n".join(lines), "language": lang,
            "attachments": [{"filename": f"session-{number}.ics",
                             "mimetype": "text/calendar", "text": ics}]}


def _due_offsets(session: TrainingSession, now: datetime) -> list[int]:
    return [h for h in hours_of(session.training)
            if session.starts_at - timedelta(hours=h) <= now]


def _sent_for(session: TrainingSession) -> set[tuple[str, int]]:
    return set(db.session.execute(
        select(Reminder.email, Reminder.hours_before).where(
            Reminder.session_id == session.id, Reminder.starts_at == session.starts_at)).all())


def _remind(session: TrainingSession, number: int, person: Person, offsets: list[int]) -> bool:
    """Write the rows and the message of one person's reminder; commit. False when
    another worker did it first (the unique key)."""
    nearest = min(offsets)
    rows = [Reminder(session_id=session.id, email=person.email, hours_before=h,
                     starts_at=session.starts_at, is_skipped=h != nearest) for h in offsets]
    try:
        db.session.add_all(rows)
        db.session.flush()
        content = message_for(session, number, person, nearest)
        message = queue_mail(person.email, content["subject"], content["body"],
                             to_name=person.name, training=session.training, kind="reminder",
                             language=content["language"], attachments=content["attachments"])
        for row in rows:
            if row.hours_before == nearest:
                row.message_id = message.id
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return False
    return True


def send_due(now: datetime) -> int:
    """Queue every reminder that is due at ``now``; how many (the periodic task)."""
    sessions = db.session.scalars(
        select(TrainingSession).where(TrainingSession.status == "scheduled",
                                      TrainingSession.starts_at > now,
                                      TrainingSession.starts_at <= now + timedelta(hours=MAX_HOURS))
        .order_by(TrainingSession.starts_at)).all()
    queued = 0
    for session in sessions:
        due = _due_offsets(session, now)
        if not due:
            continue
        done = _sent_for(session)
        waiting = [(p, [h for h in due if (p.email, h) not in done]) for p in recipients(session)]
        waiting = [(p, offsets) for p, offsets in waiting if offsets]
        if not waiting:
            continue
        number = session_number(session)
        for person, offsets in waiting:
            try:
                queued += _remind(session, number, person, offsets)
            except Exception:  # noqa: BLE001 - one bad row must not stop the others
                db.session.rollback()
                logger.exception("reminder of session %s to %s failed", session.id, person.email)
    return queued
