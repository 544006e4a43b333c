"""Rendering processes run side by side only on idle CPUs: on a busy machine a batch's
chunks go one at a time (two renderers taking turns with other work on the same cores
cost more CPU for the same wall time)."""
from __future__ import annotations

import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from trainings import processes
from trainings.certificates import render, services
from trainings.extensions import db

from .certificates_helpers import base, certified_training
from .test_certificates_pool import NAMES

CPUS = len(os.sched_getaffinity(0))


def _loadavg(running: int) -> str:
    return f"0.52 0.40 0.31 {running}/321 4242\n"


def test_idle_cpus_are_the_cpus_less_what_else_runs():
    assert processes.idle_cpus(read=lambda: _loadavg(1)) == CPUS  # only the caller runs
    assert processes.idle_cpus(read=lambda: _loadavg(2)) == CPUS - 1
    assert processes.idle_cpus(read=lambda: _loadavg(CPUS + 5)) == 0  # never below 0
    looks = iter([_loadavg(4), _loadavg(1), _loadavg(3)])
    assert processes.idle_cpus(read=lambda: next(looks)) == CPUS  # a task passing by
    assert processes.idle_cpus(read=lambda: "garbage") == CPUS  # unreadable: all of them
    assert 0 <= processes.idle_cpus() <= CPUS  # this machine's own /proc/loadavg


def _most_at_once(idle, workers: int, calls: int = 6, sleep: float = 0.05) -> tuple[int, list]:
    """The most calls running at once; ``idle``: the CPUs that nothing else uses (our
    running calls keep them busy, as /proc/loadavg counts them) or a function."""
    lock, now, most = threading.Lock(), [0], [0]

    def task(index):
        with lock:
            now[0] += 1
            most[0] = max(most[0], now[0])
        time.sleep(sleep)
        with lock:
            now[0] -= 1
        return index * 10

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(processes.run_on_idle_cpus(pool, [(task, i) for i in range(calls)],
                                                  workers=workers,
                                                  idle=idle if callable(idle) else
                                                  lambda: max(0, idle - now[0])))
    return most[0], results


def test_chunks_run_side_by_side_only_on_idle_cpus():
    most, results = _most_at_once(idle=0, workers=2)
    assert most == 1  # a busy machine: one at a time, never none
    assert sorted(results) == [(i, i * 10) for i in range(6)]  # each once, with its result
    assert _most_at_once(idle=1, workers=2)[0] == 1
    assert _most_at_once(idle=2, workers=2)[0] == 2
    assert _most_at_once(idle=8, workers=2)[0] == 2  # never more than the pool's workers


def test_a_cpu_that_becomes_idle_is_used_before_the_running_chunk_ends():
    looks = iter([0, 0])  # busy at the start, then a CPU is free (and stays free)
    most, _results = _most_at_once(lambda: next(looks, 1), workers=2, calls=2, sleep=0.5)
    assert most == 2  # the second call did not wait for the first one to end


def test_a_batch_on_a_busy_machine_renders_one_chunk_at_a_time(app, make, monkeypatch):
    training, _e, organiser = certified_training(make, names=NAMES)
    certificates = services.issue_all(training, actor=organiser, base=base())
    db.session.commit()
    contexts = services.contexts_for(certificates, base())
    pool, shared = render.POOL.get(2, initializer=render._init_worker,
                                   initargs=(render._settings(),))  # the one batches use
    assert shared
    submitted, submit = [], pool.submit

    def counted(*args, **kwargs):  # how many of the batch's chunks were running already
        submitted.append(sum(not f.done() for f in futures))
        future = submit(*args, **kwargs)
        futures.append(future)
        return future

    futures: list = []
    monkeypatch.setattr(pool, "submit", counted)
    looked = []
    monkeypatch.setattr(processes, "idle_cpus", lambda: looked.append(1) or 0)
    busy = render.render_many(contexts, workers=2, use_cache=False)
    assert looked and submitted == [0, 0]  # two chunks, the second after the first ended
    monkeypatch.setattr(processes, "idle_cpus", lambda: 2)
    submitted.clear()
    futures.clear()
    idle = render.render_many(contexts, workers=2, use_cache=False)
    assert submitted == [0, 1]  # two idle CPUs: side by side
    assert len(busy) == len(idle) == len(NAMES)
    assert all(a.startswith(b"%PDF") and b.startswith(b"%PDF")
               for a, b in zip(busy, idle, strict=True))
