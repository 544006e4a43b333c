"""Policy rules of the read models: people search and person pages; the privacy tools
(erasure of a person)."""
from __future__ import annotations

from ..policy import register_rules
from .people import may_search
from .privacy import may_erase

register_rules({
    "person.search": may_search,
    "person.erase": may_erase,
})
