"""Policy rules of training modules."""
from __future__ import annotations

from ..policy import is_admin, register_rules
from ..scheduling.rules import can_create_training
from .ownership import ModuleTarget


def may_upload(actor, obj=None) -> bool:
    """The upload page: whoever may create trainings (organisers and admins). A given
    module: its owners (the organisers who uploaded it) and admins; a new slug: any
    organiser; a shipped module, or one whose uploader is unknown: admins only."""
    if not can_create_training(actor):
        return False
    if not isinstance(obj, ModuleTarget) or is_admin(actor):
        return True
    if not obj.exists:
        return True
    return actor.id in obj.owner_ids


def owns(actor, obj) -> bool:
    return is_admin(actor) or (isinstance(obj, ModuleTarget) and can_create_training(actor)
                               and actor.id in obj.owner_ids)


register_rules({
    "module.upload": may_upload,
    "module.own": owns,  # moving sessions between the module's versions
})
