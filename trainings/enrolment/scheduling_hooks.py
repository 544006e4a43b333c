"""What the enrolment area answers when scheduling asks or announces (its signals in
``trainings/scheduling/signals.py``): scheduling sits below enrolment and does not know
who the participants are. Imported by the app factory."""
from __future__ import annotations

from sqlalchemy import func, select

from ..extensions import db
from ..scheduling.services import mail_session_change
from ..scheduling.signals import participant_zone_counts, session_changed, visible_training_ids
from .models import Enrolment

VISIBLE_STATUSES = ("accepted", "waitlisted", "applied")


@visible_training_ids.connect
def _enrolled_trainings(actor, **_extra):
    """Trainings the actor applied to, is waitlisted for or takes part in."""
    return select(Enrolment.training_id).where(Enrolment.user_id == actor.id,
                                               Enrolment.status.in_(VISIBLE_STATUSES))


@participant_zone_counts.connect
def _zones_of_participants(training, **_extra):
    """The accepted participants' zones and how many are in each (``training``: the SQL
    expression of its id; the statement is built once and run inside the training page's)."""
    return (select(Enrolment.timezone, func.count(Enrolment.id))
            .where(Enrolment.training_id == training, Enrolment.status == "accepted")
            .group_by(Enrolment.timezone))


@session_changed.connect
def _mail_participants(session, *, change: str, **_extra) -> int:
    """The accepted participants hear of the change, each in their language and zone."""
    people = db.session.scalars(select(Enrolment).where(
        Enrolment.training_id == session.training_id, Enrolment.status == "accepted")
        .order_by(Enrolment.id))
    return mail_session_change(session, change, people)
