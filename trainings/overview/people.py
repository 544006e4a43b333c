"""People across trainings: search and person pages.

A person is the account of an email address (``users``); every enrolment belongs to one
(``enrolment/people.py``). Staff see the people of the trainings they manage: organisers
of the training, managers of a programme containing it, and admins (every training). A
fixed number of queries whatever the number of trainings and people.
"""
from __future__ import annotations

from sqlalchemy import select

from ..auth.models import User
from ..certificates.models import Certificate
from ..enrolment.models import Enrolment
from ..errors import NotFound
from ..extensions import db
from ..organisations.names import fold, like_pattern
from ..policy import authenticated, is_admin
from ..programmes.services import managed_training_ids
from ..scheduling.models import Training, TrainingStaff

MAX_RESULTS = 50


def managed_trainings(actor):
    """A select of the ids of the trainings whose people the actor may see (None: all)."""
    if is_admin(actor):
        return None
    organised = select(TrainingStaff.training_id).where(TrainingStaff.user_id == actor.id,
                                                        TrainingStaff.role == "organiser")
    return organised.union(managed_training_ids(actor.id))


def may_search(actor, _obj=None) -> bool:
    return authenticated(actor) and actor.role != "participant"


def search(actor, query: str, *, limit: int = MAX_RESULTS) -> list[dict]:
    """People of the actor's trainings whose name or email contains ``query``, ignoring case
    and diacritics: ``[{"id", "name", "email", "trainings": N}]`` sorted by name."""
    if not authenticated(actor) or not fold(query):
        return []
    pattern = like_pattern(query)
    statement = (select(Enrolment.user_id, Enrolment.name, Enrolment.email,
                        Enrolment.training_id, Enrolment.country_code, Enrolment.organisation)
                 .where(Enrolment.search_key.like(pattern, escape="\\"),
                        Enrolment.user_id.is_not(None))
                 .order_by(Enrolment.search_key, Enrolment.id))
    visible = managed_trainings(actor)
    if visible is not None:
        statement = statement.where(Enrolment.training_id.in_(visible))
    people: dict[int, dict] = {}
    for row in db.session.execute(statement.limit(limit * 20)):
        person = people.setdefault(row.user_id, {
            "id": row.user_id, "name": row.name, "email": row.email,
            "country": row.country_code, "organisation": row.organisation, "trainings": 0})
        person["trainings"] += 1
    return sorted(people.values(), key=lambda p: fold(p["name"]))[:limit]


def person(actor, person_id: int) -> dict:
    """The person with every training, status and certificate the actor may see. The
    person themselves sees all of theirs; anyone else without a visible enrolment: 404."""
    user = db.session.get(User, person_id)
    if user is None or not authenticated(actor):
        raise NotFound()
    statement = (select(Enrolment, Training)
                 .join(Training, Training.id == Enrolment.training_id)
                 .where(Enrolment.user_id == user.id)
                 .order_by(Enrolment.created_at.desc(), Enrolment.id.desc()))
    if actor.id != user.id:
        visible = managed_trainings(actor)
        if visible is not None:
            statement = statement.where(Enrolment.training_id.in_(visible))
    rows = db.session.execute(statement).all()
    if not rows and actor.id != user.id and not is_admin(actor):
        raise NotFound()
    certificates = {c.enrolment_id: c for c in db.session.scalars(
        select(Certificate).where(Certificate.enrolment_id.in_([e.id for e, _t in rows]),
                                  Certificate.replaced_at.is_(None)))} if rows else {}
    latest = rows[0][0] if rows else None
    return {
        "user": user,
        "id": user.id,
        "name": latest.name if latest else user.name,
        "email": user.email,
        "country": latest.country_code if latest else None,
        "organisation": latest.organisation if latest else "",
        "enrolments": [{"enrolment": e, "training": t, "certificate": certificates.get(e.id)}
                       for e, t in rows],
    }
