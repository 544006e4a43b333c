"""Server time of a programme's donor report: 20 trainings x 100 people (2000 enrolments,
200 distinct people), each training with attendance, a pre-test, a post-test, a feedback
survey (answered by everyone) and action plans.

Prints, from one run on one database (SQLite file unless BENCH_DATABASE_URL is set):
  * baseline:  bare queries of the rows the report reads (enrolments, attendance, responses,
               commitments, demographics) into Python, no aggregation;
  * report:    ``evaluation.services.build_programme_report()``;
  * headline:  ``evaluation.services.headline()`` (the dashboard's evaluation key);
  * api:       ``GET /api/v1/programmes/{id}/report`` through the test client;
  * page:      ``/programmes/<id>/report`` through the test client;
  * dashboard: ``GET /api/v1/programmes/{id}/dashboard`` (with its evaluation key).
Medians of interleaved rounds, wall time beside process CPU time, queries per call.

    PYTHONPATH=. python benchmarks/programme_report.py [trainings] [people]
"""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's trainings

from sqlalchemy import event, insert, select  # noqa: E402


def _seed(db, trainings: int, people: int):
    from trainings.attendance.models import AttendanceRecord
    from trainings.auth.models import User
    from trainings.enrolment.models import Enrolment
    from trainings.evaluation import services
    from trainings.evaluation.models import (
        ActionPlan,
        Commitment,
        Demographics,
        SurveyParticipation,
        SurveyResponse,
    )
    from trainings.programmes.models import Programme
    from trainings.scheduling.models import Training, TrainingSession, TrainingStaff

    organiser = User(email="bench@example.org", name="Bench", role="organiser")
    organiser.set_password("bench-password-123")
    db.session.add(organiser)
    programme = Programme(title_en="Bench programme", title_id="Program")
    programme.managers.append(organiser)
    start = datetime(2023, 12, 5, 7, tzinfo=UTC)
    made = []
    for t in range(trainings):
        training = Training(title_en=f"Training {t}", title_id=f"Pelatihan {t}",
                            certificate_rule={"min_sessions": 3})
        training.staff.append(TrainingStaff(user=organiser, role="organiser"))
        for i in range(4):
            training.sessions.append(TrainingSession(
                title_en=f"S{i}", title_id=f"S{i}", starts_at=start + timedelta(days=i),
                duration_minutes=120))
        programme.trainings.append(training)
        made.append(training)
    db.session.add(programme)
    db.session.commit()
    pool = 2 * people  # training t takes people t*5 .. t*5+people-1 of the pool
    db.session.execute(insert(Enrolment), [
        {"training_id": training.id, "name": f"Peserta {n}", "email": f"p{n}@example.org",
         "country_code": ("ID", "MY", "PK", "BR")[n % 4], "organisation": "Org",
         "sector": "activist", "status": "accepted", "search_key": f"peserta {n}"}
        for t, training in enumerate(made) for n in ((t * 5 + k) % pool for k in range(people))])
    enrolments = db.session.execute(select(Enrolment.id, Enrolment.training_id)).all()
    sessions_of = {t.id: [s.id for s in t.sessions] for t in made}
    db.session.execute(insert(AttendanceRecord), [
        {"session_id": sid, "enrolment_id": eid, "status": "present" if (eid + sid) % 4 else
         "absent", "note": "", "updated_at": start}
        for eid, tid in enrolments for sid in sessions_of[tid]])
    db.session.execute(insert(Demographics), [
        {"enrolment_id": eid, "gender": ("woman", "man", "non_binary")[eid % 3],
         "seeing": "a_lot_of_difficulty" if eid % 7 == 0 else "no_difficulty"}
        for eid, _tid in enrolments if eid % 5])
    test = {"questions": [{"key": "k1", "type": "choice", "text": {"id": "K", "en": "K"},
                           "options": [{"id": "A", "en": "A"}, {"id": "B", "en": "B"}],
                           "correct": [1]}]}
    surveys = {}
    for training in made:
        for kind in ("pre_test", "post_test", "feedback"):
            data = {"title": {"id": kind, "en": kind}, "kind": kind, **test}
            if kind == "feedback":
                data["questions"] = [{"key": "q1", "type": "scale",
                                      "text": {"id": "Q", "en": "Q"}, "required": True}]
            surveys[(training.id, kind)] = services.create_survey(training, data, actor=None).id
    db.session.commit()
    responses, participations = [], []
    for eid, tid in enrolments:
        for kind, answers, score in (("pre_test", {"k1": 0}, 0.0), ("post_test", {"k1": 1}, 1.0),
                                     ("feedback", {"q1": 3 + eid % 3}, None)):
            sid = surveys[(tid, kind)]
            responses.append({"id": uuid.uuid4().hex, "survey_id": sid, "enrolment_id": eid,
                              "answers": answers, "score": score, "submitted_at": start})
            participations.append({"survey_id": sid, "enrolment_id": eid})
    db.session.execute(insert(SurveyResponse), responses)
    db.session.execute(insert(SurveyParticipation), participations)
    db.session.execute(insert(ActionPlan), [{"training_id": tid, "enrolment_id": eid,
                                             "created_at": start}
                                            for eid, tid in enrolments if eid % 2])
    plans = db.session.execute(select(ActionPlan.id)).scalars().all()
    db.session.execute(insert(Commitment), [
        {"plan_id": pid, "position": i, "text": "Plan", "status": ("done", "in_progress")[
            (pid + i) % 2], "created_at": start, "updated_at": start}
        for pid in plans for i in range(2)])
    db.session.commit()
    return organiser, programme.id, [t.id for t in made], len(enrolments)


def main(trainings=20, people=100):
    from flask import g

    from trainings import create_app
    from trainings.attendance.models import AttendanceRecord
    from trainings.auth.services import issue_token
    from trainings.enrolment.models import Enrolment
    from trainings.evaluation import services
    from trainings.evaluation.models import Commitment, Demographics, SurveyResponse
    from trainings.extensions import db
    from trainings.programmes.models import Programme

    folder = tempfile.mkdtemp(prefix="anyam-bench-")
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{folder}/bench.sqlite"
    app = create_app({"TESTING": True, "SECRET_KEY": "bench-key-0123456789",
                      "SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": False, "INSTANCE_PATH": folder,
                      "DASHBOARD_CACHE_SECONDS": 0})
    with app.app_context():
        db.drop_all()
        db.create_all()
        organiser, programme_id, ids, count = _seed(db, trainings, people)
        token = issue_token(organiser, "bench")
        db.session.commit()
        queries = {"n": 0}
        event.listen(db.engine, "before_cursor_execute",
                     lambda *a, **k: queries.__setitem__("n", queries["n"] + 1))

        def baseline():
            db.session.expire_all()
            list(db.session.execute(select(Enrolment.id, Enrolment.email, Enrolment.country_code)
                                    .where(Enrolment.training_id.in_(ids))))
            list(db.session.execute(select(AttendanceRecord.enrolment_id,
                                           AttendanceRecord.session_id, AttendanceRecord.status)))
            list(db.session.execute(select(SurveyResponse.enrolment_id, SurveyResponse.answers,
                                           SurveyResponse.score)))
            list(db.session.execute(select(Commitment.plan_id, Commitment.status)))
            list(db.session.scalars(select(Demographics)))

        def report():
            db.session.expire_all()
            services.build_programme_report(db.session.get(Programme, programme_id))

        def headline():
            db.session.expire_all()
            services.headline(ids)

        client = app.test_client()
        headers = {"Authorization": f"Bearer {token}"}
        client.post("/login", data={"email": "bench@example.org",
                                    "password": "bench-password-123"})

        def request(path, **kwargs):
            def run():
                for key in ("_flask_babel", "_login_user", "_policy_ties"):
                    g.pop(key, None)
                response = client.get(path, **kwargs)
                assert response.status_code == 200, (path, response.status_code)
            return run

        variants = [("baseline: bare queries of the same rows", baseline),
                    ("report: build_programme_report()", report),
                    ("headline: headline() (dashboard key)", headline),
                    ("api: GET .../report (test client)",
                     request(f"/api/v1/programmes/{programme_id}/report", headers=headers)),
                    ("page: /programmes/<id>/report", request(f"/programmes/{programme_id}/report")),
                    ("api: GET .../dashboard (with evaluation)",
                     request(f"/api/v1/programmes/{programme_id}/dashboard", headers=headers))]
        wall = {label: [] for label, _fn in variants}
        cpu = {label: [] for label, _fn in variants}
        counts = {}
        for label, fn in variants:
            fn()
            queries["n"] = 0
            fn()
            counts[label] = queries["n"]
        for _round in range(int(os.environ.get("BENCH_ROUNDS", "9"))):
            for label, fn in variants:  # interleaved: load on the machine hits all alike
                c0, w0 = time.process_time(), time.perf_counter()
                fn()
                wall[label].append((time.perf_counter() - w0) * 1000)
                cpu[label].append((time.process_time() - c0) * 1000)
        base = statistics.median(wall[variants[0][0]])
        print(f"programme report: {trainings} trainings x {people} people ({count} enrolments, "
              f"{2 * people} people), {db.engine.dialect.name}, "
              f"load average {os.getloadavg()[0]:.2f}")
        print(f"  {'':<44} {'wall':>9} {'cpu':>9} {'vs baseline':>11} {'queries':>8}")
        for label, _fn in variants:
            w, c = statistics.median(wall[label]), statistics.median(cpu[label])
            print(f"  {label:<44} {w:6.1f} ms {c:6.1f} ms {w / base:10.2f}x {counts[label]:8d}")
        print("  (medians of interleaved rounds; GC on; 'vs baseline' is wall time against the\n"
              "   bare queries' wall time)")


if __name__ == "__main__":
    main(*[int(a) for a in sys.argv[1:3]])
