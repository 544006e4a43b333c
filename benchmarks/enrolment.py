"""Enrolment figures: seat allocation cost per enrolment, and a 2000-row import.

Baseline measured in the same run: plain inserts of the same enrolments without
allocation (no lock, no counting, no account). Interleaved rounds (plain, allocated,
allocated, plain, ...) of N/ROUNDS enrolments each; medians per enrolment, wall and CPU.
    PYTHONPATH=. python benchmarks/enrolment.py
"""
from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import emit, interleave, measure, median  # noqa: E402
from common import header as head  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from trainings import create_app  # noqa: E402
from trainings.enrolment import imports, services  # noqa: E402
from trainings.enrolment.models import Enrolment  # noqa: E402
from trainings.extensions import db  # noqa: E402
from trainings.scheduling.models import Training, TrainingCountryQuota  # noqa: E402

N = int(os.environ.get("BENCH_N", "300"))
ROWS = int(os.environ.get("BENCH_ROWS", "2000"))
COUNTRIES = ["ID", "MY", "PK", "PH", "TH"]


def payload(n):
    return {"name": f"Person {n}", "email": f"p{n}@example.org", "country": COUNTRIES[n % 5],
            "sector": "activist", "timezone": "Asia/Jakarta", "language": "en"}


def training(capacity):
    t = Training(title_en="Bench", title_id="Bench", capacity=capacity)
    for code in COUNTRIES[:3]:
        t.quotas.append(TrainingCountryQuota(country_code=code, places=capacity // 4))
    db.session.add(t)
    db.session.commit()
    return t


def main():
    folder = tempfile.mkdtemp()
    app = create_app({"TESTING": True, "SECRET_KEY": "bench-secret-key-0123456789",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite",
                      "INSTANCE_PATH": folder, "SERVER_NAME": None})
    with app.app_context():
        upgrade()
        base, t = training(N), training(N // 2)
        counter = iter(range(10**9))
        rounds = 5
        per_round = max(1, N // rounds)

        def plain():
            for _ in range(per_round):
                clean = services.clean_enrolment_data(payload(next(counter)))
                db.session.add(Enrolment(training_id=base.id, status="accepted", **clean))
                db.session.commit()

        def allocated():
            for _ in range(per_round):
                services.enrol(t, payload(next(counter)))
                db.session.commit()

        runs = interleave({"plain": lambda: measure(plain), "enrol": lambda: measure(allocated)},
                          rounds)
        head(f"enrolment: {N} enrolments in {rounds} interleaved rounds, {ROWS}-row import")
        baseline = median(runs["plain"]) / per_round
        emit("enrolment", "enrol one (validate, lock, count, account)",
             value=1000 * median(runs["enrol"]) / per_round, unit="ms",
             baseline=1000 * baseline, baseline_name="plain committed insert",
             cpu=1000 * median(runs["enrol"], "cpu") / per_round,
             cpu_baseline=1000 * median(runs["plain"], "cpu") / per_round,
             load_avg=max(r.load for r in runs["enrol"]), runs=rounds)

        header = "name,email,country,organisation,sector,timezone,language\n"
        data = (header + "".join(f"Person {n},q{n}@example.org,{COUNTRIES[n % 5]},Org {n},"
                                 f"activist,Asia/Jakarta,en\n" for n in range(ROWS))).encode()
        t2 = training(ROWS // 2)
        start = time.perf_counter()
        rows = imports.read_table(data)
        checked = imports.preview(t2, rows)
        preview_s = time.perf_counter() - start
        start = time.perf_counter()
        result = imports.import_rows(t2, rows)
        db.session.commit()
        import_s = time.perf_counter() - start
        emit("enrolment", f"import {ROWS} rows: apply, per row", value=import_s / ROWS * 1000,
             unit="ms", baseline=1000 * baseline, baseline_name="plain committed insert",
             runs=1, note=f"read+preview {preview_s * 1000:.0f} ms ({len(checked.new)} new); "
                          f"{result['accepted']} accepted, {result['waitlisted']} waitlisted")


if __name__ == "__main__":
    main()
