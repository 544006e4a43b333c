"""Policy rules of enrolments; the "enrolment" tie source."""
from __future__ import annotations

from sqlalchemy import select

from ..policy import authenticated, register_rules, register_tie_query
from ..scheduling.rules import has_enrolment, is_staff, organises
from .models import Enrolment


def _statuses(user_id: int, training_id: int):
    return select(Enrolment.status).where(
        Enrolment.training_id == training_id, Enrolment.user_id == user_id)


register_tie_query("enrolment", _statuses)

is_enrolled = has_enrolment


def owns_enrolment(actor, obj) -> bool:
    enrolment = obj if isinstance(obj, Enrolment) else getattr(obj, "enrolment", None)
    return authenticated(actor) and enrolment is not None and enrolment.user_id == actor.id


register_rules({
    "enrolment.list": organises,
    "enrolment.manage": organises,  # accept, reject, withdraw, import, export, outbox
    "enrolment.view": lambda a, e: organises(a, e) or owns_enrolment(a, e),
    "enrolment.view_accessibility": is_staff,
    "enrolment.withdraw_own": owns_enrolment,
    # on a training: the actor has an enrolment of their own there (any status but withdrawn)
    "enrolment.own_in_training": lambda a, t: has_enrolment(
        a, t, ("applied", "accepted", "waitlisted", "rejected")),
    "training.stats": organises,
})
