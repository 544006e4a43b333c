"""Server time of the programme dashboard: 20 trainings x 100 people (2000 enrolments).

Prints, from one run on one database (SQLite file unless BENCH_DATABASE_URL is set):
  * bare:      a trivial Flask route through the same test client (the floor of a request);
  * baseline:  bare queries of the same rows (enrolments, held sessions, attendance,
               certificates) read into Python, no aggregation;
  * dashboard: ``overview.dashboard.programme_dashboard()`` (the API's answer);
  * api:       ``GET /api/v1/programmes/{id}/dashboard`` through the test client;
  * page:      the dashboard page with its charts and tables through the test client;
  * cached:    the same two once the figures are cached (a manager reloading within a minute).
Medians of interleaved rounds, wall time beside process CPU time, queries per call.

    PYTHONPATH=. python benchmarks/programme_dashboard.py [trainings] [people] [sessions]
"""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's trainings

from sqlalchemy import event, insert, select  # noqa: E402


def main(trainings=20, people=100, sessions=6):
    from flask import g

    from trainings import create_app
    from trainings.attendance.models import AttendanceRecord
    from trainings.auth.models import User
    from trainings.auth.services import issue_token
    from trainings.certificates.models import Certificate
    from trainings.enrolment.models import Enrolment
    from trainings.extensions import db
    from trainings.overview import dashboard as dashboards
    from trainings.overview.dashboard import programme_dashboard
    from trainings.programmes.models import Programme
    from trainings.scheduling.models import Training, TrainingSession, TrainingStaff

    folder = tempfile.mkdtemp(prefix="anyam-bench-")
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{folder}/bench.sqlite"
    app = create_app({"TESTING": True, "SECRET_KEY": "bench-key-0123456789",
                      "SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": False, "INSTANCE_PATH": folder,
                      "DASHBOARD_CACHE_SECONDS": 0})

    @app.get("/bench-bare")
    def bare():
        return "ok"

    with app.app_context():
        db.drop_all()
        db.create_all()
        organiser = User(email="bench@example.org", name="Bench", role="organiser")
        organiser.set_password("bench-password-123")
        db.session.add(organiser)
        db.session.flush()
        for n in range(people):  # the same people take many trainings: one account each
            db.session.add(User(email=f"p{n}@example.org", name=f"Peserta {n}", role="participant"))
        db.session.flush()
        accounts = dict(db.session.execute(select(User.email, User.id)).all())
        programme = Programme(title_en="Bench programme", title_id="Program")
        programme.managers.append(organiser)
        start = datetime(2023, 12, 5, 7, tzinfo=UTC)
        made = []
        for t in range(trainings):
            training = Training(title_en=f"Training {t}", title_id=f"Pelatihan {t}",
                                certificate_rule={"min_sessions": sessions - 1})
            training.staff.append(TrainingStaff(user=organiser, role="organiser"))
            for i in range(sessions):
                training.sessions.append(TrainingSession(
                    title_en=f"S{i}", title_id=f"S{i}", starts_at=start + timedelta(days=i),
                    duration_minutes=120))
            programme.trainings.append(training)
            made.append(training)
        db.session.add(programme)
        db.session.commit()
        # people overlap: training t takes people t*5 .. t*5+people-1 of a pool of 2x people
        pool = 2 * people
        for n in range(people, pool):
            db.session.add(User(email=f"p{n}@example.org", name=f"Peserta {n}", role="participant"))
        db.session.commit()
        accounts = dict(db.session.execute(select(User.email, User.id)).all())
        rows = []
        for t, training in enumerate(made):
            for k in range(people):
                n = (t * 5 + k) % pool
                email = f"p{n}@example.org"
                rows.append({"training_id": training.id, "user_id": accounts[email],
                             "name": f"Peserta {n}", "email": email,
                             "country_code": ("ID", "MY", "PK", "BR")[n % 4],
                             "organisation": f"Organisasi {n % 15}", "sector": "activist",
                             "status": "accepted", "search_key": f"peserta {n} {email}"})
        db.session.execute(insert(Enrolment), rows)
        enrolments = db.session.execute(select(Enrolment.id, Enrolment.training_id)).all()
        sessions_of = {t.id: [s.id for s in t.sessions] for t in made}
        db.session.execute(insert(AttendanceRecord), [
            {"session_id": sid, "enrolment_id": eid, "status": ("present", "late", "absent")[
                (eid + sid) % 3 if (eid % 4) else 0], "note": "", "updated_at": start}
            for eid, tid in enrolments for sid in sessions_of[tid]])
        db.session.execute(insert(Certificate), [
            {"code": f"BENCH{eid:06d}", "training_id": tid, "enrolment_id": eid, "name": "x",
             "sessions_attended": sessions, "sessions_held": sessions, "claims": {},
             "issued_at": start} for eid, tid in enrolments if eid % 4 == 0])
        token = issue_token(organiser, "bench")
        db.session.commit()
        programme_id = programme.id
        records = len(enrolments) * sessions

        queries = {"n": 0}
        event.listen(db.engine, "before_cursor_execute",
                     lambda *a, **k: queries.__setitem__("n", queries["n"] + 1))
        ids = [t.id for t in made]

        def baseline():
            db.session.expire_all()
            list(db.session.execute(select(Enrolment.id, Enrolment.training_id, Enrolment.email,
                                           Enrolment.country_code, Enrolment.organisation,
                                           Enrolment.sector, Enrolment.status)
                                    .where(Enrolment.training_id.in_(ids))))
            list(db.session.execute(select(TrainingSession.id, TrainingSession.training_id)
                                    .where(TrainingSession.training_id.in_(ids))))
            list(db.session.execute(select(AttendanceRecord.enrolment_id,
                                           AttendanceRecord.session_id, AttendanceRecord.status)
                                    .join(TrainingSession,
                                          TrainingSession.id == AttendanceRecord.session_id)
                                    .where(TrainingSession.training_id.in_(ids))))
            list(db.session.scalars(select(Certificate.enrolment_id)
                                    .where(Certificate.training_id.in_(ids))))

        def dashboard():
            db.session.expire_all()
            programme_dashboard(db.session.get(Programme, programme_id))

        client = app.test_client()
        headers = {"Authorization": f"Bearer {token}"}

        def fresh():
            for key in ("_flask_babel", "_login_user", "_policy_ties"):
                g.pop(key, None)

        def request(path, **kwargs):
            def run():
                fresh()
                response = client.get(path, **kwargs)
                assert response.status_code == 200, (path, response.status_code)
            return run

        client.post("/login", data={"email": "bench@example.org", "password": "bench-password-123"})

        def cached(run):
            def with_cache():
                app.config["DASHBOARD_CACHE_SECONDS"] = 60
                try:
                    run()
                finally:
                    app.config["DASHBOARD_CACHE_SECONDS"] = 0
            return with_cache
        variants = [("bare: trivial Flask route (test client)", request("/bench-bare")),
                    ("baseline: bare queries of the same rows", baseline),
                    ("dashboard: programme_dashboard()", dashboard),
                    ("api: GET .../dashboard (test client)",
                     request(f"/api/v1/programmes/{programme_id}/dashboard", headers=headers)),
                    ("page: /programmes/<id> (test client)", request(f"/programmes/{programme_id}")),
                    ("api, figures cached (repeat view)", cached(request(
                        f"/api/v1/programmes/{programme_id}/dashboard", headers=headers))),
                    ("page, figures cached (repeat view)",
                     cached(request(f"/programmes/{programme_id}")))]
        wall = {label: [] for label, _fn in variants}
        cpu = {label: [] for label, _fn in variants}
        counts = {}
        for label, fn in variants:
            fn()  # warm up
            queries["n"] = 0
            fn()
            counts[label] = queries["n"]
        for _round in range(int(os.environ.get("BENCH_ROUNDS", "15"))):
            for label, fn in variants:  # interleaved: load on the machine hits all alike
                c0, w0 = time.process_time(), time.perf_counter()
                fn()
                wall[label].append((time.perf_counter() - w0) * 1000)
                cpu[label].append((time.process_time() - c0) * 1000)
        base = statistics.median(wall[variants[1][0]])
        print(f"programme dashboard: {trainings} trainings x {people} people "
              f"({len(enrolments)} enrolments, {pool} people, {records} attendance records), "
              f"{db.engine.dialect.name}, load average {os.getloadavg()[0]:.2f}")
        print(f"  {'':<44} {'wall':>9} {'cpu':>9} {'vs baseline':>11} {'queries':>8}")
        for label, _fn in variants:
            w, c = statistics.median(wall[label]), statistics.median(cpu[label])
            print(f"  {label:<44} {w:6.1f} ms {c:6.1f} ms {w / base:10.2f}x {counts[label]:8d}")
        print("  (medians of interleaved rounds; GC on; the test client runs in this process;\n"
              "   'vs baseline' is wall time against the bare queries' wall time)")
        dashboards._CACHE.clear()


if __name__ == "__main__":
    main(*[int(a) for a in sys.argv[1:4]])
