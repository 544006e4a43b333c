"""Policy rules of organisations and hubs.

Organisations are shared records of the network: organisers (the global role) and admins
create them and fill in their details; hubs are set up by admins; both are public to read.
"""
from __future__ import annotations

from ..policy import authenticated, is_admin, register_rules


def is_organiser_role(actor, _obj=None) -> bool:
    return authenticated(actor) and actor.role in ("admin", "organiser")


register_rules({
    "organisation.list": lambda a, _o=None: authenticated(a) and a.role != "participant",
    "organisation.create": is_organiser_role,
    "organisation.edit": is_organiser_role,
    "hub.create": lambda a, _o=None: is_admin(a),
    "hub.edit": lambda a, _o=None: is_admin(a),
    "hub.view": lambda _a, _o=None: True,
})
