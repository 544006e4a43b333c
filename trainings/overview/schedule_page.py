"""The "My schedule" page's read model: one statement of plain rows, turned into what the
page prints.

The page lists every session of the person's trainings (as a participant who applied, is
waitlisted or accepted, or on the team), their applications still waiting, their progress
towards each certificate and their own attendance. All of it comes from one statement: the
person's enrolments and team places (``UNION ALL``, both by indexed user id), joined with
each training's title and certificate rule, its sessions (outer: a training without
sessions still shows a waiting application) and the person's own attendance record per
session. Plain column rows, no ORM objects: the page needs a dozen columns, not the
sessions' facilitators or the trainings' relationships. Numbers ("session 3") are counted
here, in each training's session order, not by a window over every session in the database.

Progress (attendance towards the certificate) is ``attendance.eligibility.progress_of`` over
the same rows: the held sessions are the training's sessions not cancelled, the attended
ones those with a counting status, as ``progress_for_enrolments`` reads them in two more
statements elsewhere.

What is printed per session is built once per distinct value and request: a date and a time
in the viewer's zone per instant (a person's trainings often share the same hours), the
translated labels once per page, the "session N" pattern translated once. Past sessions are
many and only informative: the page shows the :data:`PAST_SHOWN` most recent ones, with a
link to all of them (``?past=all``); the progress per training counts all of them anyway.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache

from flask import current_app
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import (
    Integer,
    Text,
    bindparam,
    case,
    cast,
    exists,
    false,
    literal_column,
    null,
    select,
    union_all,
)

from ..attendance.eligibility import counting_statuses, progress_of
from ..attendance.models import AttendanceRecord
from ..certificates.models import Certificate
from ..enrolment.groups.models import TrainingGroup
from ..enrolment.models import Enrolment
from ..evaluation.models import Survey
from ..evaluation.services import required_surveys_pending
from ..extensions import db
from ..i18n import current_language
from ..scheduling.calendar import google_calendar_url
from ..scheduling.models import Training, TrainingSession, TrainingStaff
from ..timezones import format_date, format_datetime, format_time
from ..web import id_url

PAST_SHOWN = 10  # the most recent past sessions shown; the rest behind "show all"
SCHEDULE_STATUSES = ("accepted", "waitlisted", "applied")
WAITING_STATUSES = ("applied", "waitlisted")
JOIN_OPENS_BEFORE = timedelta(minutes=30)


def _constants(values):
    """Fixed words written into the statement (``IN ('applied', ...)``): an ``IN`` of bound
    values is expanded on every execution."""
    return [literal_column(f"'{value}'") for value in values]


@lru_cache(maxsize=1)
def _page_statement():
    """Built once, with the user as a bound parameter (the page asks on every request).

    Beside each enrolment, three flags say whether the page needs the look-ups it would
    otherwise always run: surveys required for the certificate
    (``required_surveys_pending``), groups in the training (the check-in cards, with
    in-person sessions, which the rows show). The code of the enrolment's current valid
    certificate comes along (what ``certificates/_my_certificate.html`` prints), in place of
    a statement loading whole certificates. The JSON columns come as their text on both
    databases (decoded here once per distinct value, not once per row; as text, every value
    of a row can be part of a key: ``schedule_body``)."""
    user = bindparam("page_user", type_=Integer)
    mine = union_all(
        select(Enrolment.training_id.label("training_id"), Enrolment.id.label("enrolment_id"),
               Enrolment.status.label("enrolment_status"),
               # only the waiting list is ordered by it: NULL (no parsing) for the others
               case((Enrolment.status.in_(_constants(WAITING_STATUSES)), Enrolment.created_at))
               .label("applied_at"),
               literal_column("0", Integer).label("staff"),
               select(Certificate.code).where(Certificate.enrolment_id == Enrolment.id,
                                              Certificate.replaced_at.is_(None),
                                              Certificate.revoked_at.is_(None))
               .scalar_subquery().label("certificate"),  # one at most (a unique index)
               exists().where(Survey.training_id == Enrolment.training_id,
                              Survey.is_required_for_certificate.is_(True)).label("surveys"),
               exists().where(TrainingGroup.training_id == Enrolment.training_id)
               .label("grouped"))
        .where(Enrolment.user_id == user,
               Enrolment.status.in_(_constants(SCHEDULE_STATUSES))),
        select(TrainingStaff.training_id, null(), null(), null(), literal_column("1", Integer),
               null(), false(), false())
        .where(TrainingStaff.user_id == user),
    ).subquery("mine")
    s = TrainingSession
    return (select(mine.c.training_id, mine.c.enrolment_id, mine.c.enrolment_status,
                   mine.c.applied_at, mine.c.staff, mine.c.certificate, mine.c.surveys,
                   mine.c.grouped, Training.title_en, Training.title_id,
                   cast(Training.certificate_rule, Text), s.id, s.starts_at, s.duration_minutes, s.status,
                   s.title_en, s.title_id, s.description_en, s.description_id, s.meeting_url,
                   s.mode, s.venue_name, s.venue_address, s.venue_accessibility_id,
                   s.venue_accessibility_en, cast(s.interpretation, Text),
                   AttendanceRecord.status)
            .select_from(mine)
            .join(Training, Training.id == mine.c.training_id)
            .outerjoin(s, s.training_id == mine.c.training_id)
            .outerjoin(AttendanceRecord, (AttendanceRecord.session_id == s.id)
                       & (AttendanceRecord.enrolment_id == mine.c.enrolment_id))
            .order_by(s.starts_at, s.id, mine.c.enrolment_id))


def _decoded(value, memo: dict):
    """A JSON column's value: decoded once per distinct text (SQLite gives the text), as
    it is when the driver has decoded it (PostgreSQL). The values are shared by the rows of
    one request, which only read them."""
    if not isinstance(value, str):
        return value
    found = memo.get(value)
    if found is None:
        found = memo[value] = json.loads(value)
    return found


def _pick(first: str, second: str, lang: str) -> str:
    """The viewer's language first, the other as a fallback (as ``i18n.bilingual``)."""
    return (second or first) if lang == "id" else (first or second)


@dataclass(slots=True)
class MyEnrolment:
    """The person's own enrolment, as the page and its batch look-ups use it."""
    id: int
    training_id: int
    user_id: int
    status: str
    created_at: datetime | None
    title: str  # the training's, in the viewer's language
    certificate: MyCertificate | None = None  # its current certificate, if valid


@dataclass(slots=True, frozen=True)
class MyCertificate:
    """What ``certificates/_my_certificate.html`` reads of a current valid certificate."""
    code: str
    is_valid: bool = True


@dataclass(slots=True)
class MyTraining:
    id: int
    title_en: str
    title_id: str
    title: str  # in the viewer's language
    rule: dict
    url: str
    enrolment: MyEnrolment | None = None
    staff: bool = False
    enrolments: list[MyEnrolment] = field(default_factory=list)
    enrolment_ids: set[int] = field(default_factory=set)
    session_ids: list[int] = field(default_factory=list)
    progress: object = None
    surveys_pending: list = field(default_factory=list)
    requires_surveys: bool = False  # surveys are required for its certificate
    grouped: bool = False  # it has groups (check-in cards)
    meets: bool = False  # a session in person or hybrid (check-in cards)


@dataclass(slots=True)
class MySession:
    """One session of the page, with the names ``scheduling/_gathering.html`` and
    ``calendar.google_calendar_url`` read."""
    id: int
    training: MyTraining
    starts_at: datetime
    ends_at: datetime
    status: str
    title_en: str
    title_id: str
    description_en: str
    description_id: str
    meeting_url: str | None
    mode: str
    venue_name: str | None
    venue_address: str | None
    venue_accessibility_id: str
    venue_accessibility_en: str
    interpretation: list
    number: int = 0
    attendance: str | None = None
    enrolled: bool = False
    may_join: bool = False
    # what the page prints, filled for the sessions shown
    when: str = ""
    until: str = ""
    label: str = ""
    title: str = ""
    attendance_label: str = ""
    join_now: bool = False
    calendar_url: str = ""
    calendar_label: str = ""

    @property
    def is_cancelled(self) -> bool:
        return self.status == "cancelled"

    @property
    def shows_gathering(self) -> bool:
        """Whether ``gathering_info`` prints anything (it prints nothing for online only)."""
        return bool(self.mode and self.mode != "online" or self.interpretation)

    def venue_accessibility(self, lang: str) -> str:
        if lang == "id" and self.venue_accessibility_id:
            return self.venue_accessibility_id
        return self.venue_accessibility_en or self.venue_accessibility_id or ""


@dataclass(slots=True)
class SchedulePage:
    upcoming: list[MySession]
    past: list[MySession]  # most recent first, at most PAST_SHOWN unless all were asked for
    past_count: int
    trainings: list[MyTraining]  # with sessions, in the order of their first session
    waiting: list[MyEnrolment]  # applications still waiting, oldest first
    checks_in: bool = False  # accepted in a training that meets in person or has groups


def _better(current: MyEnrolment | None, candidate: MyEnrolment) -> bool:
    """Which of a person's enrolments in one training the page follows (there is normally
    one): an accepted one first, then the latest."""
    if current is None:
        return True
    return ((candidate.status == "accepted", candidate.id)
            > (current.status == "accepted", current.id))


def schedule_rows(user) -> list:
    """The page's statement's rows for ``user`` (plain columns, no ORM entities: run on the
    session's connection and transaction, without the ORM's per-statement layer, ~0.1 ms;
    nothing is pending in a page view)."""
    return db.session.connection().execute(_page_statement(), {"page_user": user.id}).all()


def read_schedule(user, now: datetime, *, all_past: bool = False, rows=None) -> SchedulePage:
    """The page's content for ``user`` at ``now``, from one statement (its ``rows`` when
    already read)."""
    lang = current_language()
    trainings: dict[int, MyTraining] = {}
    sessions: dict[int, MySession] = {}
    attendance: dict[tuple[int, int], str] = {}
    decoded: dict[str, object] = {}  # JSON text -> value, for this request only
    for row in schedule_rows(user) if rows is None else rows:
        (training_id, enrolment_id, enrolment_status, applied_at, staff, code, surveys,
         grouped, t_en, t_id, rule, session_id, starts_at, duration, *session_columns,
         interpretation, record) = row
        training = trainings.get(training_id)
        if training is None:
            title = _pick(t_en, t_id, lang)
            training = trainings[training_id] = MyTraining(
                training_id, t_en, t_id, title, _decoded(rule, decoded) or {},
                id_url("scheduling.detail", training_id=training_id))
        if staff:
            training.staff = True
        elif enrolment_id is not None and enrolment_id not in training.enrolment_ids:
            training.enrolment_ids.add(enrolment_id)
            enrolment = MyEnrolment(enrolment_id, training_id, user.id, enrolment_status,
                                    applied_at, training.title,
                                    MyCertificate(code) if code is not None else None)
            training.requires_surveys = training.requires_surveys or bool(surveys)
            training.grouped = training.grouped or bool(grouped)
            training.enrolments.append(enrolment)
            if _better(training.enrolment, enrolment):
                training.enrolment = enrolment
        if session_id is None:
            continue
        if session_id not in sessions:
            sessions[session_id] = MySession(
                session_id, training, starts_at, starts_at + timedelta(minutes=duration),
                *session_columns, _decoded(interpretation, decoded))
            training.session_ids.append(session_id)
            training.meets = training.meets or (sessions[session_id].mode or "online") != "online"
        if record is not None:
            attendance[(session_id, enrolment_id)] = record
    return _page(trainings, sessions, attendance, now, all_past=all_past)


def _page(trainings, sessions, attendance, now, *, all_past: bool) -> SchedulePage:
    for training in trainings.values():
        enrolment = training.enrolment
        for number, session_id in enumerate(training.session_ids, start=1):
            session = sessions[session_id]
            session.number = number
            session.enrolled = enrolment is not None
            session.may_join = training.staff or (enrolment is not None
                                                  and enrolment.status == "accepted")
            if enrolment is not None:
                session.attendance = attendance.get((session_id, enrolment.id))
        if enrolment is not None and enrolment.status == "accepted":
            counting = counting_statuses(training.rule)
            held = [sid for sid in training.session_ids if not sessions[sid].is_cancelled]
            training.progress = progress_of(training.rule, held, [
                sid for sid in held if sessions[sid].attendance in counting])
    ordered = list(sessions.values())  # the statement's order: start, then id
    upcoming = [s for s in ordered if s.ends_at >= now]
    past = [s for s in reversed(ordered) if s.ends_at < now]
    waiting = sorted((e for t in trainings.values() for e in t.enrolments
                      if e.status in WAITING_STATUSES),
                     key=lambda e: (e.created_at is None, e.created_at or now, e.id))
    with_sessions: dict[int, MyTraining] = {}
    for session in ordered:
        with_sessions.setdefault(session.training.id, session.training)
    checks_in = any(t.meets or t.grouped for t in trainings.values()
                    if any(e.status == "accepted" for e in t.enrolments))
    return SchedulePage(upcoming, past if all_past else past[:PAST_SHOWN], len(past),
                        list(with_sessions.values()), waiting, checks_in)


def _constant_texts(lang: str) -> tuple:
    """The page's fixed strings in ``lang``, translated once per app and language (the
    catalogues do not change while the process runs, as ``core._labels``): the "session N"
    and calendar patterns (the catalogue's text marked safe and the number formatted in, as a
    template's _()), the attendance labels, "Cancelled" and "Team"."""
    kept = current_app.extensions.setdefault("anyam.schedule_texts", {})
    found = kept.get(lang)
    if found is None:
        found = kept[lang] = (
            Markup(_("session %(num)d")),  # noqa: S704
            Markup(_("Add session %(num)d to Google Calendar")),  # noqa: S704
            {"present": _("Present"), "late": _("Late"), "absent": _("Absent"),
             "excused": _("Excused"), None: _("Not recorded yet")},
            _("Cancelled"), _("Team"))
    return found


class _Texts:
    """The page's strings in the viewer's language and zone, each built once per request
    and distinct value (the instants shown are often the same few hours)."""

    def __init__(self, zone: str, lang: str):
        self.zone, self.lang = zone, lang
        (self.session, self.add_to_calendar, self.attendance, self.cancelled,
         self.team) = _constant_texts(lang)
        self._full: dict = {}
        self._time: dict = {}
        self._medium: dict = {}
        self._labels: dict = {}
        self._calendar_labels: dict = {}

    def starts(self, instant: datetime) -> str:
        value = self._full.get(instant)
        if value is None:
            value = self._full[instant] = format_datetime(instant, self.zone, self.lang)
        return value

    def time(self, instant: datetime) -> str:
        value = self._time.get(instant)
        if value is None:
            value = self._time[instant] = format_time(instant, self.zone, self.lang)
        return value

    def day_and_time(self, instant: datetime) -> str:
        value = self._medium.get(instant)
        if value is None:
            value = self._medium[instant] = (
                f"{format_date(instant, self.zone, self.lang, fmt='medium')}, {self.time(instant)}")
        return value

    def label(self, number: int) -> Markup:
        """"session 3": once per number (a person's trainings have the same few)."""
        value = self._labels.get(number)
        if value is None:
            value = self._labels[number] = self.session % {"num": number}
        return value

    def calendar_label(self, number: int) -> Markup:
        value = self._calendar_labels.get(number)
        if value is None:
            value = self._calendar_labels[number] = self.add_to_calendar % {"num": number}
        return value


def fill_texts(page: SchedulePage, zone: str, now: datetime) -> SchedulePage:
    """What the page prints for the sessions it shows."""
    lang = current_language()
    texts = _Texts(zone, lang)
    for session in page.upcoming:
        session.when, session.until = texts.starts(session.starts_at), texts.time(session.ends_at)
        session.label = texts.label(session.number)
        session.title = _pick(session.title_en, session.title_id, lang)
        session.join_now = now >= session.starts_at - JOIN_OPENS_BEFORE
        if not session.is_cancelled:
            session.calendar_url = google_calendar_url(session, session.training, lang)
            session.calendar_label = texts.calendar_label(session.number)
    for session in page.past:
        session.when = texts.day_and_time(session.starts_at)
        session.label = texts.label(session.number)
        if session.is_cancelled:
            session.attendance_label = texts.cancelled
        elif session.attendance is not None or session.enrolled:
            session.attendance_label = texts.attendance.get(session.attendance, session.attendance)
        else:
            session.attendance_label = texts.team
    return page


def schedule_page(user, now: datetime, zone: str, *, all_past: bool = False,
                  rows=None) -> SchedulePage:
    """Everything "My schedule" shows but the check-in cards, the certificates (loaded once
    for all the person's enrolments by ``certificate_for_enrolment``) and the feed link:
    the rows' statement and the required surveys still to answer (one or two statements,
    whatever the number of trainings)."""
    page = read_schedule(user, now, all_past=all_past, rows=rows)
    pending = required_surveys_pending([t.enrolment for t in page.trainings
                                        if t.requires_surveys and t.enrolment is not None
                                        and t.enrolment.status == "accepted"])
    for training in page.trainings:
        if training.enrolment is not None:
            training.surveys_pending = pending.get(training.enrolment.id, [])
    return fill_texts(page, zone, now)
