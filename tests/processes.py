"""Helpers for tests that start real worker processes (not a test module)."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _live_processes():
    """(pid, parent pid, process group) of every process that is not a zombie (/proc)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] != "Z":
            yield int(entry.name), int(fields[1]), int(fields[2])


def children_of(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (from /proc)."""
    return [child for child, parent, _group in _live_processes() if parent == pid]


def group_of(pgid: int) -> list[int]:
    """Processes in process group ``pgid`` (from /proc)."""
    return [member for member, _parent, group in _live_processes() if group == pgid]


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def wait_for(predicate, timeout: float = 60, every: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    return predicate()


def worker_env(database_url: str, instance: Path, **settings) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANYAM_")}
    env.update({"ANYAM_SECRET_KEY": "worker-test-secret-key-0123456789",
                "ANYAM_SQLALCHEMY_DATABASE_URI": database_url,
                "ANYAM_INSTANCE_PATH": str(instance),
                "PYTHONPATH": str(ROOT)})
    env.update({f"ANYAM_{k}": str(v) for k, v in settings.items()})
    return env


def start_worker(env: dict, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "worker", *args],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
