"""What needs the organiser's attention (``/dashboard``): across the trainings a person
organises (every training for an admin): applications waiting for a decision, sessions held
without a complete roll call, uploaded meeting reports not applied yet, rows of applied
reports that matched no participant (someone who attended may be marked absent), and eligible
participants without a certificate. A read model over several areas: a few grouped
queries for all trainings at once, plus the certificate rule per training with work."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..attendance.models import AttendanceImport, AttendanceRecord
from ..certificates.services import eligible_missing
from ..db import utcnow
from ..enrolment.models import Enrolment
from ..extensions import db
from ..scheduling.models import Training, TrainingSession, TrainingStaff


@dataclass
class Attention:
    training: Training
    pending: int = 0  # applications waiting for a decision
    unmarked: list[tuple[int, TrainingSession, int]] = field(default_factory=list)  # number, session, people
    staged_imports: int = 0  # meeting reports uploaded but not applied
    # number, session, import id, rows: applied reports with rows that matched no one
    unmatched: list[tuple[int, TrainingSession, int, int]] = field(default_factory=list)
    to_certify: int = 0  # eligible, accepted, without a current certificate

    @property
    def needs_attention(self) -> bool:
        return bool(self.pending or self.unmarked or self.staged_imports or self.unmatched
                    or self.to_certify)


def organised_trainings(user) -> list[Training]:
    query = select(Training).options(selectinload(Training.sessions)).order_by(Training.id.desc())
    if getattr(user, "role", None) != "admin":
        query = query.where(Training.id.in_(select(TrainingStaff.training_id).where(
            TrainingStaff.user_id == user.id, TrainingStaff.role == "organiser")))
    return list(db.session.scalars(query))


def attention_for(user) -> list[Attention]:
    """One entry per training the person organises, those needing attention first."""
    trainings = organised_trainings(user)
    ids = [t.id for t in trainings]
    if not ids:
        return []
    now = utcnow()
    pending = dict(db.session.execute(
        select(Enrolment.training_id, func.count()).where(
            Enrolment.training_id.in_(ids), Enrolment.status == "applied")
        .group_by(Enrolment.training_id)).all())
    accepted = dict(db.session.execute(
        select(Enrolment.training_id, func.count()).where(
            Enrolment.training_id.in_(ids), Enrolment.status == "accepted")
        .group_by(Enrolment.training_id)).all())
    marked = dict(db.session.execute(
        select(AttendanceRecord.session_id, func.count())
        .join(Enrolment, Enrolment.id == AttendanceRecord.enrolment_id)
        .join(TrainingSession, TrainingSession.id == AttendanceRecord.session_id)
        .where(TrainingSession.training_id.in_(ids), Enrolment.status == "accepted")
        .group_by(AttendanceRecord.session_id)).all())
    staged = dict(db.session.execute(
        select(TrainingSession.training_id, func.count())
        .join(AttendanceImport, AttendanceImport.session_id == TrainingSession.id)
        .where(TrainingSession.training_id.in_(ids), AttendanceImport.applied_at.is_(None))
        .group_by(TrainingSession.training_id)).all())
    unmatched: dict[int, list[tuple[int, int]]] = {}
    for import_id, session_id, rows in db.session.execute(
            select(AttendanceImport.id, AttendanceImport.session_id, AttendanceImport.unmatched_open)
            .join(TrainingSession, TrainingSession.id == AttendanceImport.session_id)
            .where(TrainingSession.training_id.in_(ids), AttendanceImport.applied_at.is_not(None),
                   AttendanceImport.unmatched_open > 0)
            .order_by(AttendanceImport.id)):
        unmatched.setdefault(session_id, []).append((import_id, rows))
    entries = []
    for training in trainings:
        entry = Attention(training=training, pending=pending.get(training.id, 0),
                          staged_imports=staged.get(training.id, 0))
        people = accepted.get(training.id, 0)
        numbered = sorted(training.sessions, key=lambda s: (s.starts_at, s.id))
        for number, session in enumerate(numbered, start=1):
            entry.unmatched += [(number, session, import_id, rows)
                                for import_id, rows in unmatched.get(session.id, [])]
            if session.is_cancelled or session.ends_at > now or not people:
                continue
            missing = people - marked.get(session.id, 0)
            if missing > 0:
                entry.unmarked.append((number, session, missing))
        if people and any(s.ends_at <= now for s in numbered if not s.is_cancelled):
            entry.to_certify = len(eligible_missing(training))
        entries.append(entry)
    entries.sort(key=lambda e: not e.needs_attention)
    return entries
