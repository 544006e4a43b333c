"""Policy rules of the privacy tools (erasure of a person)."""
from __future__ import annotations

from ..policy import register_rules
from .privacy import may_erase

register_rules({
    "person.erase": may_erase,
})
