"""Policy rules of accounts and administration."""
from __future__ import annotations

from ..policy import is_admin, register_rules

register_rules({
    "user.manage": lambda a, _o=None: is_admin(a),
})
