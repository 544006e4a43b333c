"""A participant's own attendance: statuses per session and certificate progress."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ...extensions import db
from ...scheduling.models import TrainingSession
from .. import eligibility
from ..models import AttendanceRecord


@dataclass
class OwnAttendance:
    sessions: list[tuple[int, TrainingSession, str | None]]  # (number, session, status)
    progress: eligibility.Progress


def own_attendance(enrolment) -> OwnAttendance:
    """One participant's statuses per session and certificate progress (for My schedule).

    Check ``policy.require(actor, "attendance.view_own", enrolment)`` before showing it.
    """
    training = enrolment.training
    statuses = dict(db.session.execute(
        select(AttendanceRecord.session_id, AttendanceRecord.status)
        .where(AttendanceRecord.enrolment_id == enrolment.id)).all())
    sessions = list(db.session.scalars(
        select(TrainingSession).where(TrainingSession.training_id == training.id)
        .order_by(TrainingSession.starts_at, TrainingSession.id)))
    rule = training.certificate_rule or {}
    held = {s.id for s in sessions if not s.is_cancelled}
    counting = eligibility.counting_statuses(rule)
    progress = eligibility.progress_of(rule, held, {sid for sid, st in statuses.items()
                                                    if st in counting})
    return OwnAttendance(sessions=[(n, s, statuses.get(s.id)) for n, s in enumerate(sessions, 1)],
                         progress=progress)
