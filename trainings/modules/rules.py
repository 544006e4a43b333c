"""Policy rules of training modules."""
from __future__ import annotations

from ..policy import register_rules
from ..scheduling.rules import can_create_training

register_rules({
    # Publishing a module: whoever may create trainings (organisers and admins).
    "module.upload": can_create_training,
})
