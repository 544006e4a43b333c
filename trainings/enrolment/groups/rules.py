"""Policy rules of groups."""
from __future__ import annotations

from ...policy import authenticated, register_rules
from ...scheduling.rules import has_enrolment, is_staff, organises
from .models import TrainingGroup


def facilitates_group(actor, group: TrainingGroup) -> bool:
    return is_staff(actor, group.training) or (
        authenticated(actor) and any(u.id == actor.id for u in group.facilitators))


register_rules({
    "group.manage": organises,  # on a training: create groups, assign
    "group.list": lambda a, t: is_staff(a, t) or has_enrolment(a, t),  # on a training
    "group.members": facilitates_group,  # on a group: who is in it
    "group.join": lambda a, g: has_enrolment(a, g.training),
})
