"""Everything that happens outside a request: jobs, mail delivery, reminders, follow-ups.

Two ways to run it, the same code either way:

* ``flask --app wsgi worker`` (one machine, the embedded default; ``make run`` starts it):
  a loop that claims queued and stalled jobs (a conditional UPDATE, so two workers never
  take the same one), runs the periodic tasks of :mod:`trainings.periodic` that are due
  (each run claimed in the database, so once per period however many workers run), and
  sleeps ``WORKER_POLL`` seconds when there is nothing to do. SIGTERM or SIGINT stops it
  after the current job; a second one stops it at once (the job is then ``stalled`` and
  taken over by the next worker).
* ``celery -A trainings.worker worker --beat`` with ``CELERY_BROKER_URL`` (Redis): web
  requests send ``anyam.run_job``; beat sends ``anyam.tick`` every ``WORKER_TICK`` seconds,
  which runs the due periodic tasks and hands stalled jobs to a worker again.

This module builds the Flask app (it sits above every area, like ``wsgi.py``).
"""
from __future__ import annotations

import logging
import signal
import threading
from datetime import timedelta

import click

from . import create_app, jobs, periodic
from .extensions import db

logger = logging.getLogger(__name__)


class Worker:
    """The embedded worker's loop (in an app context)."""

    def __init__(self, app, *, poll: float | None = None):
        self.app = app
        self.poll = float(app.config["WORKER_POLL"] if poll is None else poll)
        self.name = jobs.worker_name()
        self.stopping = threading.Event()

    def stop(self, signum=None, _frame=None) -> None:
        if self.stopping.is_set():  # asked twice: stop now
            raise KeyboardInterrupt
        logger.info("worker %s stopping (signal %s)", self.name, signum)
        self.stopping.set()

    def run_jobs(self, *, limit: int | None = None) -> int:
        ran = 0
        while not self.stopping.is_set() and (limit is None or ran < limit):
            job_id = jobs.claim_next(self.name)
            if job_id is None:
                break
            jobs.run(job_id, claimed=True)
            db.session.remove()
            ran += 1
        return ran

    def tick(self, *, force: bool = False) -> int:
        """One round: a job (if one is waiting), then the due periodic tasks."""
        did = self.run_jobs(limit=1)
        done = periodic.run_due(force=force)
        db.session.remove()
        return did + sum(done.values())

    def run_once(self) -> dict:
        """Every waiting job, then every periodic task (cron, tests)."""
        ran = self.run_jobs()
        done = periodic.run_due(force=True)
        db.session.remove()
        return {"jobs": ran, **done}

    def run_forever(self) -> None:
        for signum in (signal.SIGTERM, signal.SIGINT):
            if signal.getsignal(signum) is not signal.SIG_IGN:  # ignored: a script's background
                signal.signal(signum, self.stop)              # job, stopped with SIGTERM
        logger.info("worker %s started", self.name)
        while not self.stopping.is_set():
            try:
                busy = self.tick()
            except Exception:  # noqa: BLE001 - a broken round is logged; the loop goes on
                db.session.rollback()
                logger.exception("worker round failed")
                busy = 0
            if not busy:
                self.stopping.wait(self.poll)
        logger.info("worker %s stopped", self.name)


@click.command("worker")
@click.option("--once", is_flag=True,
              help="Run every waiting job and every periodic task once, then exit (cron, tests).")
@click.option("--poll", type=float, default=None,
              help="Seconds to sleep when idle (default: the WORKER_POLL setting).")
def worker_command(once, poll):
    """Run background work until stopped: certificate batches and other jobs, mail
    delivery, session reminders, follow-ups. Start one or more beside the web server."""
    from flask import current_app
    app = current_app._get_current_object()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    if jobs.mode(app) == "celery":
        click.echo("CELERY_BROKER_URL is set: Celery workers run the jobs "
                   "(celery -A trainings.worker worker --beat).", err=True)
    if not app.config["PUBLIC_BASE_URL"]:
        click.echo("Warning: PUBLIC_BASE_URL is not set; links in mails sent by the worker "
                   "point to http://localhost.", err=True)
    worker = Worker(app, poll=poll)
    if once:
        done = worker.run_once()
        click.echo(", ".join(f"{name}: {count}" for name, count in done.items()))
        return
    from .certificates import render
    renderers = render.start_pool()  # certificate batches' renderers: started now, once
    click.echo(f"Worker {worker.name} running with {len(renderers)} rendering processes "
               "(Ctrl-C stops it).")
    worker.run_forever()


# Celery ----------------------------------------------------------------------------------

def make_worker(flask_app=None):
    """A Celery app whose tasks run jobs and periodic work inside ``flask_app``."""
    flask_app = flask_app or create_app()
    celery = jobs.celery_app(flask_app)
    tick_every = float(flask_app.config["WORKER_TICK"])
    celery.conf.beat_schedule = {
        "anyam-tick": {"task": "anyam.tick", "schedule": timedelta(seconds=tick_every)},
    }

    @celery.task(name="anyam.run_job", shared=False)  # this app only, not every Celery app
    def run_job(job_id: str) -> None:
        with flask_app.app_context():
            try:
                jobs.run(job_id)
            finally:
                db.session.remove()

    @celery.task(name="anyam.tick", shared=False)
    def tick() -> dict:
        with flask_app.app_context():
            try:
                jobs.mark_stalled()
                for job_id in jobs.stalled_ids():
                    run_job.delay(job_id)
                return periodic.run_due()
            finally:
                db.session.remove()

    celery.flask_app = flask_app
    return celery


def __getattr__(name: str):
    # Built on first use (``celery -A trainings.worker`` looks up ``celery``), not on import.
    if name in ("celery", "app"):
        value = make_worker()
        globals().update(celery=value, app=value)
        return value
    raise AttributeError(name)
