"""The Celery worker's app (``celery -A trainings.worker worker``) runs jobs from the queue."""
import importlib

import pytest

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


@pytest.mark.parametrize("name", ["trainings.worker", "trainings.jobs:worker"])
def test_celery_finds_the_app_by_module_name(monkeypatch, tmp_path, name):
    """``celery -A trainings.worker`` (and the contract's ``trainings.jobs:worker``)
    resolves to the worker's Celery app, with its job and periodic tasks."""
    from celery import Celery
    from celery.app.utils import find_app
    monkeypatch.setenv("ANYAM_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("ANYAM_SECRET_KEY", "worker-test-secret-key-0123456789")
    monkeypatch.setenv("ANYAM_CELERY_BROKER_URL", "memory://")
    worker = importlib.import_module("trainings.worker")
    try:
        found = find_app(name)
        assert isinstance(found, Celery)
        assert {"anyam.run_job", "anyam.tick"} <= set(found.tasks)
        assert found.conf.beat_schedule["anyam-tick"]["task"] == "anyam.tick"
        assert found.conf.broker_url == "memory://"
    finally:
        for name in ("celery", "app"):
            vars(worker).pop(name, None)


CALLS = []


def count_call(now):
    CALLS.append(now)
    return 1


def test_a_periodic_task_runs_once_per_period_however_many_workers_tick(app, monkeypatch):
    from datetime import UTC, datetime, timedelta

    from trainings import periodic
    monkeypatch.setattr(periodic, "TASKS", {})
    periodic.register("test.count", "tests.test_worker:count_call", every=timedelta(minutes=5))
    CALLS.clear()
    now = datetime(2031, 1, 1, 8, 0, tzinfo=UTC)
    assert periodic.run_due(now) == {"test.count": 1}
    assert periodic.run_due(now) == {}  # a second worker in the same period: nothing
    assert periodic.run_due(now + timedelta(minutes=4)) == {}
    assert periodic.run_due(now + timedelta(minutes=5)) == {"test.count": 1}
    assert periodic.run_due(now + timedelta(minutes=6), force=True) == {"test.count": 1}
    assert len(CALLS) == 3
    row = periodic.db.session.get(periodic.PeriodicRun, "test.count")
    assert row.last_result == "ok: 1"


def failing_task(now):
    raise RuntimeError("broken")


def test_a_failing_periodic_task_is_recorded_and_the_others_still_run(app, monkeypatch):
    from datetime import timedelta

    from trainings import periodic
    monkeypatch.setattr(periodic, "TASKS", {})
    periodic.register("test.fail", "tests.test_worker:failing_task", every=timedelta(minutes=1))
    periodic.register("test.count", "tests.test_worker:count_call", every=timedelta(minutes=1))
    assert periodic.run_due() == {"test.count": 1}
    row = periodic.db.session.get(periodic.PeriodicRun, "test.fail")
    assert row.last_result == "failed: RuntimeError: broken"


def test_the_worker_runs_queued_jobs_once(app, monkeypatch, runner):
    monkeypatch.setitem(jobs.KINDS, "test.record", "tests.test_worker:record_job")
    app.config["JOBS_MODE"] = "worker"
    job = jobs.create("test.record", {"word": "sekali"})
    jobs.db.session.commit()
    jobs.dispatch(job)  # worker mode: the request only queues
    job_id = job.id
    assert jobs.get(job_id).state == "queued"
    result = runner.invoke(args=["worker", "--once"])
    assert result.exit_code == 0 and "jobs: 1" in result.output
    jobs.db.session.expire_all()
    done = jobs.get(job_id)
    assert (done.state, done.attempts, done.result) == ("done", 1, {"seen": "sekali"})
    assert "jobs: 0" in runner.invoke(args=["worker", "--once"]).output
