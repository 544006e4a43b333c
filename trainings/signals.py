"""Announcements between areas, as Flask does it (blinker).

Areas import one way (``auth → scheduling → enrolment → attendance → certificates →`` the
areas above them). When a lower area changes something a higher one cares about, it
does not import the higher area: it sends a signal defined in its own ``signals.py``
with this namespace, and the higher area connects a receiver (in its own module,
imported by the app factory). A receiver runs in the same transaction as the sender:
it may ``flush()`` but never commits, and a ``DomainError`` it raises aborts the whole
operation.

    # scheduling/signals.py
    from ..signals import namespace
    session_rescheduled = namespace.signal("session-rescheduled")

    # scheduling service, after the change:
    session_rescheduled.send(session, actor=actor, old_starts_at=old)

    # a higher area:
    @session_rescheduled.connect
    def _reschedule_reminders(session, **extra): ...
"""
from __future__ import annotations

from blinker import Namespace

namespace = Namespace()
