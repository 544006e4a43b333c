"""What every benchmark here shares, so that its figures survive a sceptic.

* :func:`interleave` runs the variants in turn (A B, B A, A B, ...), never all of A then all
  of B, and keeps wall time, CPU time (the process and its reaped children) and the load
  average of every run; :func:`median` summarises them.
* The garbage collector stays on (as in production).
* :func:`emit` prints a row for people, or one JSON line (``--json`` / ``BENCH_JSON=1``) that
  ``benchmarks/run.py`` collects into one table. A row names its figure, its baseline (run in
  the same process tree) and the ratio.
"""
from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # this checkout's trainings

JSON = "--json" in sys.argv or os.environ.get("BENCH_JSON") == "1"
if "--json" in sys.argv:
    sys.argv.remove("--json")


def load() -> float:
    return os.getloadavg()[0]


def cpu_seconds() -> float:
    """CPU seconds (user + system) of this process and of its children that were waited for."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


@dataclass
class Run:
    wall: float
    cpu: float
    load: float
    extra: dict = field(default_factory=dict)


def measure(work) -> Run:
    """Time one call: wall, CPU (self + reaped children), the load average at its end."""
    cpu0, t0 = cpu_seconds(), time.perf_counter()
    extra = work() or {}
    wall, cpu = time.perf_counter() - t0, cpu_seconds() - cpu0
    return Run(wall=wall, cpu=cpu, load=load(), extra=extra if isinstance(extra, dict) else {})


def interleave(variants: dict, repeat: int) -> dict[str, list[Run]]:
    """Each variant ``repeat`` times, alternating the order every round."""
    names = list(variants)
    runs: dict[str, list[Run]] = {name: [] for name in names}
    for round_ in range(repeat):
        for name in (names if round_ % 2 == 0 else list(reversed(names))):
            runs[name].append(variants[name]())
    return runs


def median(runs: list[Run], attribute: str = "wall") -> float:
    return statistics.median(getattr(r, attribute) for r in runs)


def median_extra(runs: list[Run], key: str) -> float:
    return statistics.median(r.extra[key] for r in runs)


def machine() -> dict:
    model = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "cpu": model, "python": platform.python_version()}


def emit(benchmark: str, figure: str, *, value: float, unit: str, baseline: float | None = None,
         baseline_name: str = "", cpu: float | None = None, cpu_baseline: float | None = None,
         load_avg: float | None = None, runs: int = 1, note: str = "", goal: str = "") -> dict:
    """One result row: the figure, its baseline from the same run and their ratio."""
    row = {"benchmark": benchmark, "figure": figure, "value": value, "unit": unit,
           "baseline": baseline, "baseline_name": baseline_name,
           "ratio": (value / baseline) if baseline else None,
           "cpu": cpu, "cpu_baseline": cpu_baseline,
           "cpu_ratio": (cpu / cpu_baseline) if cpu is not None and cpu_baseline else None,
           "load": load() if load_avg is None else load_avg, "runs": runs, "note": note,
           "goal": goal}
    if JSON:
        print("BENCH " + json.dumps(row, ensure_ascii=False), flush=True)
    else:
        print(format_row(row), flush=True)
    return row


def _num(value, width=9, digits=1) -> str:
    return f"{value:>{width}.{digits}f}" if isinstance(value, int | float) else f"{'-':>{width}}"


HEADER = (f"{'benchmark':<12} {'figure':<40} {'value':>9} {'unit':<8} {'baseline':>9} "
          f"{'ratio':>6} {'cpu':>9} {'cpu base':>9} {'cpu r.':>6} {'load':>5} {'runs':>4}  "
          "baseline / note")


def format_row(row: dict) -> str:
    note = " / ".join(x for x in (row.get("baseline_name"), row.get("note"), row.get("goal")) if x)
    digits = 2 if row["unit"] == "s" else 1
    return (f"{row['benchmark']:<12} {row['figure'][:40]:<40} {_num(row['value'], 9, digits)} "
            f"{row['unit']:<8} {_num(row['baseline'], 9, digits)} {_num(row['ratio'], 6, 2)} "
            f"{_num(row['cpu'], 9, digits)} {_num(row['cpu_baseline'], 9, digits)} "
            f"{_num(row['cpu_ratio'], 6, 2)} "
            f"{_num(row['load'], 5, 2)} {row['runs']:>4}  {note}")


def header(title: str) -> None:
    if not JSON:
        info = machine()
        print(f"== {title}  ({info['nproc']} cores, {info['cpu']}, load {load():.2f})")
        print(HEADER)


def bench_app(instance: str | None = None, **config):
    """A fresh app on a fresh SQLite file (or BENCH_DATABASE_URL), migrated."""
    import tempfile

    from flask_migrate import upgrade

    from trainings import create_app
    instance = instance or tempfile.mkdtemp(prefix="anyam-bench-")
    os.environ.setdefault("ANYAM_SECRET_KEY", "benchmark-only-key-0123456789")
    settings = {"TESTING": True, "SECRET_KEY": "benchmark-only-key-0123456789",
                "INSTANCE_PATH": instance, "RATELIMIT_ENABLED": False,
                "SQLALCHEMY_DATABASE_URI": os.environ.get("BENCH_DATABASE_URL")
                or f"sqlite:///{instance}/bench.sqlite"}
    settings.update(config)
    app = create_app(settings)
    import logging
    logging.disable(logging.INFO)  # alembic's "Running upgrade ..." lines
    try:
        with app.app_context():
            upgrade()
    finally:
        logging.disable(logging.NOTSET)
    return app
