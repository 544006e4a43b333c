"""Rendering processes: the one place where they are made (``process_pool``), and the
process-wide pool that batches reuse (``SharedPool``).

The processes are spawned (fresh interpreters): each holds what rendering imports, not
the memory of the web or worker process that asked for it, nor its sockets; each dies
with its parent (``PR_SET_PDEATHSIG``).
"""
from __future__ import annotations

import threading

PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _die_with_parent(parent_pid: int, then=None, then_args: tuple = ()) -> None:
    """Pool initializer: the kernel kills this process when its parent dies (Linux
    ``PR_SET_PDEATHSIG``), so a killed web or worker process leaves no renderer behind;
    and if the parent is already gone, stop at once."""
    import ctypes
    import os
    import signal
    import sys
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent_pid:
        os._exit(1)
    if then is not None:
        then(*then_args)


def can_fork_pool() -> bool:
    """False inside a daemonic process (Celery's prefork children), which may not start
    children of its own: there batches render in the calling process."""
    import multiprocessing
    if multiprocessing.current_process().daemon:
        return False
    try:
        from billiard.process import current_process as billiard_process
    except ImportError:
        return True
    return not billiard_process().daemon


def process_pool(workers: int, *, initializer=None, initargs: tuple = ()):
    """A new pool of ``workers`` rendering processes that die with this one, or None when
    this process may not start children (then render in-process). The one place where
    rendering processes are made. They are *spawned* (fresh interpreters, started on the
    pool's first tasks): a worker holds what rendering imports, not the memory of the web
    or worker process that asked for it, nor its sockets. ``initializer(*initargs)`` runs
    in each after the parent check."""
    import multiprocessing
    import os
    from concurrent.futures import ProcessPoolExecutor
    if workers < 2 or not can_fork_pool():
        return None
    return ProcessPoolExecutor(max_workers=workers,
                               mp_context=multiprocessing.get_context("spawn"),
                               initializer=_die_with_parent,
                               initargs=(os.getpid(), initializer, initargs))


class SharedPool:
    """This process's rendering pool, started once and reused by every batch, so each
    worker's start-up (interpreter, imports, warm-up) is paid once per process life.
    ``get()`` answers ``(pool, shared)``: the shared pool, or, from a thread other than the
    main one (PR_SET_PDEATHSIG would kill the workers when that thread ends), a new pool
    the caller shuts down (``shared`` False). A broken pool, another size or initializer,
    or a forked child of the process that made it gets a new pool (``initargs`` are
    those of the pool's first caller: per-batch values go with each task)."""

    def __init__(self):
        self.pool = None
        self.key = None
        self.lock = threading.Lock()

    def get(self, workers: int, *, initializer=None, initargs: tuple = ()):
        import os
        if threading.current_thread() is not threading.main_thread():
            return process_pool(workers, initializer=initializer, initargs=initargs), False
        key = (os.getpid(), workers, initializer)  # initargs: those of the first batch
        with self.lock:
            if self.pool is not None and (self.key != key or getattr(self.pool, "_broken", False)):
                if self.key[0] == os.getpid():
                    self.pool.shutdown(wait=False, cancel_futures=True)
                self.pool = None
            if self.pool is None:
                self.pool = process_pool(workers, initializer=initializer, initargs=initargs)
                self.key = key
            return self.pool, self.pool is not None

    def discard(self, pool) -> None:
        """Forget ``pool`` (it broke): the next batch starts a new one."""
        with self.lock:
            if self.pool is pool:
                self.pool.shutdown(wait=False, cancel_futures=True)
                self.pool = None

    def pids(self) -> list[int]:
        pool = self.pool
        return sorted(getattr(pool, "_processes", None) or {}) if pool is not None else []

    def close(self) -> None:
        with self.lock:
            if self.pool is not None:
                self.pool.shutdown(wait=True)
                self.pool = None


def _answer_pid() -> int:
    import os
    import time
    time.sleep(0.05)  # busy a moment, so that the next task goes to another process
    return os.getpid()


def start_workers(pool, workers: int, *, timeout: float = 120) -> list[int]:
    """Start every process of ``pool`` (a spawned pool starts one per task while none is
    idle) and wait until each has run its initializer; their process ids."""
    import time
    seen: set[int] = set()
    deadline = time.monotonic() + timeout
    while len(seen) < workers and time.monotonic() < deadline:
        seen.update(f.result() for f in [pool.submit(_answer_pid) for _ in range(workers)])
    return sorted(seen)


def idle_cpus(*, looks: int = 3, read=None) -> int:
    """How many of the CPUs this process may run on have nothing to run now: those CPUs,
    less the tasks the kernel is running or has ready to run other than the caller
    (``/proc/loadavg``'s fourth field, the fewest of ``looks`` looks a millisecond apart,
    so that a task passing by is not counted). Where there is no /proc, all of them.
    ``read`` answers the file's text (tests)."""
    import os
    import time
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
        os.cpu_count() or 1)
    if read is None:
        def read():
            with open("/proc/loadavg", encoding="ascii") as handle:
                return handle.read()
    fewest = None
    for look in range(max(1, looks)):
        if look:
            time.sleep(0.001)
        try:
            running = int(read().split()[3].split("/")[0])
        except (OSError, ValueError, IndexError):
            return cpus
        fewest = running if fewest is None else min(fewest, running)
    return max(0, cpus - (fewest - 1))


LOOK_AGAIN = 0.05  # seconds between looks at the idle CPUs while calls wait


def run_on_idle_cpus(pool, calls: list, *, workers: int, idle=None):
    """Run ``calls`` (``(function, *args)`` tuples) on ``pool`` and yield ``(index,
    result)`` as each ends, with as many running at once as there are idle CPUs (at least
    one, at most ``workers``), looked at again whenever one ends and every
    :data:`LOOK_AGAIN` seconds while calls wait. On a busy machine a second
    rendering process would only take turns with what already runs there, each paying for
    cold caches on every turn: one at a time costs less CPU for a little more wall time
    (30 certificates beside one busy core: 0.89 → 0.74 of the raw floor's CPU, wall 63 →
    74 ms per certificate). ``idle`` answers the idle CPUs (:func:`idle_cpus`, which counts this
    pool's running processes as busy)."""
    from concurrent.futures import FIRST_COMPLETED, wait
    idle = idle or idle_cpus
    waiting = list(enumerate(calls))[::-1]
    running: dict = {}
    while waiting or running:
        room = max(1, min(workers, len(running) + idle())) - len(running)
        while waiting and room > 0:
            index, (function, *args) = waiting.pop()
            running[pool.submit(function, *args)] = index
            room -= 1
        # while calls wait, look again now and then: a CPU may have become idle
        done, _pending = wait(running, timeout=LOOK_AGAIN if waiting else None,
                              return_when=FIRST_COMPLETED)
        for future in done:
            yield running.pop(future), future.result()


def loaded(module: str) -> bool:
    """Whether ``module`` is imported in this process (ask a rendering process what it
    holds: ``pool.submit(loaded, "sqlalchemy")``)."""
    import sys
    return module in sys.modules
