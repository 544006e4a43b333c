"""Trainings and sessions: queries and changes. Services take plain values and an actor."""
from __future__ import annotations

from sqlalchemy import or_, select

from ..enrolment.models import Enrolment
from ..extensions import db
from ..policy import is_admin
from .models import Training, TrainingSession, TrainingStaff


def visible_trainings(actor) -> list[Training]:
    """Trainings the actor may see: all for admins, else staffed or enrolled ones."""
    query = select(Training).order_by(Training.created_at.desc(), Training.id.desc())
    if not is_admin(actor):
        staffed = select(TrainingStaff.training_id).where(TrainingStaff.user_id == actor.id)
        enrolled = select(Enrolment.training_id).where(
            Enrolment.user_id == actor.id,
            Enrolment.status.in_(("accepted", "waitlisted", "applied")))
        query = query.where(or_(Training.id.in_(staffed), Training.id.in_(enrolled)))
    return list(db.session.scalars(query))


def get_training(training_id: int) -> Training | None:
    return db.session.get(Training, training_id)


def numbered_sessions(training: Training) -> list[tuple[int, TrainingSession]]:
    """Sessions in start order with their 1-based number (cancelled ones keep a number)."""
    sessions = db.session.scalars(
        select(TrainingSession).where(TrainingSession.training_id == training.id)
        .order_by(TrainingSession.starts_at, TrainingSession.id))
    return list(enumerate(sessions, start=1))


def session_number(session: TrainingSession) -> int:
    for number, other in numbered_sessions(session.training):
        if other.id == session.id:
            return number
    raise LookupError(session.id)


def staff_of(training: Training, role: str) -> list:
    return [s.user for s in training.staff if s.role == role]
