"""Certificates per second through the background worker, on PostgreSQL.

One run, one database, the same certificates each time:
  * floor:      raw WeasyPrint (``HTML(...).write_pdf()`` of the whole batch as one
                document, in one process, no Anyam code around it);
  * 1 worker:   one ``flask worker`` process (rendering in-process) takes the job;
  * 1 worker, pool of 2: the same worker rendering chunks on 2 processes;
  * 2 workers:  two ``flask worker`` processes, each taking one of two trainings' jobs.
Each worker run is timed from the job being queued (workers already idle) to done, with
the CPU time of the worker processes and their children from that moment on (their
start-up not counted), and the load average.

    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres \\
        python benchmarks/scale.py [certificates per training]

A fresh database ``anyam_bench_<random>`` is made on that server and dropped at the end.
"""
from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's trainings

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

BASE = "https://anyam.example.org"


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def process_cpu(pid: int) -> float:
    """CPU seconds a live process has used so far, with its children that it has reaped."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime
    return ticks / os.sysconf("SC_CLK_TCK")


def fresh_database(server_url: str) -> tuple[str, callable]:
    url = make_url(server_url)
    name = f"anyam_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False), drop


def make_training(make, count: int, label: str):
    from trainings.attendance.models import AttendanceRecord
    from trainings.extensions import db
    organiser = make.user("organiser", email=f"org-{label}@example.org")
    training = make.training(organiser=organiser, sessions=2,
                             certificate_rule={"min_sessions": 2})
    for i in range(count):
        enrolment = make.enrolment(training, name=f"Peserta {label} {i:04d}",
                                   email=f"p{i}-{label}@example.org", commit=False)
        db.session.flush()
        for session in training.sessions:
            db.session.add(AttendanceRecord(session_id=session.id, enrolment_id=enrolment.id,
                                            status="present"))
    db.session.commit()
    return training, organiser


def floor(contexts) -> tuple[float, float]:
    """Raw WeasyPrint: the batch as one document, one process: (wall, CPU) seconds."""
    from weasyprint import CSS, HTML

    from trainings import pdf
    from trainings.certificates import render
    html = pdf.render_html(render.TEMPLATE, {"certificates": contexts})
    css = CSS(filename=str(pdf.PACKAGE / "static" / render.STYLESHEET))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu0 = usage.ru_utime + usage.ru_stime
    t0 = time.perf_counter()
    HTML(string=html, url_fetcher=pdf.fetcher()).write_pdf(stylesheets=[css])
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return time.perf_counter() - t0, usage.ru_utime + usage.ru_stime - cpu0


def start_workers(n: int, env: dict) -> list[subprocess.Popen]:
    workers = [subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "worker"],
                                cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True) for _ in range(n)]
    for worker in workers:  # idle and polling before the clock starts
        while "running" not in (worker.stdout.readline() or "running"):
            pass
    return workers


def stop(workers) -> None:
    for worker in workers:
        worker.terminate()
    for worker in workers:
        worker.communicate(timeout=60)


def run(app, trainings, *, workers: int, pool: int, env: dict, instance: Path) -> dict:
    from trainings import jobs
    from trainings.certificates import services
    from trainings.certificates.models import Certificate
    from trainings.extensions import db
    db.session.query(Certificate).delete()
    db.session.commit()
    shutil.rmtree(instance / "cache", ignore_errors=True)
    env = {**env, "ANYAM_CERTIFICATES_PDF_WORKERS": str(pool)}
    procs = start_workers(workers, env)
    # The workers' CPU is counted when they are reaped, start-up included: take away what
    # they had used (importing, building the app) before the clock starts.
    cpu0 = children_cpu() + sum(process_cpu(p.pid) for p in procs)
    t0 = time.perf_counter()
    queued = [services.start_issue_all(t, actor=o, base=BASE) for t, o in trainings]
    db.session.commit()
    ids = [j.id for j in queued]
    while True:
        db.session.expire_all()
        states = [jobs.get(i).state for i in ids]
        if all(s in ("done", "failed") for s in states):
            break
        time.sleep(0.05)
    wall = time.perf_counter() - t0
    load = os.getloadavg()[0]
    stop(procs)
    cpu = children_cpu() - cpu0
    assert states == ["done"] * len(ids), [jobs.get(i).error for i in ids]
    made = db.session.query(Certificate).count()
    return {"certificates": made, "wall": wall, "cpu": cpu, "load": load}


def main(count: int = 200) -> None:
    os.environ.setdefault("ANYAM_SECRET_KEY", "benchmark-only-key-0123456789")
    server = os.environ.get("BENCH_DATABASE_URL",
                            "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    url, drop = fresh_database(server)
    instance = Path(tempfile.mkdtemp(prefix="anyam-scale-"))
    try:
        from flask_migrate import upgrade

        from trainings import create_app
        from trainings.extensions import db
        sys.path.insert(0, str(ROOT / "tests"))
        import factories as make
        app = create_app({"TESTING": True, "SECRET_KEY": "benchmark-only-key-0123456789",
                          "SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": str(instance),
                          "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1", "JOBS_MODE": "worker"})
        env = {k: v for k, v in os.environ.items() if not k.startswith("ANYAM_")}
        env.update({"ANYAM_SECRET_KEY": "benchmark-only-key-0123456789",
                    "ANYAM_SQLALCHEMY_DATABASE_URI": url, "ANYAM_INSTANCE_PATH": str(instance),
                    "ANYAM_WORKER_POLL": "0.05", "PYTHONPATH": str(ROOT)})
        with app.app_context():
            upgrade()
            first = make_training(make, count, "a")
            second = make_training(make, count, "b")
            from trainings.certificates import services
            certificates = services.issue_all(first[0], actor=first[1], base=BASE)
            db.session.commit()
            contexts = services.contexts_for(certificates, BASE)
            load0 = os.getloadavg()[0]
            floor_s, floor_cpu = floor(contexts)
            print(f"PostgreSQL, {count} certificates per training, {os.cpu_count()} CPUs, "
                  f"load average {load0:.2f} at the start")
            print(f"  floor (raw WeasyPrint, one document, 1 process): "
                  f"{count / floor_s:6.1f} certificates/s  ({floor_s:.2f} s wall, {floor_cpu:.2f} s CPU)")
            rows = [("1 worker", 1, 1, [first]), ("1 worker, pool of 2", 1, 2, [first]),
                    ("2 workers (2 trainings)", 2, 1, [first, second])]
            for label, workers, pool, trainings in rows:
                result = run(app, trainings, workers=workers, pool=pool, env=env,
                             instance=instance)
                rate = result["certificates"] / result["wall"]
                # CPU per certificate against the floor's: the figure that load does not move
                cpu_ratio = (result["cpu"] / result["certificates"]) / (floor_cpu / count)
                print(f"  {label:<24} {rate:6.1f} certificates/s  ({result['certificates']} in "
                      f"{result['wall']:.2f} s wall, {result['cpu']:.2f} s CPU, "
                      f"load {result['load']:.2f}; {rate / (count / floor_s):.2f}x the floor's "
                      f"rate, {cpu_ratio:.2f}x its CPU per certificate)")
            db.session.remove()
            db.engine.dispose()
    finally:
        drop()
        shutil.rmtree(instance, ignore_errors=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
