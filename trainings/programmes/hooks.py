"""What the programmes area answers when scheduling asks (``scheduling/signals.py``):
a programme's managers see its trainings in every listing of the trainings they may see
("my trainings"). Imported by the app factory."""
from __future__ import annotations

from ..scheduling.signals import visible_training_ids
from .rules import managed_training_ids


@visible_training_ids.connect
def _managed_trainings(actor, **_extra):
    """The trainings of the programmes the actor manages."""
    return managed_training_ids(actor.id)
