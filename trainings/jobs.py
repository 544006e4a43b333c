"""Background jobs: one code path, run by the worker, inline, or on Celery workers.

A job is a row in ``jobs`` (so every process sees its state): ``queued`` → ``running`` →
``done`` | ``failed``, with ``done``/``total`` for a progress bar. Its work is a function
``handler(job, progress)`` named by the job's ``kind`` in :data:`KINDS` (a dotted path, so
workers import it lazily). ``progress(done, total=None)`` records progress and commits.

A running job beats (``heartbeat_at``, every ``JOBS_HEARTBEAT`` seconds, from a thread of
the process running it). A job whose heartbeat is older than ``JOBS_STALE_AFTER`` seconds
lost its worker (killed, machine gone): it becomes ``stalled`` and the next worker (or a
retry) claims it again; handlers are written to resume, skipping the work already done.
Claims are conditional UPDATEs, so two workers never run the same job at once.

How jobs run (``JOBS_MODE``):
  ``worker``  the default: web requests only queue; ``flask --app wsgi worker`` claims them;
  ``celery``  when ``CELERY_BROKER_URL`` is set: ``celery -A trainings.worker worker --beat``;
  ``inline``  the default under ``TESTING``: at once, in the caller (answers are final);
  ``thread``  an explicit opt-in for development only: a daemon thread of the web process.

Usage (a view or API route): ``job = jobs.create("certificates.issue_all", params,
training=training, actor=user)``; ``db.session.commit()``; ``jobs.dispatch(job)``.
"""
from __future__ import annotations

import importlib
import logging
import os
import secrets
import socket
import threading
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, func, select, update
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .db import UTCDateTime, sqlite_cache, utcnow
from .extensions import db

logger = logging.getLogger(__name__)

STATES = ("queued", "running", "stalled", "done", "failed")
OPEN = ("queued", "running", "stalled")

#: kind -> "module:function" of its handler. Other areas add theirs with :func:`register`.
KINDS: dict[str, str] = {
    "certificates.issue_all": "trainings.certificates.services:issue_all_job",
    "certificates.render": "trainings.certificates.services:render_job",
}


def register(kind: str, target: str) -> None:
    KINDS[kind] = target


class Job(db.Model):
    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint("state IN ('queued', 'running', 'stalled', 'done', 'failed')",
                        name="state_known"),
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
    # The worker holding the job beats while it runs; a silent one lost its worker.
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    worker: Mapped[str | None] = mapped_column(String(120))  # "host:pid" of the holder
    attempts: Mapped[int] = mapped_column(default=0)  # claims so far (1 + take-overs)

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
            "created_at": iso_utc(job.created_at), "finished_at": iso_utc(job.finished_at),
            "heartbeat_at": iso_utc(job.heartbeat_at)}
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


def worker_name() -> str:
    """This process, as recorded on the jobs it holds: ``host:pid``."""
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


def _stale_before() -> datetime:
    return utcnow() - timedelta(seconds=current_app.config["JOBS_STALE_AFTER"])


def mark_stalled() -> int:
    """Mark the running jobs whose worker stopped beating as ``stalled``; how many."""
    stale = _stale_before()
    result = db.session.execute(
        update(Job).where(Job.state == "running",
                          func.coalesce(Job.heartbeat_at, Job.updated_at) < stale)
        .values(state="stalled", updated_at=utcnow())
        .execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount or 0


def active(kind: str, training) -> Job | None:
    """The open job of that kind for the training (queued, running or stalled); a running
    job whose worker stopped beating is marked ``stalled`` on the way, so that a retry
    takes it over (see :func:`dispatch`) and finishes what is left."""
    job = db.session.scalar(select(Job).where(Job.training_id == training.id, Job.kind == kind,
                                              Job.state.in_(OPEN))
                            .order_by(Job.created_at.desc()))
    if job is None:
        return None
    beat = job.heartbeat_at or job.updated_at
    if job.state == "running" and beat < _stale_before():
        job.state = "stalled"
        db.session.flush()
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
    if app.config["CELERY_BROKER_URL"]:
        return "celery"
    return "inline" if app.testing else "worker"


def dispatch(job: Job) -> None:
    """Start a committed job according to :func:`mode` (a stalled one is taken over)."""
    how = mode()
    if how == "worker":
        return  # the worker's loop claims queued and stalled jobs
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


def claim(job_id: str, worker: str | None = None) -> bool:
    """Take a queued or stalled job (a conditional UPDATE: one claimer wins)."""
    now = utcnow()
    result = db.session.execute(
        update(Job).where(Job.id == job_id, Job.state.in_(("queued", "stalled")))
        .values(state="running", worker=worker or worker_name(), heartbeat_at=now,
                updated_at=now, started_at=func.coalesce(Job.started_at, now),
                attempts=Job.attempts + 1)
        .execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount == 1


def stalled_ids() -> list[str]:
    return list(db.session.scalars(select(Job.id).where(Job.state == "stalled")
                                   .order_by(Job.created_at)))


def claim_next(worker: str | None = None) -> str | None:
    """The id of the oldest queued or stalled job, claimed for this worker, or None."""
    mark_stalled()
    candidates = db.session.scalars(
        select(Job.id).where(Job.state.in_(("queued", "stalled")))
        .order_by(Job.created_at).limit(5)).all()
    for job_id in candidates:
        if claim(job_id, worker):
            return job_id
    return None


class Heartbeat:
    """Beats for one job from a thread with its own session, while the job runs."""

    def __init__(self, job_id: str, worker: str):
        self.job_id, self.worker = job_id, worker
        self.app = current_app._get_current_object()
        self.every = float(current_app.config["JOBS_HEARTBEAT"])
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._beat, daemon=True,
                                       name=f"anyam-beat-{job_id[:8]}")

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopped.set()
        self.thread.join(timeout=self.every + 5)

    def _beat(self) -> None:
        with self.app.app_context():
            try:
                while not self.stopped.wait(self.every):
                    try:
                        db.session.execute(
                            update(Job).where(Job.id == self.job_id, Job.state == "running",
                                              Job.worker == self.worker)
                            .values(heartbeat_at=utcnow())
                            .execution_options(synchronize_session=False))
                        db.session.commit()
                    except Exception:  # noqa: BLE001 - a missed beat is retried next time
                        db.session.rollback()
                        logger.warning("heartbeat of job %s failed", self.job_id, exc_info=True)
            finally:
                db.session.remove()


def run(job_id: str, *, claimed: bool = False) -> None:
    """Claim one job (unless ``claimed``) and run it to its end in this process."""
    worker = worker_name()
    if not claimed and not claim(job_id, worker):
        return
    job = db.session.get(Job, job_id)
    if job is None:
        return
    worker = job.worker or worker
    module_name, _, function_name = KINDS[job.kind].partition(":")
    handler = getattr(importlib.import_module(module_name), function_name)

    def progress(done: int, total: int | None = None) -> None:
        values = {"done": done, "heartbeat_at": utcnow()}
        if total is not None:
            values["total"] = total
        _set(job_id, **values)

    try:
        with Heartbeat(job_id, worker), sqlite_cache(
                current_app.config["JOBS_SQLITE_CACHE_KIB"], db.session()):
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
              "result": result, "error": None}
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
                       task_acks_late=True, worker_prefetch_multiplier=1,
                       task_default_queue=flask_app.config["CELERY_QUEUE"])
    return celery


def __getattr__(name: str):
    """``celery -A trainings.jobs:worker`` (the contract's spelling) finds the worker's
    Celery app. It lives in :mod:`trainings.worker`, which builds the Flask app and so sits
    above every area; it is looked up by name only when Celery asks, never imported here."""
    if name == "worker":
        return importlib.import_module("trainings.worker").celery
    raise AttributeError(name)
