"""Policy rules of the read models: people search and person pages."""
from __future__ import annotations

from ..policy import register_rules
from .people import may_search

register_rules({
    "person.search": may_search,
})
