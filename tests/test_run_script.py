"""`make run`'s script (scripts/run.sh) for real: it starts the worker beside the web
server; Ctrl-C (SIGINT to the script's process group, as a terminal sends it) stops both
and leaves no process behind; when one of them dies the other is stopped too."""
from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from trainings import jobs
from trainings.certificates import services
from trainings.extensions import db
from trainings.outbox.services import queue_mail

from .certificates_helpers import base, certified_training
from .mail import free_port
from .processes import ROOT, alive, children_of, group_of, wait_for, worker_env

STOPPED_WITHIN = 30  # seconds: bounded, and generous for a loaded 2-core machine


def descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        for child in children_of(todo.pop()):
            found.append(child)
            todo.append(child)
    return found


def command_line(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")
    except OSError:
        return []


class RunScript:
    """``bash scripts/run.sh 127.0.0.1 PORT`` as its own process group, the foreground job
    of a terminal (FLASK: this venv's ``python -m flask --app wsgi``)."""

    def __init__(self, env: dict):
        self.port = free_port()
        env = dict(env, FLASK=f"{shlex.quote(sys.executable)} -m flask --app wsgi")
        self.process = subprocess.Popen(
            ["bash", "scripts/run.sh", "127.0.0.1", str(self.port)], cwd=ROOT, env=env,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            start_new_session=True)
        self.pgid = self.process.pid

    def healthy(self) -> bool:
        try:
            url = f"http://127.0.0.1:{self.port}/healthz"
            with urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310 - loopback
                return answer.status == 200 and b'"ok"' in answer.read()
        except OSError:
            return False

    def child(self, word: str) -> int | None:
        """The script's child whose flask command is ``word`` (worker, run)."""
        for pid in children_of(self.process.pid):
            args = command_line(pid)
            if "flask" in args and word in args:
                return pid
        return None

    def interrupt(self) -> None:
        os.killpg(self.pgid, signal.SIGINT)  # what Ctrl-C in the terminal does

    def output(self) -> str:
        try:
            return self.process.communicate(timeout=10)[0]
        except subprocess.TimeoutExpired:
            return "(still running)"

    def stop(self) -> None:
        """Whatever the test left: kill the whole group."""
        if group_of(self.pgid):
            os.killpg(self.pgid, signal.SIGKILL)
        if self.process.poll() is None:
            self.process.wait(timeout=10)


@pytest.fixture
def run_env(app, database_url, tmp_path, smtp_server):
    return worker_env(database_url, tmp_path / "instance", WORKER_POLL=0.2,
                      MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port,
                      MAIL_USE_TLS="false", PUBLIC_BASE_URL="http://127.0.0.1")


@pytest.fixture
def started(run_env):
    script = RunScript(run_env)
    try:
        yield script
    finally:
        script.stop()


def wait_until_both_run(script: RunScript, smtp_server) -> tuple[int, int]:
    """Both answer: the web its health check, the worker by delivering a queued mail."""
    assert wait_for(script.healthy, timeout=60), script.output()
    assert wait_for(lambda: smtp_server.to("peserta@example.org"), timeout=60), script.output()
    web, worker = script.child("run"), script.child("worker")
    assert web and worker, (children_of(script.process.pid), script.output())
    return web, worker


def queue_one_mail():
    queue_mail("peserta@example.org", "Selamat datang", "Sampai jumpa di sesi pertama.")
    db.session.commit()


def test_make_run_starts_both_and_ctrl_c_stops_both_leaving_no_process(started, smtp_server):
    queue_one_mail()
    web, worker = wait_until_both_run(started, smtp_server)
    assert smtp_server.to("peserta@example.org")[0]["Subject"] == "Selamat datang"
    everyone = [started.process.pid, *descendants(started.process.pid)]
    assert set(group_of(started.pgid)) >= {started.process.pid, web, worker}
    started.interrupt()
    started.process.wait(timeout=STOPPED_WITHIN)
    assert wait_for(lambda: not group_of(started.pgid), timeout=STOPPED_WITHIN), \
        [command_line(p) for p in group_of(started.pgid)]
    assert not [pid for pid in everyone if alive(pid)]


@pytest.mark.parametrize("dies, stays", [("run", "worker"), ("worker", "run")])
def test_when_one_of_them_dies_the_other_is_stopped_too(started, smtp_server, dies, stays):
    queue_one_mail()
    wait_until_both_run(started, smtp_server)
    other = started.child(stays)
    os.kill(started.child(dies), signal.SIGKILL)
    started.process.wait(timeout=STOPPED_WITHIN)
    assert wait_for(lambda: not alive(other), timeout=STOPPED_WITHIN), command_line(other)
    # the killed worker's rendering processes follow it (parent-death signal): give them time
    assert wait_for(lambda: not group_of(started.pgid), timeout=STOPPED_WITHIN), \
        [command_line(p) for p in group_of(started.pgid)]


def test_a_second_ctrl_c_stops_a_busy_worker_at_once_with_its_rendering_processes(
        app, make, run_env, smtp_server):
    """The first Ctrl-C lets the worker finish the job in hand; a second stops it now (the
    job is then stalled, for the next worker) and its rendering processes die with it.
    The job is long enough (~45-90 s of rendering) that it cannot end between the two
    Ctrl-Cs however busy the machine is; it is stopped after a few batches."""
    count = 1500
    training, _e, organiser = certified_training(
        make, names=[f"Peserta {i:03d}" for i in range(count)])
    job = services.start_issue_all(training, actor=organiser, base=base())
    db.session.commit()
    job_id = job.id

    def done():
        db.session.expire_all()
        return jobs.get(job_id).done

    script = RunScript(dict(run_env, ANYAM_CERTIFICATES_PDF_WORKERS="2"))
    try:
        assert wait_for(script.healthy, timeout=60), script.output()
        worker = script.child("worker")
        assert worker
        assert wait_for(lambda: 1 < done() < count // 2 and children_of(worker), timeout=120), \
            done()
        renderers = children_of(worker)
        script.interrupt()
        assert wait_for(lambda: script.child("run") is None, timeout=STOPPED_WITHIN)
        # The worker finishes the job in hand, and the script waits for it (no prompt yet).
        assert alive(worker) and done() < count and script.process.poll() is None
        script.interrupt()
        script.process.wait(timeout=STOPPED_WITHIN)
        assert wait_for(lambda: not group_of(script.pgid), timeout=STOPPED_WITHIN), \
            [command_line(p) for p in group_of(script.pgid)]
        left = done()
        assert not alive(worker)
        assert not [pid for pid in renderers if alive(pid)]
    finally:
        script.stop()
    db.session.expire_all()
    # Stopped mid-batch, not after it: the next worker takes the rest over.
    assert jobs.get(job_id).state in ("running", "stalled") and left < count
