"""Who may do what: the one place for role and ownership checks.

Every view and API route asks ``require(actor, action, obj)`` (or ``can``). Rules look
at the actor's global role (admin, organiser, facilitator, participant) and at what
ties the actor to the object: staff of its training, facilitator of its session, owner
of its enrolment.

Add a rule by adding an entry to ``RULES``; keep the table readable.
"""
from __future__ import annotations

from collections.abc import Callable

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select

from .errors import Forbidden


def _training_of(obj):
    """The training an object belongs to (a training, session, enrolment, certificate ...)."""
    from .scheduling.models import Training
    seen = 0
    while obj is not None and not isinstance(obj, Training) and seen < 4:
        seen += 1
        for attr in ("training", "session", "enrolment"):
            nxt = getattr(obj, attr, None)
            if nxt is not None:
                obj = nxt
                break
        else:
            return None
    return obj if isinstance(obj, Training) else None


def _authenticated(actor) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False) and actor.is_active


def is_admin(actor) -> bool:
    return _authenticated(actor) and actor.role == "admin"


def _ties(actor, training) -> tuple[frozenset[str], frozenset[str]]:
    """(staff roles, enrolment statuses) of the actor in the training, in two small queries.

    Within a request they are remembered on ``g`` (a page asks many policy questions about
    the same training: its menu alone asks one per entry). Outside a request, always fresh.
    """
    from flask import g, has_request_context

    from .enrolment.models import Enrolment
    from .extensions import db
    from .scheduling.models import TrainingStaff
    key = (actor.id, training.id)
    cache = g.setdefault("_policy_ties", {}) if has_request_context() else {}
    if key not in cache:
        roles = db.session.scalars(select(TrainingStaff.role).where(
            TrainingStaff.training_id == training.id, TrainingStaff.user_id == actor.id))
        statuses = db.session.scalars(select(Enrolment.status).where(
            Enrolment.training_id == training.id, Enrolment.user_id == actor.id))
        cache[key] = (frozenset(roles), frozenset(statuses))
    return cache[key]


def forget_ties() -> None:
    """Call after changing staff or enrolments in a request that checks policy again."""
    from flask import g, has_request_context
    if has_request_context():
        g.pop("_policy_ties", None)


def has_staff_role(actor, training, *roles: str) -> bool:
    if not _authenticated(actor) or training is None or training.id is None:
        return False
    return bool(_ties(actor, training)[0] & set(roles))


def organises(actor, obj) -> bool:
    return is_admin(actor) or has_staff_role(actor, _training_of(obj), "organiser")


def is_staff(actor, obj) -> bool:
    return is_admin(actor) or has_staff_role(actor, _training_of(obj), "organiser", "facilitator")


def facilitates_session(actor, session) -> bool:
    """The session's own facilitators, or a facilitator of the whole training."""
    if organises(actor, session):
        return True
    if not _authenticated(actor):
        return False
    if any(f.id == actor.id for f in session.facilitators):
        return True
    return has_staff_role(actor, session.training, "facilitator")


def is_enrolled(actor, obj, statuses=("accepted",)) -> bool:
    training = _training_of(obj)
    if not _authenticated(actor) or training is None or training.id is None:
        return False
    return bool(_ties(actor, training)[1] & set(statuses))


def owns_enrolment(actor, obj) -> bool:
    enrolment = obj if hasattr(obj, "email") and hasattr(obj, "training_id") else getattr(obj, "enrolment", None)
    return _authenticated(actor) and enrolment is not None and enrolment.user_id == actor.id


def can_create_training(actor, _obj=None) -> bool:
    return _authenticated(actor) and actor.role in ("admin", "organiser")


def facilitates_any_session(actor, training) -> bool:
    from .extensions import db
    from .scheduling.models import TrainingSession, session_facilitators
    if not _authenticated(actor) or training is None:
        return False
    query = select(exists().where(
        session_facilitators.c.user_id == actor.id,
        session_facilitators.c.session_id == TrainingSession.id,
        TrainingSession.training_id == training.id))
    return bool(db.session.scalar(query))


def may_view_training(actor, training) -> bool:
    return (is_staff(actor, training) or facilitates_any_session(actor, training)
            or is_enrolled(actor, training, ("accepted", "waitlisted", "applied")))


RULES: dict[str, Callable] = {
    # trainings and sessions
    "training.create": can_create_training,
    "training.view": may_view_training,
    "training.edit": organises,
    "training.manage_staff": organises,
    "session.create": organises,
    "session.edit": organises,
    "session.view": lambda a, s: may_view_training(a, s.training),
    "session.roster": facilitates_session,  # who is coming, accessibility needs
    # enrolment
    "enrolment.list": organises,
    "enrolment.manage": organises,  # accept, reject, withdraw, import, export, outbox
    "enrolment.view": lambda a, e: organises(a, e) or owns_enrolment(a, e),
    "enrolment.view_accessibility": is_staff,
    "enrolment.withdraw_own": owns_enrolment,
    # on a training: the actor has an enrolment of their own there (any status but withdrawn)
    "enrolment.own_in_training": lambda a, t: is_enrolled(
        a, t, ("applied", "accepted", "waitlisted", "rejected")),
    "training.stats": organises,
    # attendance
    "attendance.mark": facilitates_session,  # on a session: roll call and report import
    "attendance.view_session": facilitates_session,
    "attendance.matrix": organises,  # on a training, with exports
    "attendance.view_own": lambda a, e: organises(a, e) or owns_enrolment(a, e),
    # certificates
    "certificate.issue": organises,
    "certificate.revoke": organises,
    "certificate.list": organises,
    "certificate.download": lambda a, c: organises(a, c) or owns_enrolment(a, c),
    # background jobs: who started it, or an organiser of its training
    "job.view": lambda a, j: is_admin(a) or (_authenticated(a) and j.created_by_id == a.id)
    or (j.training is not None and organises(a, j.training)),
    # modules
    "module.upload": can_create_training,
    # administration
    "user.manage": lambda a, _o=None: is_admin(a),
}


def can(actor, action: str, obj=None) -> bool:
    try:
        rule = RULES[action]
    except KeyError:
        raise KeyError(f"no policy rule for {action!r}") from None
    return bool(rule(actor, obj))


def require(actor, action: str, obj=None) -> None:
    """Raise :class:`Forbidden` unless the actor may do ``action`` to ``obj``."""
    if not can(actor, action, obj):
        raise Forbidden(_l("You are not allowed to do this."))
