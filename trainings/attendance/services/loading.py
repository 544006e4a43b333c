"""Loading the objects attendance works on: sessions, trainings, who is accepted."""
from __future__ import annotations

from sqlalchemy import func, select

from ...enrolment.models import Enrolment
from ...extensions import db
from ...scheduling import services as scheduling_services
from ...scheduling.models import Training, TrainingSession


def get_session(session_id: int) -> TrainingSession:
    return scheduling_services.load_session(session_id)


def get_training(training_id: int) -> Training:
    return scheduling_services.load_training(training_id)


def session_number(session: TrainingSession) -> int:
    earlier = db.session.scalar(
        select(func.count()).select_from(TrainingSession).where(
            TrainingSession.training_id == session.training_id,
            (TrainingSession.starts_at < session.starts_at)
            | ((TrainingSession.starts_at == session.starts_at) & (TrainingSession.id < session.id))))
    return int(earlier or 0) + 1


def accepted_ids(training_id: int) -> set[int]:
    return set(db.session.scalars(select(Enrolment.id).where(
        Enrolment.training_id == training_id, Enrolment.status == "accepted")))
