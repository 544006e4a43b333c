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
from functools import lru_cache

from sqlalchemy import bindparam, select

from ..extensions import db
from ..scheduling.models import TrainingSession
from ..scheduling.services.certificate_rule import RULE_KEYS, validate_rule  # noqa: F401 - a training setting
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


def held_session_ids(training) -> set[int]:
    return set(db.session.scalars(
        select(TrainingSession.id).where(TrainingSession.training_id == training.id,
                                         TrainingSession.status != "cancelled")))


def counting_statuses(rule: dict) -> tuple[str, ...]:
    return ATTENDED + (("excused",) if (rule or {}).get("excused_counts") else ())


def progress_of(rule: dict, held_ids, attended_ids) -> Progress:
    """One enrolment's progress from the ids of the held sessions it attended (pure)."""
    rule = rule or {}
    held_ids = set(held_ids)
    attended_ids = set(attended_ids) & held_ids
    mandatory = [s for s in rule.get("mandatory_sessions") or [] if s in held_ids]
    return Progress(attended=len(attended_ids), held=len(held_ids),
                    required=required_sessions(rule, len(held_ids)),
                    missing_mandatory=tuple(s for s in mandatory if s not in attended_ids))


def evaluate(training, enrolment_ids=None) -> dict[int, Progress]:
    """Progress of each enrolment with a record (and of each id in ``enrolment_ids``)."""
    rule = training.certificate_rule or {}
    held_ids = held_session_ids(training)
    attended: dict[int, set[int]] = {}
    rows = db.session.execute(
        select(AttendanceRecord.enrolment_id, AttendanceRecord.session_id)
        .join(TrainingSession, TrainingSession.id == AttendanceRecord.session_id)
        .where(TrainingSession.training_id == training.id,
               AttendanceRecord.status.in_(counting_statuses(rule))))
    for enrolment_id, session_id in rows:
        if session_id in held_ids:
            attended.setdefault(enrolment_id, set()).add(session_id)
    ids = set(attended) | set(enrolment_ids or ())
    return {eid: progress_of(rule, held_ids, attended.get(eid, ())) for eid in ids}


@lru_cache(maxsize=1)
def _progress_statements():
    """The two statements of :func:`progress_for_enrolments`, built once (bound lists)."""
    held = (select(TrainingSession.id, TrainingSession.training_id)
            .where(TrainingSession.training_id.in_(bindparam("progress_trainings", expanding=True)),
                   TrainingSession.status != "cancelled"))
    records = (select(AttendanceRecord.enrolment_id, AttendanceRecord.session_id,
                      AttendanceRecord.status)
               .where(AttendanceRecord.enrolment_id.in_(
                   bindparam("progress_enrolments", expanding=True))))
    return held, records


def progress_for_enrolments(enrolments) -> dict[int, Progress]:
    """Progress of several enrolments, of any trainings, in two queries (My schedule)."""
    enrolments = [e for e in enrolments if e is not None]
    if not enrolments:
        return {}
    training_ids = {e.training_id for e in enrolments}
    held: dict[int, set[int]] = {tid: set() for tid in training_ids}
    held_statement, records_statement = _progress_statements()
    for session_id, training_id in db.session.execute(
            held_statement, {"progress_trainings": sorted(training_ids)}):
        held[training_id].add(session_id)
    statuses: dict[int, list[tuple[int, str]]] = {}
    for enrolment_id, session_id, status in db.session.execute(
            records_statement, {"progress_enrolments": [e.id for e in enrolments]}):
        statuses.setdefault(enrolment_id, []).append((session_id, status))
    result = {}
    for enrolment in enrolments:
        rule = enrolment.training.certificate_rule or {}
        counting = counting_statuses(rule)
        held_ids = held[enrolment.training_id]
        attended = {sid for sid, status in statuses.get(enrolment.id, ())
                    if status in counting and sid in held_ids}
        result[enrolment.id] = progress_of(rule, held_ids, attended)
    return result
