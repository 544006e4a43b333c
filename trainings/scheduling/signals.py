"""Announcements of the scheduling area (see :mod:`trainings.signals`).

Scheduling sits below enrolment, so it does not know who the participants are. It asks
and announces through these signals; the areas above connect receivers (the enrolment
area's ``scheduling_hooks`` module, imported by the app factory).
"""
from __future__ import annotations

from ..signals import namespace

#: A held session moved, was cancelled or is back on. Sender: the ``TrainingSession``;
#: keyword ``change`` ("rescheduled", "cancelled", "reinstated"). A receiver tells the
#: people concerned and returns how many mails it queued.
session_changed = namespace.signal("session-changed")

#: Which trainings may ``actor`` see besides those they staff or facilitate? Sender: the
#: actor. A receiver returns a ``select`` of training ids (e.g. trainings they enrolled in).
visible_training_ids = namespace.signal("visible-training-ids")

#: The time zones of a training's participants. Sender: a SQL expression of the training's
#: id (a bound parameter). A receiver returns a ``select`` of ``(zone, number of people)``
#: rows for it, which the training page runs inside its own statement.
participant_zone_counts = namespace.signal("participant-zone-counts")

#: A session's module was set or changed (created with one, or edited). Sender: the
#: ``TrainingSession``. The modules area records which version it is prepared with.
session_module_set = namespace.signal("session-module-set")

#: The training modules a session may use. Sender: None. A receiver (the modules area)
#: returns ``[(slug, {"id": title, "en": title}), ...]``.
module_choices = namespace.signal("module-choices")
