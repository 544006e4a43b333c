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

import importlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import String, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from .db import UTCDateTime, utcnow
from .extensions import db

logger = logging.getLogger(__name__)


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


# Running them (the worker and Celery beat) ------------------------------------------------

class PeriodicRun(db.Model):
    """When each task may run next: claimed with a conditional UPDATE, so that however many
    workers tick, a task runs once per period."""

    __tablename__ = "periodic_runs"

    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    next_run_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_result: Mapped[str | None] = mapped_column(String(300))


def claim(task: Task, now: datetime, *, force: bool = False) -> bool:
    """Whether this caller runs ``task`` now (then its next run moves one period on);
    ``force`` runs it whenever it is (``worker --once``: tasks are safe to run twice)."""
    due = PeriodicRun.next_run_at <= now if not force else PeriodicRun.name == task.name
    result = db.session.execute(
        update(PeriodicRun).where(PeriodicRun.name == task.name, due)
        .values(next_run_at=now + task.every, last_started_at=now)
        .execution_options(synchronize_session=False))
    db.session.commit()
    if result.rowcount == 1:
        return True
    if db.session.get(PeriodicRun, task.name) is not None:
        return False
    try:  # first run ever: whoever inserts the row runs it
        db.session.add(PeriodicRun(name=task.name, next_run_at=now + task.every,
                                   last_started_at=now))
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return False
    return True


def run_task(task: Task, now: datetime) -> int:
    module_name, _, function_name = task.target.partition(":")
    function = getattr(importlib.import_module(module_name), function_name)
    return int(function(now) or 0)


def run_due(now: datetime | None = None, *, names=None, force: bool = False) -> dict[str, int]:
    """Run every registered task that is due (and claimed by this caller): name -> count.
    One failing task is logged and recorded; the others still run."""
    now = now or utcnow()
    done = {}
    for task in list(TASKS.values()):
        if names is not None and task.name not in names:
            continue
        if not claim(task, now, force=force):
            continue
        try:
            done[task.name] = run_task(task, now)
            outcome = f"ok: {done[task.name]}"
        except Exception as exc:  # noqa: BLE001 - one task's failure must not stop the others
            db.session.rollback()
            logger.exception("periodic task %s failed", task.name)
            outcome = f"failed: {exc.__class__.__name__}: {exc}"
        db.session.execute(update(PeriodicRun).where(PeriodicRun.name == task.name)
                           .values(last_result=outcome[:300]))
        db.session.commit()
    return done


# Erase participants' personal data of trainings whose retention period has passed.
register("privacy.retention", "trainings.overview.privacy:retention_task", every=timedelta(hours=6))
