"""Work that runs on a clock, outside any request: mail delivery, reminders, follow-ups,
retention. A leaf: areas register their tasks here by dotted path (no import of the
worker), and the worker (``flask --app wsgi worker``, or Celery beat) runs each one when
it is due.

    periodic.register("evaluation.follow_ups", "trainings.evaluation.followups:send_due",
                      every=timedelta(minutes=15))

A task is ``function(now: datetime) -> int`` (how many things it did). It must be safe
to run twice at once on two workers (claim rows with a conditional UPDATE or a unique
constraint), commit its own work in small transactions, and never raise for one bad row.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class Task:
    name: str
    target: str  # "package.module:function"
    every: timedelta


TASKS: dict[str, Task] = {}


def register(name: str, target: str, *, every: timedelta) -> Task:
    task = Task(name, target, every)
    TASKS[name] = task
    return task


# Erase participants' personal data of trainings whose retention period has passed.
register("privacy.retention", "trainings.overview.privacy:retention_task", every=timedelta(hours=6))
