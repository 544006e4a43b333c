"""Bulk certificates, end to end, against raw WeasyPrint in the same process tree.

For each size (30, 300, 1000 by default) and each round, two runs, interleaved (A B, B A, ...),
each in a fresh *spawned* process (a new interpreter: it inherits nothing this script built,
so its CPU and peak memory are its own):

  ours  a process as ``flask --app wsgi worker`` runs it: it makes the app, starts its
        rendering processes (``render.start_pool``: 2 spawned processes, each warmed with
        one sample certificate; the worker command does this once when it starts, so it is
        timed on its own row, not in the job), then the clock runs over what the organiser
        waits for: the "issue all" job (issue, claims, contexts, QR codes, chunks of 10
        laid out as one document each, written once, split with pikepdf, each PDF stored in
        the cache by the rendering process) and then the ZIP download
        (``services.training_zip``: cached PDFs a slice at a time into a spooled file), on
        a training with that many eligible participants; nothing was cached before;
  raw   the floor: the same certificates' HTML (QR codes included, built before the clock
        starts) as ONE document with plain ``HTML(string).write_pdf()`` (same stylesheet,
        same PDF/UA variant, the project's fetcher) in one process, warmed the same way as
        our rendering processes (one certificate rendered before the clock), nothing else.

Printed: medians of the rounds of wall ms and CPU ms per certificate (ours: the job process
and its rendering processes during the job, read from /proc; raw: the process), the ratios
ours/raw, the peak resident memory (VmHWM / ru_maxrss) of the largest process of each, the
one-off start of the rendering processes, and the load average. Goals: CPU ratio ≤ 0.8 at
every size (holds under load), wall ratio ≤ 0.8 with two cores free, peak ≤ 110 MB per
process and flat.

    python benchmarks/certificates.py [--sizes 30,300,1000] [--repeat 3] [--large-repeat 1]
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import sys
import time
from pathlib import Path

from common import Run, bench_app, emit, header, interleave, load, median, median_extra

BASE = "https://anyam.example.org"
NAMES = ["Siti Rahmawati", "Ni Luh Putu Ayu Lestari", "Nur Aisyah binti Abdullah",
         "Ayesha Siddiqui", "عائشہ صدیقی", "Tan Mei Ling", "Kavitha Ramasamy"]


def build(size: int, tag: str):
    """A training with ``size`` participants who attended 7 of 7 sessions (not timed)."""
    from tests import factories
    from trainings.attendance.models import AttendanceRecord
    from trainings.auth.models import User
    from trainings.certificates.demo import load_demo_certificates
    from trainings.enrolment.models import Enrolment
    from trainings.extensions import db
    organiser = User(email=f"org-{tag}@example.org", name="Organiser", role="organiser")
    db.session.add(organiser)
    training = factories.training(organiser=organiser, sessions=7,
                                  certificate_rule={"min_sessions": 6},
                                  title_en=f"Benchmark {tag}", title_id=f"Tolok ukur {tag}")
    load_demo_certificates(training)
    rows = [Enrolment(training_id=training.id, name=f"{NAMES[i % len(NAMES)]} {i}",
                      email=f"p-{tag}-{i}@example.org", country_code="ID", status="accepted")
            for i in range(size)]
    db.session.add_all(rows)
    db.session.flush()
    db.session.add_all(AttendanceRecord(session_id=s.id, enrolment_id=e.id, status="present")
                       for e in rows for s in training.sessions)
    db.session.commit()
    return training.id, organiser.id


TICK = os.sysconf("SC_CLK_TCK")


def _cpu_self() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _cpu_of(pid: int) -> float:
    """CPU seconds (user + system) of a live process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def _peak_kb(pid: int) -> int:
    """Peak resident memory (VmHWM) of a live process (not ru_maxrss: a spawned process
    would report its parent's, which it held for an instant between vfork and exec)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def _ours_child(settings: dict, training_id: int, organiser_id: int, conn) -> None:
    from trainings import create_app, jobs
    from trainings.auth.models import User
    from trainings.certificates import render, services
    from trainings.extensions import db
    from trainings.scheduling.models import Training
    app = create_app(settings)
    with app.app_context():
        start_kb = _peak_kb(os.getpid())  # the app, before work
        t0, c0 = time.perf_counter(), _cpu_self()
        pids = render.start_pool()  # as `flask worker` does when it starts
        assert len(pids) == 2, pids
        ready = {pid: _cpu_of(pid) for pid in pids}
        pool_wall, pool_cpu = time.perf_counter() - t0, _cpu_self() - c0 + sum(ready.values())
        start, cpu0 = time.perf_counter(), _cpu_self()
        training, organiser = db.session.get(Training, training_id), db.session.get(User, organiser_id)
        job = services.start_issue_all(training, actor=organiser, base=BASE)
        db.session.commit()
        jobs.run(job.id)
        job_done = time.perf_counter()
        training = db.session.get(Training, training_id)
        archive = services.training_zip(training, BASE)
        size = archive.seek(0, 2)
        archive.close()
        end = time.perf_counter()
        assert render.POOL.pids() == pids, "the rendering processes changed during the job"
        workers_cpu = sum(_cpu_of(pid) - ready[pid] for pid in pids)
        workers_kb = max(_peak_kb(pid) for pid in pids)
        job_cpu = _cpu_self() - cpu0
        cpu = job_cpu + workers_cpu
        issued = db.session.get(jobs.Job, job.id)
        assert issued.state == "done", issued.error
        self_kb = _peak_kb(os.getpid())
        render.POOL.close()
        conn.send({"wall": end - start, "cpu": cpu, "peak_kb": max(self_kb, workers_kb),
                   "self_kb": self_kb, "workers_kb": workers_kb, "start_kb": start_kb,
                   "job": job_done - start, "zip": end - job_done,
                   "count": issued.result["issued"], "zip_bytes": size,
                   "pool_wall": pool_wall, "pool_cpu": pool_cpu, "job_cpu": job_cpu,
                   "workers_cpu": workers_cpu,
                   "weasyprint_in_job": "weasyprint" in sys.modules})
    conn.close()


def _raw_child(html_path: str, warm_path: str, css_path: str, settings: dict, conn) -> None:
    from weasyprint import CSS, HTML

    from trainings import create_app, pdf
    app = create_app(settings)  # for the project's fetcher (its asset roots)
    with app.app_context():
        fetcher, base_url = pdf.fetcher(), pdf.asset_url("")
        HTML(string=Path(warm_path).read_text(), base_url=base_url, url_fetcher=fetcher).write_pdf(
            stylesheets=[CSS(filename=css_path)], pdf_variant=pdf.PDF_VARIANT)  # warm, not timed
        html = Path(html_path).read_text()
        start, cpu0 = time.perf_counter(), _cpu_self()
        data = HTML(string=html, base_url=base_url, url_fetcher=fetcher).write_pdf(
            stylesheets=[CSS(filename=css_path)], pdf_variant=pdf.PDF_VARIANT)
        end = time.perf_counter()
        cpu = _cpu_self() - cpu0
    peak_kb = _peak_kb(os.getpid())
    conn.send({"wall": end - start, "cpu": cpu, "peak_kb": peak_kb, "bytes": len(data)})
    conn.close()


def _in_child(target, *args) -> Run:
    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe()
    process = ctx.Process(target=target, args=(*args, child))
    process.start()
    child.close()
    try:
        result = parent.recv()
    except EOFError:
        result = None
    process.join()
    if process.exitcode or result is None:
        raise RuntimeError(f"{target.__name__} failed ({process.exitcode})")
    return Run(wall=result["wall"], cpu=result["cpu"], load=load(), extra=result)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="30,300,1000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--large-repeat", type=int, default=None,
                        help="rounds for N >= 1000 (default: --repeat)")
    args = parser.parse_args()
    from trainings import pdf
    from trainings.certificates import render, services
    from trainings.extensions import db
    app = bench_app(CERTIFICATES_PDF_WORKERS=2)
    # What a fresh process needs to make the same app (as bench_app made it).
    settings = {key: app.config[key] for key in (
        "TESTING", "SECRET_KEY", "RATELIMIT_ENABLED", "SQLALCHEMY_DATABASE_URI",
        "CERTIFICATES_PDF_WORKERS")}
    settings["INSTANCE_PATH"] = app.instance_path
    header("certificates: end to end (job + ZIP) against one raw WeasyPrint document")
    with app.app_context():
        if not pdf.has_harfbuzz_subset():
            print("WARNING: no HarfBuzz subsetting (fontTools fallback): figures are meaningless")
        css_path = str(pdf.PACKAGE / "static" / render.STYLESHEET)
        for size in [int(s) for s in args.sizes.split(",")]:
            # The floor's certificates: issued once (not timed), the same shape as ours.
            raw_training, raw_organiser = build(size, f"raw-{size}")
            from trainings.auth.models import User
            from trainings.scheduling.models import Training
            certificates = services.issue_all(db.session.get(Training, raw_training),
                                              actor=db.session.get(User, raw_organiser), base=BASE)
            db.session.commit()
            contexts = [render.with_qr(c) for c in services.contexts_for(certificates, BASE)]
            html_path = Path(app.instance_path) / f"raw-{size}.html"
            warm_path = Path(app.instance_path) / f"raw-{size}-warm.html"
            html_path.write_text(pdf.render_html(render.TEMPLATE, {"certificates": contexts}))
            warm_path.write_text(pdf.render_html(render.TEMPLATE, {"certificates": contexts[:1]}))
            del contexts, certificates
            rounds = args.repeat if size < 1000 or not args.large_repeat else args.large_repeat
            trainings = iter([build(size, f"ours-{size}-{i}") for i in range(rounds)])
            db.session.remove()
            db.engine.dispose()
            runs = interleave({
                "ours": lambda trainings=trainings: _in_child(_ours_child, settings,
                                                              *next(trainings)),
                "raw": lambda html_path=html_path, warm_path=warm_path: _in_child(
                    _raw_child, str(html_path), str(warm_path), css_path, settings),
            }, rounds)
            ours, raw = runs["ours"], runs["raw"]
            assert all(r.extra["count"] == size for r in ours)
            per = 1000 / size
            loads = [r.load for r in ours + raw]
            load_note = f"load {min(loads):.1f}-{max(loads):.1f}"
            emit("certificates", f"N={size} wall per certificate", value=median(ours) * per,
                 unit="ms", baseline=median(raw) * per, baseline_name="raw one document",
                 cpu=median(ours, "cpu") * per, cpu_baseline=median(raw, "cpu") * per,
                 load_avg=max(loads), runs=len(ours),
                 note=f"{load_note} / cpu: job process "
                      f"{median_extra(ours, 'job_cpu') * per:.1f}, rendering processes "
                      f"{median_extra(ours, 'workers_cpu') * per:.1f}",
                 goal="goal cpu ratio <= 0.8")
            emit("certificates", f"N={size} peak memory, largest process",
                 value=median_extra(ours, "peak_kb") / 1024, unit="MB",
                 baseline=median_extra(raw, "peak_kb") / 1024, baseline_name="raw one document",
                 load_avg=max(loads), runs=len(ours), goal="goal <= 110 MB, flat",
                 note=f"job process {median_extra(ours, 'self_kb') / 1024:.0f} MB "
                      f"(app at start {median_extra(ours, 'start_kb') / 1024:.0f} MB), "
                      f"rendering process {median_extra(ours, 'workers_kb') / 1024:.0f} MB")
            emit("certificates", f"N={size} worker start: renderers, locales",
                 value=median_extra(ours, "pool_wall") * 1000, unit="ms",
                 cpu=median_extra(ours, "pool_cpu") * 1000, load_avg=max(loads),
                 runs=len(ours), note="render.start_pool: 2 spawned renderers warmed, locale "
                                      "data; once per `flask worker` life, "
                                      "not in the figures above")
            emit("certificates", f"N={size} of which the ZIP download",
                 value=median_extra(ours, "zip") * per, unit="ms", load_avg=max(loads),
                 runs=len(ours), note="included in the wall figure above")


if __name__ == "__main__":
    main()
