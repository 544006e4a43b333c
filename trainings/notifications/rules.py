"""Policy rules of notifications."""
from __future__ import annotations

from ..policy import register_rules
from ..scheduling.rules import organises

register_rules({
    "notifications.announce": organises,  # write to the participants of a training
    "notifications.reminders": organises,  # when reminders go out before each session
})
