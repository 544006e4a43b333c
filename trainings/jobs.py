"""Background jobs: one code path, run inline, in a thread, or on Celery workers.

A job is a row in ``jobs`` (so every process sees its state): ``queued`` → ``running`` →
``done`` | ``failed``, with ``done``/``total`` for a progress bar. Its work is a function
``handler(job, progress)`` named by the job's ``kind`` in :data:`KINDS` (a dotted path, so
Celery workers import it lazily). ``progress(done, total=None)`` records progress and commits.

How jobs run (``JOBS_MODE``):
  ``celery``  when ``CELERY_BROKER_URL`` is set: ``celery -A trainings.worker worker``;
  ``thread``  the default: a daemon thread of the web process;
  ``inline``  the default under ``TESTING``: at once, in the caller (answers are final).

Usage (a view or API route): ``job = jobs.create("certificates.issue_all", params,
training=training, actor=user)``; ``db.session.commit()``; ``jobs.dispatch(job)``.
"""
from __future__ import annotations

import importlib
import logging
import secrets
import threading
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, select, update
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .db import UTCDateTime, utcnow
from .extensions import db

logger = logging.getLogger(__name__)

STATES = ("queued", "running", "done", "failed")

#: kind -> "module:function" of its handler. Other areas add theirs with :func:`register`.
KINDS: dict[str, str] = {
    "certificates.issue_all": "trainings.certificates.services:issue_all_job",
}


def register(kind: str, target: str) -> None:
    KINDS[kind] = target


class Job(db.Model):
    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint("state IN ('queued', 'running', 'done', 'failed')", name="state_known"),
        CheckConstraint("done >= 0 AND total >= 0", name="counts_positive"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(60))
    state: Mapped[str] = mapped_column(String(10), default="queued", index=True)
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    result: Mapped[dict] = mapped_column(JSON, default=dict)
    result_ref: Mapped[str | None] = mapped_column(String(300))
    error: Mapped[str | None] = mapped_column(Text)
    training_id: Mapped[int | None] = mapped_column(
        ForeignKey("trainings.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Last sign of life (every progress report): a job silent for long was abandoned.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    training = relationship("Training")

    @property
    def finished(self) -> bool:
        return self.state in ("done", "failed")

    @property
    def percent(self) -> int:
        if self.state == "done":
            return 100
        return int(100 * self.done / self.total) if self.total else 0


def job_dict(job: Job) -> dict:
    """The API shape (``GET /api/v1/jobs/{job}``)."""
    from .timezones import iso_utc
    data = {"id": job.id, "kind": job.kind, "state": job.state, "done": job.done,
            "total": job.total, "result": job.result or {}, "error": job.error,
            "created_at": iso_utc(job.created_at), "finished_at": iso_utc(job.finished_at)}
    return data


def create(kind: str, params: dict, *, training=None, actor=None, total: int = 0) -> Job:
    if kind not in KINDS:
        raise KeyError(f"unknown job kind {kind!r}")
    job = Job(id=secrets.token_hex(16), kind=kind, params=params, total=total, state="queued",
              training_id=training.id if training is not None else None,
              created_by_id=getattr(actor, "id", None))
    db.session.add(job)
    db.session.flush()
    return job


def active(kind: str, training) -> Job | None:
    """The queued or running job of that kind for the training, unless it was abandoned
    (no progress for ``JOBS_STALE_AFTER`` seconds, e.g. the process running it stopped):
    an abandoned job is marked failed so that the work can start again."""
    job = db.session.scalar(select(Job).where(Job.training_id == training.id, Job.kind == kind,
                                              Job.state.in_(("queued", "running")))
                            .order_by(Job.created_at.desc()))
    if job is None:
        return None
    stale_after = timedelta(seconds=current_app.config["JOBS_STALE_AFTER"])
    if job.updated_at < utcnow() - stale_after:
        job.state, job.error, job.finished_at = "failed", "abandoned", utcnow()
        db.session.flush()
        return None
    return job


def get(job_id: str) -> Job | None:
    if not isinstance(job_id, str) or len(job_id) > 32:
        return None
    return db.session.get(Job, job_id)


def mode(app=None) -> str:
    app = app or current_app
    configured = app.config["JOBS_MODE"]
    if configured:
        return configured
    if app.config.get("CELERY_BROKER_URL"):
        return "celery"
    return "inline" if app.testing else "thread"


def dispatch(job: Job) -> None:
    """Start a committed job according to :func:`mode`."""
    how = mode()
    if how == "inline":
        run(job.id)
    elif how == "thread":
        app = current_app._get_current_object()
        threading.Thread(target=_run_in_app, args=(app, job.id), daemon=True,
                         name=f"anyam-job-{job.id[:8]}").start()
    elif how == "celery":
        celery_app(current_app).send_task("anyam.run_job", args=[job.id])
    else:
        raise ValueError(f"unknown JOBS_MODE {how!r}")


def _run_in_app(app, job_id: str) -> None:
    with app.app_context():
        try:
            run(job_id)
        finally:
            db.session.remove()


def _set(job_id: str, **values) -> None:
    values.setdefault("updated_at", utcnow())
    db.session.execute(update(Job).where(Job.id == job_id).values(**values))
    db.session.commit()


def run(job_id: str) -> None:
    """Run one job to its end (in whatever process calls this)."""
    job = db.session.get(Job, job_id)
    if job is None or job.state != "queued":
        return
    _set(job_id, state="running", started_at=utcnow())
    module_name, _, function_name = KINDS[job.kind].partition(":")
    handler = getattr(importlib.import_module(module_name), function_name)

    def progress(done: int, total: int | None = None) -> None:
        values = {"done": done}
        if total is not None:
            values["total"] = total
        _set(job_id, **values)

    try:
        result = handler(db.session.get(Job, job_id), progress) or {}
    except Exception as exc:  # noqa: BLE001 - a failed job records why and stops
        db.session.rollback()
        logger.exception("job %s (%s) failed", job_id, job.kind)
        message = getattr(exc, "message", None) or exc.__class__.__name__
        _set(job_id, state="failed", error=str(message)[:1000], finished_at=utcnow())
        return
    db.session.rollback()  # nothing half-written stays pending
    result = dict(result)
    values = {"state": "done", "finished_at": utcnow(), "result_ref": result.pop("result_ref", None),
              "result": result}
    job = db.session.get(Job, job_id)
    if job is not None and job.total:
        values["done"] = job.total
    _set(job_id, **values)
    db.session.expire_all()


# Celery ---------------------------------------------------------------------------------

def celery_app(flask_app=None):
    """A Celery app for the configured broker (producers only need ``send_task``; the
    worker's app, which runs the jobs, is :mod:`trainings.worker`)."""
    from celery import Celery
    flask_app = flask_app or current_app
    broker = flask_app.config["CELERY_BROKER_URL"]
    celery = Celery("anyam", broker=broker)
    celery.conf.update(task_ignore_result=True, broker_connection_retry_on_startup=True,
                       task_acks_late=True, worker_prefetch_multiplier=1)
    return celery
