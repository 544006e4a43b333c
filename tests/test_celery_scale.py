"""At scale: a real Celery worker (with beat) on Redis issues a batch of certificates and
delivers the mail through a real SMTP server, sharing the database with the web side.
Runs wherever Redis answers on 127.0.0.1:6379 (as on the CI machine)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid

import pytest
from sqlalchemy import func, select

from trainings import jobs
from trainings.certificates import services
from trainings.certificates.models import Certificate
from trainings.extensions import db
from trainings.outbox.models import OutboxMessage

from .certificates_helpers import base, certified_training
from .processes import ROOT, wait_for, worker_env

REDIS = os.environ.get("ANYAM_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
COUNT = 30


def redis_answers() -> bool:
    try:
        import redis
        return bool(redis.Redis.from_url(REDIS, socket_timeout=1).ping())
    except Exception:  # noqa: BLE001 - any failure means: no Redis here
        return False


pytestmark = pytest.mark.skipif(not redis_answers(),
                                reason=f"Redis does not answer at {REDIS}")


@pytest.mark.parametrize("pool", ["solo", "prefork"])
def test_a_celery_worker_issues_a_batch_and_delivers_its_mail(app, make, database_url,
                                                              tmp_path, smtp_server, pool):
    queue = f"anyam-test-{uuid.uuid4().hex[:8]}"  # ours alone, whoever else uses this Redis
    app.config.update(CELERY_BROKER_URL=REDIS, CELERY_QUEUE=queue, JOBS_MODE="celery")
    training, _e, organiser = certified_training(
        make, names=[f"Peserta {i:02d}" for i in range(COUNT)])
    env = worker_env(database_url, tmp_path / "instance", CELERY_BROKER_URL=REDIS,
                     CELERY_QUEUE=queue, WORKER_TICK=1, MAIL_SERVER="127.0.0.1",
                     MAIL_PORT=smtp_server.port, MAIL_USE_TLS="false",
                     CERTIFICATES_PDF_WORKERS=2)
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "trainings.worker", "worker", "--beat",
         f"--pool={pool}", "--concurrency=1", "-Q", queue, "--loglevel=INFO",
         "-s", str(tmp_path / "beat-schedule"), "-n", f"{queue}@%h"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True)  # its own process group: beat's child goes with it
    try:
        job = services.start_issue_all(training, actor=organiser, base=base())
        db.session.commit()
        jobs.dispatch(job)  # a message on Redis; this process renders nothing

        def state():
            db.session.expire_all()
            return jobs.get(job.id).state

        assert wait_for(lambda: state() in ("done", "failed"), timeout=180), state()
        assert state() == "done", jobs.get(job.id).error
        assert wait_for(lambda: len(smtp_server.messages) >= COUNT, timeout=60), \
            len(smtp_server.messages)
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            output, _ = worker.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            # the whole group: a beat child left behind keeps the output pipe open, and
            # reading it to its end would wait for ever
            os.killpg(worker.pid, signal.SIGKILL)
            output, _ = worker.communicate(timeout=30)
        try:
            os.killpg(worker.pid, signal.SIGKILL)  # whatever of the group outlived the worker
        except ProcessLookupError:
            pass
    finished = jobs.get(job.id)
    assert (finished.done, finished.total, finished.result) == (COUNT, COUNT, {"issued": COUNT})
    assert finished.worker.rsplit(":", 1)[1] != str(os.getpid()), output  # run over there
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == COUNT
    states = db.session.execute(select(OutboxMessage.state, func.count())
                                .group_by(OutboxMessage.state)).all()
    assert states == [("sent", COUNT)]
    assert len(smtp_server.messages) == COUNT
    cached = list((tmp_path / "instance" / "cache" / "certificates").glob("*.pdf"))
    assert len(cached) == COUNT
