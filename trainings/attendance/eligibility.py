"""Certificate eligibility: apply a training's certificate rule to its attendance.

The rule (``Training.certificate_rule``) is a dict:
  ``min_sessions``       at least this many sessions attended (present or late);
  ``min_percent``        at least this share of the held sessions, 0-100;
  ``mandatory_sessions`` ids of sessions everyone must attend;
  ``excused_counts``     whether an excused absence counts as attended.
No ``min_sessions`` and no ``min_percent``: every held (not cancelled) session is required.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from sqlalchemy import select

from ..extensions import db
from ..scheduling.models import TrainingSession
from .models import AttendanceRecord

ATTENDED = ("present", "late")


@dataclass(frozen=True)
class Progress:
    attended: int
    held: int
    required: int
    missing_mandatory: tuple[int, ...] = field(default_factory=tuple)

    @property
    def eligible(self) -> bool:
        return self.attended >= self.required and not self.missing_mandatory

    @property
    def remaining(self) -> int:
        return max(0, self.required - self.attended)


def required_sessions(rule: dict, held: int) -> int:
    needed = []
    if rule.get("min_sessions") is not None:
        needed.append(int(rule["min_sessions"]))
    if rule.get("min_percent") is not None:
        needed.append(math.ceil(held * float(rule["min_percent"]) / 100))
    return min(max(needed), held) if needed else held


def evaluate(training, enrolment_ids=None) -> dict[int, Progress]:
    """Progress of each enrolment with a record (and of each id in ``enrolment_ids``)."""
    rule = training.certificate_rule or {}
    held_ids = set(db.session.scalars(
        select(TrainingSession.id).where(TrainingSession.training_id == training.id,
                                         TrainingSession.status != "cancelled")))
    counting = ATTENDED + (("excused",) if rule.get("excused_counts") else ())
    attended: dict[int, set[int]] = {}
    rows = db.session.execute(
        select(AttendanceRecord.enrolment_id, AttendanceRecord.session_id)
        .join(TrainingSession, TrainingSession.id == AttendanceRecord.session_id)
        .where(TrainingSession.training_id == training.id, AttendanceRecord.status.in_(counting)))
    for enrolment_id, session_id in rows:
        if session_id in held_ids:
            attended.setdefault(enrolment_id, set()).add(session_id)
    mandatory = [s for s in rule.get("mandatory_sessions") or [] if s in held_ids]
    required = required_sessions(rule, len(held_ids))
    ids = set(attended) | set(enrolment_ids or ())
    return {
        eid: Progress(attended=len(attended.get(eid, ())), held=len(held_ids), required=required,
                      missing_mandatory=tuple(s for s in mandatory if s not in attended.get(eid, ())))
        for eid in ids
    }
