"""Policy rules of trainings, sessions and staff; the "staff" tie source.

The helpers here (``organises``, ``is_staff``, ``facilitates_session``) are what the
areas above build their own rules from.
"""
from __future__ import annotations

from sqlalchemy import exists, literal, select

from ..policy import (
    authenticated,
    is_admin,
    register_rules,
    register_tie_query,
    register_training_type,
    ties,
    training_of,
)
from .models import Training, TrainingSession, TrainingStaff, session_facilitators
from .services.loaders import TrainingPage


def _staff_roles(user_id: int, training_id: int):
    return select(TrainingStaff.role).where(
        TrainingStaff.training_id == training_id, TrainingStaff.user_id == user_id)


def _facilitated_sessions(user_id: int, training_id: int):
    """"session" when the user facilitates a session of the training (not its staff)."""
    return select(literal("session")).where(exists().where(
        session_facilitators.c.user_id == user_id,
        session_facilitators.c.session_id == TrainingSession.id,
        TrainingSession.training_id == training_id))


register_training_type(Training)
register_training_type(TrainingPage)  # the training page's plain training
register_tie_query("staff", _staff_roles)
register_tie_query("facilitates", _facilitated_sessions)


def has_staff_role(actor, training, *roles: str) -> bool:
    """Staff roles come from every tie source named ``staff`` or ``staff:<what>`` (an area
    above may grant roles, e.g. ``staff:programme`` for a programme's managers)."""
    held = set()
    for name, values in ties(actor, training).items():
        if name == "staff" or name.startswith("staff:"):
            held |= values
    return bool(held & set(roles))


def organises(actor, obj) -> bool:
    return is_admin(actor) or has_staff_role(actor, training_of(obj), "organiser")


def is_staff(actor, obj) -> bool:
    return is_admin(actor) or has_staff_role(actor, training_of(obj), "organiser", "facilitator")


def has_enrolment(actor, obj, statuses=("accepted",)) -> bool:
    """Through the "enrolment" tie, registered by the enrolment area (no import of it)."""
    return bool(ties(actor, training_of(obj)).get("enrolment", frozenset()) & set(statuses))


def facilitates_session(actor, session) -> bool:
    """The session's own facilitators (and organisers): a facilitator of one session has
    no right over another, and loses it with the assignment (removing them from the
    training also removes them from its sessions, see ``remove_staff``)."""
    if organises(actor, session):
        return True
    if not authenticated(actor) or session is None:
        return False
    return any(f.id == actor.id for f in session.facilitators)


def facilitated_sessions(actor, training, numbered) -> frozenset[int]:
    """:func:`facilitates_session` for every session of a page at once, from ``(number,
    row)`` pairs of :func:`~trainings.scheduling.services.page_sessions` (whose
    ``viewer_facilitates`` column is the actor's assignment): the ids of the sessions the
    actor may run (roll call, report import: "attendance.mark" is this rule)."""
    if organises(actor, training):
        return frozenset(s.id for _n, s in numbered)
    if not authenticated(actor):
        return frozenset()
    return frozenset(s.id for _n, s in numbered if s.viewer_facilitates)


def can_create_training(actor, _obj=None) -> bool:
    return authenticated(actor) and actor.role in ("admin", "organiser")


def facilitates_any_session(actor, training) -> bool:
    if not authenticated(actor) or training is None:
        return False
    return "session" in ties(actor, training).get("facilitates", frozenset())


def may_view_training(actor, training) -> bool:
    return (is_staff(actor, training) or facilitates_any_session(actor, training)
            or has_enrolment(actor, training, ("accepted", "waitlisted", "applied")))


def may_join(actor, obj) -> bool:
    """Sees the meeting link: staff and accepted participants."""
    return is_staff(actor, obj) or has_enrolment(actor, obj)


register_rules({
    "training.create": can_create_training,
    "training.view": may_view_training,
    "training.edit": organises,
    "training.manage_staff": organises,
    "training.audit": organises,  # the staff audit (trainings.audit)
    "training.retention": organises,  # the retention setting and its preview
    "training.join": may_join,
    "session.create": organises,
    "session.edit": organises,
    "session.view": lambda a, s: may_view_training(a, s.training),
    "session.roster": facilitates_session,  # who is coming, accessibility needs
    # background jobs: who started it, or an organiser of its training
    "job.view": lambda a, j: is_admin(a) or (authenticated(a) and j.created_by_id == a.id)
    or (j.training is not None and organises(a, j.training)),
})
