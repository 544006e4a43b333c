"""The Celery worker's app (``celery -A trainings.worker worker``) runs jobs from the queue."""
import importlib

from trainings import jobs


def record_job(job, progress):
    progress(1, total=1)
    return {"seen": job.params["word"]}


def test_the_worker_task_runs_a_queued_job(app_factory, monkeypatch):
    monkeypatch.setitem(jobs.KINDS, "test.record", "tests.test_worker:record_job")
    app = app_factory(CELERY_BROKER_URL="memory://")
    worker = importlib.import_module("trainings.worker").make_worker(app)
    task = worker.tasks["anyam.run_job"]
    with app.app_context():
        job = jobs.create("test.record", {"word": "halo"})
        jobs.db.session.commit()
        job_id = job.id
    task.run(job_id)  # what a Celery worker does with the message dispatch() sends
    with app.app_context():
        done = jobs.get(job_id)
        assert (done.state, done.result, done.done) == ("done", {"seen": "halo"}, 1)


def test_celery_finds_the_app_by_module_name(monkeypatch, tmp_path):
    """``celery -A trainings.worker`` resolves the module to the worker's Celery app."""
    from celery import Celery
    from celery.app.utils import find_app
    monkeypatch.setenv("ANYAM_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("ANYAM_SECRET_KEY", "worker-test-secret-key-0123456789")
    monkeypatch.setenv("ANYAM_CELERY_BROKER_URL", "memory://")
    worker = importlib.import_module("trainings.worker")
    try:
        found = find_app("trainings.worker")
        assert isinstance(found, Celery)
        assert "anyam.run_job" in found.tasks
        assert found.conf.broker_url == "memory://"
    finally:
        for name in ("celery", "app"):
            vars(worker).pop(name, None)
