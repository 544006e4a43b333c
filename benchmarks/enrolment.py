"""Enrolment figures: seat allocation cost per enrolment, and a 2000-row import.

Baseline measured in the same run: plain inserts of the same enrolments without
allocation (no lock, no counting, no account). Prints figures and ratios.
    PYTHONPATH=. python benchmarks/enrolment.py
"""
from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

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
        base = training(N // 2)
        start = time.perf_counter()
        for n in range(N):
            clean = services.clean_enrolment_data(payload(n))
            db.session.add(Enrolment(training_id=base.id, status="accepted", **clean))
            db.session.commit()
        baseline = (time.perf_counter() - start) / N

        t = training(N // 2)
        start = time.perf_counter()
        for n in range(N):
            services.enrol(t, payload(n))
            db.session.commit()
        allocated = (time.perf_counter() - start) / N
        print(f"enrol one (validate, lock, count, insert, account, mail; commit): "
              f"{allocated * 1000:.2f} ms; baseline plain insert {baseline * 1000:.2f} ms; "
              f"ratio {allocated / baseline:.1f}x")

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
        print(f"import {ROWS} rows: read+preview {preview_s * 1000:.0f} ms "
              f"({len(checked.new)} new); apply {import_s * 1000:.0f} ms "
              f"({result['accepted']} accepted, {result['waitlisted']} waitlisted); "
              f"{import_s / ROWS * 1000:.2f} ms per row vs {baseline * 1000:.2f} ms per "
              f"single committed insert")


if __name__ == "__main__":
    main()
