"""The Celery worker's app: ``celery -A trainings.worker worker``.

It builds the Flask app (so it sits above every area, like ``wsgi.py``) and registers the
one task that runs a job; :mod:`trainings.jobs` stays a leaf that only sends tasks.
"""
from __future__ import annotations

from . import create_app
from .extensions import db
from .jobs import celery_app, run


def make_worker(flask_app=None):
    """A Celery app whose ``anyam.run_job`` task runs a job inside ``flask_app``."""
    flask_app = flask_app or create_app()
    celery = celery_app(flask_app)

    @celery.task(name="anyam.run_job", shared=False)  # this app only, not every Celery app
    def run_job(job_id: str) -> None:
        with flask_app.app_context():
            try:
                run(job_id)
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
