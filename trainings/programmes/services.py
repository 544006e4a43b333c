"""Programmes: create and change them, their trainings and managers.

A training joins a programme only through someone who organises it (or an admin), so a
programme never hands its managers a training they could not manage before.
"""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import Integer, bindparam, func, select

from ..auth.models import User
from ..errors import NotFound
from ..extensions import db
from ..organisations import services as organisations
from ..organisations.checks import Problems, require_object
from ..policy import can, forget_ties, is_admin
from ..scheduling.models import Training
from .models import Programme, programme_managers, programme_trainings
from .rules import managed_training_ids

__all__ = ["create_programme", "get_programme", "list_programmes", "managed_training_ids",
           "programme_rows", "programmes_of_training", "update_programme"]

FIELDS = {"title", "description", "organisations", "trainings", "managers"}


def get_programme(programme_id: int) -> Programme:
    programme = db.session.get(Programme, programme_id)
    if programme is None:
        raise NotFound(_("No such programme."))
    return programme


def _listed(query, actor):
    """``query`` narrowed to the programmes the actor may list, newest first."""
    query = query.order_by(Programme.created_at.desc(), Programme.id.desc())
    if not is_admin(actor):
        query = query.join(programme_managers,
                           programme_managers.c.programme_id == Programme.id).where(
            programme_managers.c.user_id == actor.id)
    return query


def list_programmes(actor) -> list[Programme]:
    """Every programme for admins, else the ones the actor manages."""
    return list(db.session.scalars(_listed(select(Programme), actor)))


_TRAININGS = (select(func.count()).where(programme_trainings.c.programme_id == Programme.id)
              .correlate(Programme).scalar_subquery())
_EVERY_ROW = (select(Programme.id, Programme.title_id, Programme.title_en,
                     _TRAININGS.label("trainings"))
              .order_by(Programme.created_at.desc(), Programme.id.desc()))
_MANAGED_ROWS = _EVERY_ROW.join(
    programme_managers, programme_managers.c.programme_id == Programme.id).where(
    programme_managers.c.user_id == bindparam("actor", type_=Integer))  # both built once


def programme_rows(actor) -> list:
    """The programmes of :func:`list_programmes` as rows of (id, title_id, title_en,
    trainings: how many), in one query: what a list of them shows, no more (a read on the
    session's connection, not through the ORM's execution path)."""
    if is_admin(actor):
        return db.session.connection().execute(_EVERY_ROW).all()
    return db.session.connection().execute(_MANAGED_ROWS, {"actor": actor.id}).all()


def programmes_of_training(training) -> list[Programme]:
    return list(db.session.scalars(
        select(Programme).join(programme_trainings,
                               programme_trainings.c.programme_id == Programme.id)
        .where(programme_trainings.c.training_id == training.id).order_by(Programme.title_en)))


def _trainings(problems: Problems, ids: list, actor, current: list[Training]) -> list[Training]:
    wanted = [i for i in ids if isinstance(i, int)]
    if len(wanted) != len(ids):
        problems.add("trainings", _("Give a list of training ids."))
        return []
    found = {t.id: t for t in db.session.scalars(select(Training).where(Training.id.in_(wanted)))}
    have = {t.id for t in current}
    result = []
    for position, training_id in enumerate(wanted):
        training = found.get(training_id)
        if training is None:
            problems.add(f"trainings.{position}", _("No such training: %(id)s", id=training_id))
        elif training.id not in have and not can(actor, "training.edit", training):
            problems.add(f"trainings.{position}",
                         _("Only an organiser of a training may add it to a programme: %(id)s",
                           id=training_id))
        else:
            result.append(training)
    return result


def _managers(problems: Problems, emails: list) -> list[User]:
    if not all(isinstance(e, str) for e in emails):
        problems.add("managers", _("Give a list of email addresses."))
        return []
    wanted = list(dict.fromkeys(e.strip().lower() for e in emails if e.strip()))
    found = {u.email: u for u in db.session.scalars(select(User).where(User.email.in_(wanted)))}
    missing = [e for e in wanted if e not in found]
    if missing:
        problems.add("managers", _("No account with this email: %(emails)s",
                                   emails=", ".join(missing)))
    return [found[e] for e in wanted if e in found]


def _apply(programme: Programme, data: dict, *, actor, partial: bool,
           add: bool = False) -> Programme:
    data = require_object(data)
    problems = Problems()
    problems.unknown(data, FIELDS | {"id"})
    if not partial or "title" in data:
        programme.title_id, programme.title_en = problems.bilingual(data, "title", limit=300,
                                                                     required=True)
    if "description" in data:
        programme.description_id, programme.description_en = problems.bilingual(
            data, "description", limit=20_000)
    trainings = managers = organisation_values = None
    if "trainings" in data:
        trainings = _trainings(problems, problems.id_list(data, "trainings"), actor,
                               list(programme.trainings))
    if "managers" in data:
        managers = _managers(problems, problems.id_list(data, "managers"))
    if "organisations" in data:
        organisation_values = problems.id_list(data, "organisations")
    problems.check()
    if add:
        db.session.add(programme)
    if organisation_values is not None:
        programme.organisations = organisations.resolve(organisation_values)
    if trainings is not None:
        programme.trainings = trainings
    if managers is not None:
        programme.managers = managers
    db.session.flush()
    forget_ties()
    return programme


def create_programme(data: dict, *, actor) -> Programme:
    """A new programme; its creator manages it (with the managers named)."""
    programme = Programme(created_by_id=getattr(actor, "id", None))
    with db.session.no_autoflush:
        _apply(programme, data, actor=actor, partial=False, add=True)
    if actor is not None and not is_admin(actor) and actor not in programme.managers:
        programme.managers.append(actor)
        db.session.flush()
    return programme


def update_programme(programme: Programme, data: dict, *, actor) -> Programme:
    return _apply(programme, data, actor=actor, partial=True)
