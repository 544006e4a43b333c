"""Server time of the attendance matrix for 1000 participants x 7 sessions (a training's
usual size; pass other sizes as arguments).

Prints, from one run on one database (SQLite file unless BENCH_DATABASE_URL is set):
  * baseline: one joined plain-rows query, rendered into the grid;
  * anyam:    ``services.matrix()`` (the page's data) rendered into the same grid;
  * page:     the whole matrix page through the test client (login, chart, totals, form);
  * orm-eager: ORM objects with ``selectinload``; orm-lazy: one query per participant.
Figures are medians of interleaved rounds (the order turns every round), with the garbage
collector on as in production, CPU ms beside wall ms and the load average; ratios are
against the baseline of the same run. Target: the page's data in <= 3 queries and <= 1.2x
the baseline.

    PYTHONPATH=. python benchmarks/attendance_matrix.py [participants] [sessions]
"""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's trainings

from common import emit, header, measure  # noqa: E402
from jinja2 import Environment  # noqa: E402
from markupsafe import Markup  # noqa: E402
from sqlalchemy import event, insert, select  # noqa: E402
from sqlalchemy.orm import relationship, selectinload  # noqa: E402

GRID = Environment(autoescape=True).from_string(
    "<table>{% for r in rows %}<tr><th scope=\"row\">{{ r.name }}</th><td>{{ r.country }}</td>"
    "{% for st in r.statuses %}{{ labels[st] }}{% endfor %}<td>{{ r.attended }}</td></tr>"
    "{% endfor %}</table>")
# every variant renders the same grid, with its cells escaped once (as the page does)
LABELS = {st: Markup('<td class="st st-{}">{}</td>').format(st or "none", st.title() if st else "-")
          for st in ("present", "late", "absent", "excused", None)}


class Row:
    __slots__ = ("name", "country", "statuses", "attended")

    def __init__(self, name, country, width):
        self.name, self.country, self.statuses, self.attended = name, country, [None] * width, 0


def main(participants=1000, sessions=7):
    from flask import g

    from trainings import create_app
    from trainings.attendance import services
    from trainings.attendance.models import AttendanceRecord
    from trainings.auth.models import User
    from trainings.enrolment.models import Enrolment
    from trainings.extensions import db
    from trainings.scheduling.models import Training, TrainingSession, TrainingStaff

    folder = tempfile.mkdtemp(prefix="anyam-bench-")
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{folder}/bench.sqlite"
    app = create_app({"TESTING": True, "SECRET_KEY": "bench-key-0123456789",
                      "SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": False, "INSTANCE_PATH": folder})
    with app.app_context():
        db.drop_all()
        db.create_all()
        organiser = User(email="bench@example.org", name="Bench", role="organiser")
        organiser.set_password("bench-password-123")
        training = Training(title_en="Bench", title_id="Bench", certificate_rule={"min_sessions": 15})
        training.staff.append(TrainingStaff(user=organiser, role="organiser"))
        start = datetime(2023, 12, 5, 7, tzinfo=UTC)
        for i in range(sessions):
            training.sessions.append(TrainingSession(title_en=f"S{i}", title_id=f"S{i}",
                                                     starts_at=start + timedelta(days=i),
                                                     duration_minutes=120))
        db.session.add(training)
        db.session.commit()
        db.session.execute(insert(Enrolment), [
            {"training_id": training.id, "name": f"Peserta {i:04d} Ñuñez", "email": f"p{i}@example.org",
             "country_code": ("ID", "MY", "PK")[i % 3], "status": "accepted"}
            for i in range(participants)])
        eids = list(db.session.scalars(select(Enrolment.id)))
        sids = [s.id for s in training.sessions]
        statuses = ("present", "present", "present", "late", "absent", "excused")
        db.session.execute(insert(AttendanceRecord), [
            {"session_id": sid, "enrolment_id": eid, "status": statuses[(eid + sid) % 6], "note": "",
             "updated_at": start} for eid in eids for sid in sids])
        db.session.commit()
        training_id = training.id

        queries = {"n": 0}
        event.listen(db.engine, "before_cursor_execute",
                     lambda *a, **k: queries.__setitem__("n", queries["n"] + 1))

        def baseline():
            sess = db.session.execute(select(TrainingSession.id).where(
                TrainingSession.training_id == training_id).order_by(TrainingSession.starts_at))
            position = {sid: i for i, (sid,) in enumerate(sess)}
            rows = {}
            for eid, name, country, sid, status in db.session.execute(
                    select(Enrolment.id, Enrolment.name, Enrolment.country_code,
                           AttendanceRecord.session_id, AttendanceRecord.status)
                    .outerjoin(AttendanceRecord, AttendanceRecord.enrolment_id == Enrolment.id)
                    .where(Enrolment.training_id == training_id, Enrolment.status == "accepted")):
                row = rows.get(eid) or rows.setdefault(eid, Row(name, country, len(position)))
                if sid is not None:
                    row.statuses[position[sid]] = status
                    row.attended += status in ("present", "late")
            return GRID.render(rows=sorted(rows.values(), key=lambda r: r.name), labels=LABELS)

        def anyam():
            db.session.expire_all()
            m = services.matrix(db.session.get(Training, training_id))
            return GRID.render(rows=m.rows, labels=LABELS)

        Enrolment.__mapper__.add_property("bench_records", relationship(
            AttendanceRecord, primaryjoin=Enrolment.id == AttendanceRecord.enrolment_id,
            foreign_keys=[AttendanceRecord.enrolment_id], viewonly=True, lazy="select"))

        def orm(eager):
            def run():
                db.session.expire_all()
                position = {sid: i for i, sid in enumerate(sids)}
                query = select(Enrolment).where(Enrolment.training_id == training_id)
                if eager:
                    query = query.options(selectinload(Enrolment.bench_records))
                rows = []
                for e in db.session.scalars(query):
                    row = Row(e.name, e.country_code, len(sids))
                    for rec in e.bench_records:
                        row.statuses[position[rec.session_id]] = rec.status
                        row.attended += rec.status in ("present", "late")
                    rows.append(row)
                return GRID.render(rows=sorted(rows, key=lambda r: r.name), labels=LABELS)
            return run

        client = app.test_client()
        client.post("/login", data={"email": "bench@example.org", "password": "bench-password-123"})

        def page():
            # The benchmark holds an app context, so requests would share `g`: forget what a
            # new request in production would not know (the user, language, policy answers).
            for key in ("_flask_babel", "_login_user", "_policy_ties"):
                g.pop(key, None)
            response = client.get(f"/trainings/{training_id}/attendance")
            assert response.status_code == 200, response.status_code
            return response

        def count(fn):
            queries["n"] = 0
            fn()
            return queries["n"]

        variants = [("baseline: one joined plain-rows query + grid", baseline),
                    ("anyam: services.matrix() + same grid", anyam),
                    ("anyam: whole matrix page (test client)", page),
                    ("orm-eager: selectinload + same grid", orm(True)),
                    ("orm-lazy: a query per participant + same grid", orm(False))]
        runs = {label: [] for label, _fn in variants}
        for _label, fn in variants:
            fn()  # warm up
        for round_ in range(int(os.environ.get("BENCH_ROUNDS", "9"))):
            order = variants if round_ % 2 == 0 else list(reversed(variants))
            for label, fn in order:  # interleaved, so load on the machine hits all alike
                runs[label].append(measure(fn))
        header(f"attendance matrix: {participants} participants x {sessions} sessions "
               f"({participants * sessions} records), {db.engine.dialect.name}")
        base = runs[variants[0][0]]
        base_wall = statistics.median(r.wall for r in base) * 1000
        base_cpu = statistics.median(r.cpu for r in base) * 1000
        for label, fn in variants[1:]:
            wall = statistics.median(r.wall for r in runs[label]) * 1000
            cpu = statistics.median(r.cpu for r in runs[label]) * 1000
            emit("matrix", label, value=wall, unit="ms", baseline=base_wall,
                 baseline_name="one joined plain-rows query + grid", cpu=cpu,
                 cpu_baseline=base_cpu, load_avg=max(r.load for r in runs[label]),
                 runs=len(runs[label]), note=f"{count(fn)} queries",
                 goal="goal <= 1.2x, <= 3 queries" if label.startswith("anyam: services") else "")


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    main(*args)
