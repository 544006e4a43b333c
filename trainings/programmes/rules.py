"""Policy rules of programmes, and the ``staff:programme`` tie source: a manager of a
programme is an organiser of every training in it (``has_staff_role`` in
``scheduling/rules.py`` unions every ``staff:*`` source)."""
from __future__ import annotations

from sqlalchemy import exists, literal, select

from ..policy import authenticated, is_admin, register_rules, register_tie_query
from .models import programme_managers, programme_trainings


def _programme_roles(user_id: int, training_id: int):
    """"organiser" when the user manages a programme the training is in."""
    return select(literal("organiser")).where(exists().where(
        programme_managers.c.user_id == user_id,
        programme_trainings.c.programme_id == programme_managers.c.programme_id,
        programme_trainings.c.training_id == training_id))


def managed_training_ids(user_id: int):
    """A select of the ids of trainings in programmes the user manages."""
    return (select(programme_trainings.c.training_id)
            .join(programme_managers,
                  programme_managers.c.programme_id == programme_trainings.c.programme_id)
            .where(programme_managers.c.user_id == user_id))


register_tie_query("staff:programme", _programme_roles)


def manages(actor, programme) -> bool:
    if is_admin(actor):
        return True
    return authenticated(actor) and programme is not None and any(
        m.id == actor.id for m in programme.managers)


register_rules({
    "programme.create": lambda a, _o=None: authenticated(a) and a.role in ("admin", "organiser"),
    "programme.list": lambda a, _o=None: authenticated(a) and a.role != "participant",
    "programme.view": manages,
    "programme.manage": manages,
})
