"""Bulk certificates: end-to-end time per certificate against raw WeasyPrint, and memory.

For each size (30 and 1000 by default) it builds a training with that many eligible
participants in a fresh SQLite database, then measures in the same run:

  ours  data (issue + claims → contexts) + render (chunks of ≤ 25 pages as one document each,
        split with document.copy, on a pool of 2 processes) + ZIP (stored), no cache;
  raw   the same HTML (every certificate in one document) rendered by plain
        ``HTML(string).write_pdf()`` in one process (a fresh forked child, so its memory is
        measured on its own).

The goal is ours / raw ≤ 0.8. Peak memory is the maximum resident set size.

    python benchmarks/certificates.py [--sizes 30,1000]
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _mb(kb: int) -> float:
    return kb / 1024


def build(app, size: int):
    from tests import factories
    from trainings.attendance.models import AttendanceRecord
    from trainings.auth.models import User
    from trainings.certificates.demo import load_demo_certificates
    from trainings.enrolment.models import Enrolment
    from trainings.extensions import db
    organiser = User(email=f"org{size}@example.org", name="Organiser", role="organiser")
    db.session.add(organiser)
    training = factories.training(organiser=organiser, sessions=7, certificate_rule={"min_sessions": 6},
                                  title_en=f"Benchmark {size}", title_id=f"Tolok ukur {size}")
    load_demo_certificates(training)
    names = ["Siti Rahmawati", "Ni Luh Putu Ayu Lestari", "Nur Aisyah binti Abdullah",
             "Ayesha Siddiqui", "عائشہ صدیقی", "Tan Mei Ling", "Kavitha Ramasamy"]
    rows = []
    for i in range(size):
        rows.append(Enrolment(training_id=training.id, name=f"{names[i % len(names)]} {i}",
                              email=f"p{size}-{i}@example.org", country_code="ID",
                              status="accepted"))
    db.session.add_all(rows)
    db.session.flush()
    db.session.add_all(AttendanceRecord(session_id=s.id, enrolment_id=e.id, status="present")
                       for e in rows for s in training.sessions)
    db.session.commit()
    return training, organiser


def cpu_seconds() -> float:
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def ours(app, training, organiser) -> tuple[float, dict, list]:
    from trainings.certificates import render, services
    from trainings.extensions import db
    t0 = time.perf_counter()
    certificates = services.issue_all(training, actor=organiser, base="https://anyam.example.org")
    db.session.commit()
    contexts = services.contexts_for(certificates, "https://anyam.example.org")
    t1 = time.perf_counter()
    pdfs = render.render_many(contexts, workers=2, use_cache=False)
    t2 = time.perf_counter()
    archive = services.zip_bytes(list(zip(certificates, pdfs, strict=True)))
    t3 = time.perf_counter()
    assert len(pdfs) == len(certificates) and archive
    return t3 - t0, {"data": t1 - t0, "render": t2 - t1, "zip": t3 - t2}, contexts


def _raw_child(html: str, css_path: str, conn) -> None:
    from weasyprint import CSS, HTML

    from trainings import pdf
    t0 = time.perf_counter()
    data = HTML(string=html, url_fetcher=pdf.fetcher()).write_pdf(
        stylesheets=[CSS(filename=css_path)])
    elapsed = time.perf_counter() - t0
    usage = resource.getrusage(resource.RUSAGE_SELF)
    conn.send((elapsed, len(data), usage.ru_maxrss, usage.ru_utime + usage.ru_stime))
    conn.close()


def raw(app, contexts) -> tuple[float, int]:
    from trainings import pdf
    from trainings.certificates import render
    html = pdf.render_html(render.TEMPLATE, {"certificates": [render.with_qr(c) for c in contexts]})
    css_path = str(pdf.PACKAGE / "static" / render.STYLESHEET)
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe()
    process = ctx.Process(target=_raw_child, args=(html, css_path, child))
    process.start()
    elapsed, _size, rss, cpu = parent.recv()
    process.join()
    return elapsed, rss, cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="30,1000")
    args = parser.parse_args()
    os.environ.setdefault("ANYAM_SECRET_KEY", "benchmark-only-key-0123456789")
    instance = tempfile.mkdtemp(prefix="anyam-bench-")
    from flask_migrate import upgrade

    from trainings import create_app, pdf
    from trainings.extensions import db
    app = create_app({"TESTING": True, "SECRET_KEY": "benchmark-only-key-0123456789",
                      "INSTANCE_PATH": instance,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance}/bench.sqlite"})
    with app.app_context():
        upgrade()
        print(f"HarfBuzz subsetting: {'yes' if pdf.has_harfbuzz_subset() else 'NO (fontTools fallback!)'}")
        print(f"{'n':>6} {'ours ms/cert':>13} {'raw ms/cert':>12} {'ratio':>6} "
              f"{'data':>6} {'render':>7} {'zip':>5} {'cpu ours':>9} {'cpu raw':>8} "
              f"{'peak MB ours':>13} {'peak MB raw':>12}")
        for size in [int(s) for s in args.sizes.split(",")]:
            training, organiser = build(app, size)
            before_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            cpu_before = cpu_seconds()
            total, parts, contexts = ours(app, training, organiser)
            cpu_ours = cpu_seconds() - cpu_before
            peak_ours = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before_children)
            raw_time, raw_rss, cpu_raw = raw(app, contexts)
            per, raw_per = 1000 * total / size, 1000 * raw_time / size
            print(f"{size:>6} {per:>13.1f} {raw_per:>12.1f} {per / raw_per:>6.2f} "
                  f"{1000 * parts['data'] / size:>6.1f} {1000 * parts['render'] / size:>7.1f} "
                  f"{1000 * parts['zip'] / size:>5.2f} {1000 * cpu_ours / size:>9.1f} "
                  f"{1000 * cpu_raw / size:>8.1f} {_mb(peak_ours):>13.0f} {_mb(raw_rss):>12.0f}",
                  flush=True)
        db.session.remove()
    print("ms/cert: end to end (data, render, split, ZIP) against one WeasyPrint document in "
          "one process; goal: ratio ≤ 0.8. Peak MB: max resident set (ours: the larger of the "
          "main process and a pool worker). cpu: CPU ms per certificate (all processes): with both cores "
          "free, ours takes about cpu/2 of wall time; on a loaded machine the ratio shows the load.")
    print(f"load average now: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
