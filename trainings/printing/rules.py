"""Policy rules of printed material: badges and sign-in sheets are for organisers."""
from __future__ import annotations

from ..policy import register_rules
from ..scheduling.rules import organises

register_rules({
    "printing.print": organises,  # on a training or a session
})
