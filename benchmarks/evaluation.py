"""Server time of the evaluation area for a large cohort (1000 participants by default).

Prints, from one run on a fresh SQLite file (or BENCH_DATABASE_URL): the time to store
one response (median of all), a survey's results, the training's knowledge gain and
satisfaction, and the donor report (data, XLSX, PDF), each with its number of queries.

    PYTHONPATH=. python benchmarks/evaluation.py [participants]
"""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's trainings

from sqlalchemy import event  # noqa: E402


def main(participants: int = 1000) -> None:
    from flask_migrate import upgrade

    from tests import factories
    from trainings import create_app
    from trainings.attendance.models import AttendanceRecord
    from trainings.evaluation import services
    from trainings.exports import xlsx_bytes
    from trainings.extensions import db
    folder = tempfile.mkdtemp()
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{folder}/bench.sqlite"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x" * 20,
                      "INSTANCE_PATH": folder})
    with app.app_context():
        upgrade()
        organiser = factories.user("organiser")
        training = factories.training(organiser=organiser, sessions=7)
        people = []
        for i in range(participants):
            people.append(factories.enrolment(training, country=("ID", "MY", "PK")[i % 3],
                                              commit=False))
        db.session.commit()
        for i, person in enumerate(people):
            services.set_demographics(person, {"demographics_consent": True,
                                               "gender": ("woman", "man")[i % 7 == 0],
                                               "washington_group": {"seeing": "no_difficulty"}},
                                      actor=None)
            for session in training.sessions[: 5 + i % 3]:
                db.session.add(AttendanceRecord(session_id=session.id, enrolment_id=person.id,
                                                status="present"))
        db.session.commit()
        from tests.evaluation_helpers import feedback_data, make_test_data
        feedback = services.create_survey(training, feedback_data(), actor=organiser)
        pre = services.create_survey(training, make_test_data("pre_test"), actor=organiser)
        post = services.create_survey(training, make_test_data("post_test"), actor=organiser)
        db.session.commit()
        timings = []
        for i, person in enumerate(people):
            start = time.perf_counter()
            services.submit_response(feedback, person, {"q1": 1 + i % 5, "q2": [i % 3]}, actor=None)
            db.session.commit()
            timings.append(time.perf_counter() - start)
            services.submit_response(pre, person, {"k1": i % 3, "k2": [0]}, actor=None)
            services.submit_response(post, person, {"k1": 1, "k2": [0, 2]}, actor=None)
            if i % 2:
                services.add_commitments(person, [{"text": "x", "due": "2024-03-01"}], actor=None)
        db.session.commit()
        print(f"{participants} participants, 3 surveys answered by everyone")
        print(f"submit one response (+commit): median {statistics.median(timings) * 1000:.1f} ms")

        def measure(label, fn):
            db.session.expire_all()
            count = [0]

            def before(*_args):
                count[0] += 1
            event.listen(db.engine, "before_cursor_execute", before)
            start = time.perf_counter()
            result = fn()
            elapsed = time.perf_counter() - start
            event.remove(db.engine, "before_cursor_execute", before)
            print(f"{label}: {elapsed * 1000:.0f} ms, {count[0]} queries")
            return result

        measure("survey results", lambda: services.results(feedback))
        measure("knowledge gain and satisfaction", lambda: services.evaluation(training))
        report = measure("donor report (data)", lambda: services.build_report(training))
        measure("donor report (XLSX)", lambda: xlsx_bytes(*services.report_table(report, "en")))
        measure("donor report (PDF)", lambda: services.report_pdf(report))
        measure("donor report (PDF, again)", lambda: services.report_pdf(report))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
