"""Faults: a worker killed mid-batch leaves a stalled job that the next worker finishes
without duplicates; rendering processes die with their parent and free its sockets."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

from sqlalchemy import func, select

from trainings import jobs
from trainings.certificates import services
from trainings.certificates.models import Certificate
from trainings.extensions import db

from .certificates_helpers import base, certified_training
from .processes import ROOT, alive, children_of, start_worker, wait_for, worker_env

COUNT = 120  # certificates: twelve chunks of 10 on two rendering processes


def job_state(job_id):
    db.session.expire_all()
    job = jobs.get(job_id)
    return job.state, job.done, job.total


def test_a_worker_killed_mid_batch_is_taken_over_without_duplicates(app, make, database_url,
                                                                     tmp_path):
    training, _e, organiser = certified_training(
        make, names=[f"Peserta {i:03d}" for i in range(COUNT)])
    job = services.start_issue_all(training, actor=organiser, base=base())
    db.session.commit()
    job_id = job.id
    env = worker_env(database_url, tmp_path / "shared-instance", JOBS_HEARTBEAT=1,
                     JOBS_STALE_AFTER=3, WORKER_POLL=0.2, CERTIFICATES_PDF_WORKERS=2)
    first = start_worker(env)
    try:
        # Wait until it has rendered some, but not all, of the batch.
        # (on the rendering processes the worker started when it started)
        assert wait_for(lambda: 1 < job_state(job_id)[1] < COUNT and children_of(first.pid),
                        timeout=120), job_state(job_id)
        renderers = children_of(first.pid)
        assert renderers, "the batch renders on a pool of processes"
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    state, done, total = job_state(job_id)
    assert state == "running" and 0 < done < total == COUNT  # what the page showed for ever
    # The kernel took its rendering processes down with it.
    assert wait_for(lambda: not any(alive(pid) for pid in renderers), timeout=10)
    # Silent past JOBS_STALE_AFTER: the next worker marks it stalled and takes it over.
    second = start_worker(env)
    try:
        assert wait_for(lambda: job_state(job_id)[0] == "done", timeout=120), job_state(job_id)
    finally:
        second.send_signal(signal.SIGTERM)
        output, _ = second.communicate(timeout=30)
    assert second.returncode == 0, output
    db.session.expire_all()
    finished = jobs.get(job_id)
    assert (finished.done, finished.total, finished.attempts) == (COUNT, COUNT, 2)
    assert finished.result == {"issued": COUNT}
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == COUNT
    assert db.session.scalar(select(func.count(func.distinct(Certificate.enrolment_id)))) == COUNT
    cached = list((tmp_path / "shared-instance" / "cache" / "certificates").glob("*.pdf"))
    assert len(cached) == COUNT  # every PDF rendered, each once in the shared cache


PARENT = textwrap.dedent("""
    import socket, sys, time
    from trainings import pdf
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", int(sys.argv[1])))
    listener.listen()
    pool = pdf.process_pool(2)
    for future in [pool.submit(time.sleep, 0.2) for _ in range(4)]:
        future.result()
    print("ready", flush=True)
    time.sleep(600)
""")


def test_rendering_processes_die_with_their_parent_and_free_its_port():
    from .mail import free_port
    port = free_port()
    parent = subprocess.Popen([sys.executable, "-c", PARENT, str(port)], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert parent.stdout.readline().strip() == "ready"
        children = children_of(parent.pid)  # the 2 renderers and multiprocessing's tracker
        renderers = [pid for pid in children
                     if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()]
        assert len(renderers) == 2
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=10)
    finally:
        if parent.poll() is None:
            parent.kill()
    gone = wait_for(lambda: not any(alive(pid) for pid in children), timeout=10)
    for pid in children if not gone else ():  # leave no orphan behind a failed test
        os.kill(pid, signal.SIGKILL)
    assert gone
    with socket.socket() as again:  # nobody holds the port any more
        again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        again.bind(("127.0.0.1", port))
        again.listen()


def test_a_daemonic_process_renders_in_process(monkeypatch):
    import multiprocessing

    from trainings import pdf
    monkeypatch.setattr(multiprocessing.current_process(), "_config",
                        {**multiprocessing.current_process()._config, "daemon": True})
    assert pdf.can_fork_pool() is False
    assert pdf.process_pool(2) is None


def test_a_zip_of_many_unrendered_pdfs_is_rendered_by_the_worker_not_the_web(app, make, login,
                                                                             runner):
    from trainings.certificates import render
    training, _e, organiser = certified_training(
        make, names=[f"Peserta {i}" for i in range(render.POOL_MIN)])
    app.config.update(CERTIFICATES_PRERENDER=False)
    services.issue_all(training, actor=organiser, base="http://localhost")
    db.session.commit()
    app.config["JOBS_MODE"] = "worker"
    client = login(organiser)
    url = f"/trainings/{training.id}/certificates.zip"
    waiting = client.get(url)
    assert waiting.status_code == 302 and "/jobs/" in waiting.headers["Location"]
    assert services.missing_pdfs(training, "http://localhost") == render.POOL_MIN  # not here
    assert client.get(url).headers["Location"] == waiting.headers["Location"]  # one job
    training_id = training.id
    assert runner.invoke(args=["worker", "--once"]).exit_code == 0
    from trainings.scheduling.models import Training
    training = db.session.get(Training, training_id)
    assert services.missing_pdfs(training, "http://localhost") == 0
    done = client.get(url)
    assert done.status_code == 200 and done.mimetype == "application/zip"


def test_the_worker_starts_its_rendering_processes_when_it_starts(database_url, tmp_path):
    env = worker_env(database_url, tmp_path / "instance", CERTIFICATES_PDF_WORKERS=2,
                     WORKER_POLL=0.2)
    worker = start_worker(env)
    try:
        lines = []
        for line in worker.stdout:  # before any job: the renderers are started and warm
            lines.append(line)
            if "running with" in line:
                break
        assert "running with 2 rendering processes" in lines[-1], lines
        renderers = [pid for pid in children_of(worker.pid)
                     if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()]
        assert len(renderers) == 2
    finally:
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=30)
    assert worker.returncode == 0, output
    assert wait_for(lambda: not any(alive(pid) for pid in renderers), timeout=10)
