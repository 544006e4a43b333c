"""Personal schedules, a read model across scheduling, enrolment and attendance:
"my schedule" (a participant's and staff member's sessions, with own attendance) and
"my sessions" (what a facilitator runs, with the roster's accessibility checklist)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import Integer, bindparam, func, or_, select
from sqlalchemy.orm import lazyload

from ..attendance.models import AttendanceRecord
from ..enrolment.models import Enrolment
from ..extensions import db
from ..scheduling.models import Training, TrainingSession, TrainingStaff, session_facilitators
from ..scheduling.services import (
    ACCESSIBILITY_NEEDS,
    MAX_DURATION_MINUTES,
    classify_needs,
    need_labels,
)


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


@lru_cache(maxsize=2)
def _schedule_statements(facilitators: bool = True):
    """The two statements of :func:`schedule_for`, built once with bound parameters
    (building and keying them cost more than a third of the page's queries). Without
    ``facilitators`` the sessions' facilitators are not loaded with them (one "selectin"
    statement per query fewer; they would load lazily if asked for)."""
    user = bindparam("schedule_user", type_=Integer)
    enrolled = (
        select(TrainingSession, Training, Enrolment, AttendanceRecord.status)
        .join(Training, Training.id == TrainingSession.training_id)
        .join(Enrolment, Enrolment.training_id == Training.id)
        .outerjoin(AttendanceRecord, (AttendanceRecord.session_id == TrainingSession.id)
                   & (AttendanceRecord.enrolment_id == Enrolment.id))
        .where(Enrolment.user_id == user,
               Enrolment.status.in_(bindparam("schedule_statuses", expanding=True)))
        .order_by(TrainingSession.starts_at, TrainingSession.id))
    staffed = (
        select(TrainingSession, Training)
        .join(Training, Training.id == TrainingSession.training_id)
        .where(Training.id.in_(select(TrainingStaff.training_id)
                               .where(TrainingStaff.user_id == user)))
        .order_by(TrainingSession.starts_at, TrainingSession.id))
    if not facilitators:
        enrolled = enrolled.options(lazyload(TrainingSession.facilitators))
        staffed = staffed.options(lazyload(TrainingSession.facilitators))
    return enrolled, staffed


def schedule_for(user, *, statuses=("accepted", "waitlisted", "applied"),
                 include_staff: bool = True, facilitators: bool = True) -> list[ScheduleItem]:
    """Every session of the user's trainings, with number, enrolment and own attendance.

    Two joined queries whatever the number of trainings and sessions (and the sessions'
    facilitators in one more each, unless ``facilitators=False``: a page that does not
    show them). Both read every session of each training they include, so a session's
    number is its place in its training's order, counted here (not by a window over every
    session in the database).
    """
    enrolled, staffed = _schedule_statements(facilitators)
    items: dict[int, ScheduleItem] = {}
    if statuses:
        rows = db.session.execute(enrolled, {"schedule_user": user.id,
                                             "schedule_statuses": list(statuses)})
        for session, training, enrolment, status in rows:
            items[session.id] = ScheduleItem(session, training, 0, enrolment, status,
                                             enrolment.status == "accepted")
    if include_staff:
        for session, training in db.session.execute(staffed, {"schedule_user": user.id}):
            current = items.get(session.id)
            if current is None:
                items[session.id] = ScheduleItem(session, training, 0, None, None, True)
            else:
                current.may_join = True
    ordered = sorted(items.values(), key=lambda item: (item.session.starts_at, item.session.id))
    counts: dict[int, int] = {}
    for item in ordered:
        item.number = counts[item.training.id] = counts.get(item.training.id, 0) + 1
    return ordered


@dataclass
class FacilitatedSession:
    session: TrainingSession
    training: Training
    number: int
    participants: list[Enrolment]
    checklist: list[dict]  # {"key", "label", "people": [names], "notes": [texts]}


def _rosters(training_ids) -> dict[int, list[Enrolment]]:
    roster: dict[int, list[Enrolment]] = {}
    if training_ids:
        for enrolment in db.session.scalars(
                select(Enrolment).where(Enrolment.training_id.in_(training_ids),
                                        Enrolment.status == "accepted")
                .order_by(Enrolment.name)):
            roster.setdefault(enrolment.training_id, []).append(enrolment)
    return roster


def _checklist(people: list[Enrolment], labels: dict) -> list[dict]:
    """The accessibility checklist of a roster: only needs shared with consent."""
    checklist: dict[str, dict] = {}
    for enrolment in people:
        if not enrolment.accessibility_consent or not enrolment.accessibility_needs:
            continue
        for key in classify_needs(enrolment.accessibility_needs):
            entry = checklist.setdefault(key, {"key": key, "label": labels[key], "people": [],
                                               "notes": []})
            entry["people"].append(enrolment.name)
            entry["notes"].append(f"{enrolment.name}: {enrolment.accessibility_needs}")
    order = [key for key, _label, _words in ACCESSIBILITY_NEEDS] + ["other"]
    return [checklist[k] for k in order if k in checklist]


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
    roster = _rosters({t.id for _s, t, _n in rows})
    labels = need_labels()
    return [FacilitatedSession(session, training, number, roster.get(training.id, []),
                               _checklist(roster.get(training.id, []), labels))
            for session, training, number in rows]
