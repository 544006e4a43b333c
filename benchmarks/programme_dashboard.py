"""Server time of the programme dashboard: 20 trainings x 100 people, and 1 x 100.

The data: each training has 100 accepted participants drawn from a pool of 200 people (so
people are counted once across trainings), 6 sessions with attendance for everyone, and
certificates for a quarter; 20 x 100 is 2000 enrolments and 12 000 attendance records.

Per size, medians of interleaved rounds (GC on), wall time beside CPU time, queries per call;
every request starts with an empty database session, as under gunicorn (until 1 December 2026
the shared app context kept the session, so a repeat view found the programme and its
managers in the identity map and loaded nothing):
  * bare:        a trivial Flask route through the same test client: the floor of a request,
                 and the baseline of every page row (the light-page budget of the performance
                 issue, >= 25 % of the bare Flask rate, is a CPU ratio <= 4 here);
  * floor:       a logged-in page that renders only the base layout (session, user, menu):
                 what every page pays before its own work; and the programme list, for scale;
  * the programme: ``GET /api/v1/programmes/{id}`` (the same authentication and loading as
                 the dashboard's API, without figures);
  * current:     the page and ``GET /api/v1/programmes/{id}/dashboard`` while the stored
                 figures are current: any view (by any worker) since the last change or since
                 the worker's periodic task refreshed them; "first render" is the page's
                 first view of these figures in a process (it renders the charts, which the
                 process then keeps for this version);
  * after a change: the same right after a change marked the figures out of date (the
                 change itself is not timed): the view computes them and stores them;
  * compute:     ``programme_dashboard()`` alone, against the raw rows it reads (the bare
                 queries of the same enrolments, sessions, attendance and certificates).
``--load SECONDS`` adds load.py-style rows: the page and the API (figures current) under
``gunicorn -w 2`` at concurrency 8 against the bare Flask app, interleaved.

    python benchmarks/programme_dashboard.py [--rounds 15] [--sizes 20x100,1x100] [--load 5]
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, emit, header, measure, median  # noqa: E402
from sqlalchemy import event, insert, select  # noqa: E402

PASSWORD = "bench-password-123"  # noqa: S105 - a throw-away account


def fill(trainings: int, people: int, sessions: int = 6, tag: str = "") -> int:
    """One programme of ``trainings`` x ``people`` (see the module's docstring); its id."""
    from trainings.attendance.models import AttendanceRecord
    from trainings.auth.models import User
    from trainings.certificates.models import Certificate
    from trainings.enrolment.models import Enrolment
    from trainings.extensions import db
    from trainings.programmes.models import Programme
    from trainings.scheduling.models import Training, TrainingSession, TrainingStaff

    organiser = db.session.scalar(select(User).where(User.email == "bench@example.org"))
    programme = Programme(title_en=f"Bench programme {tag}", title_id=f"Program {tag}")
    programme.managers.append(organiser)
    start = datetime(2023, 12, 5, 7, tzinfo=UTC)
    made = []
    for t in range(trainings):
        training = Training(title_en=f"Training {tag}{t}", title_id=f"Pelatihan {tag}{t}",
                            certificate_rule={"min_sessions": sessions - 1})
        training.staff.append(TrainingStaff(user=organiser, role="organiser"))
        for i in range(sessions):
            training.sessions.append(TrainingSession(
                title_en=f"S{i}", title_id=f"S{i}", starts_at=start + timedelta(days=i),
                duration_minutes=120))
        programme.trainings.append(training)
        made.append(training)
    db.session.add(programme)
    pool = 2 * people  # training t takes people t*5 .. t*5+people-1 of the pool
    db.session.add_all(User(email=f"{tag}p{n}@example.org", name=f"Peserta {n}",
                            role="participant") for n in range(pool))
    db.session.commit()
    accounts = dict(db.session.execute(select(User.email, User.id)).all())
    rows = []
    for t, training in enumerate(made):
        for k in range(people):
            n = (t * 5 + k) % pool
            email = f"{tag}p{n}@example.org"
            rows.append({"training_id": training.id, "user_id": accounts[email],
                         "name": f"Peserta {n}", "email": email,
                         "country_code": ("ID", "MY", "PK", "BR")[n % 4],
                         "organisation": f"Organisasi {n % 15}", "sector": "activist",
                         "status": "accepted", "search_key": f"peserta {n} {email}"})
    db.session.execute(insert(Enrolment), rows)
    ids = [t.id for t in made]
    enrolments = db.session.execute(select(Enrolment.id, Enrolment.training_id)
                                    .where(Enrolment.training_id.in_(ids))).all()
    sessions_of = {t.id: [s.id for s in t.sessions] for t in made}
    db.session.execute(insert(AttendanceRecord), [
        {"session_id": sid, "enrolment_id": eid, "status": ("present", "late", "absent")[
            (eid + sid) % 3 if (eid % 4) else 0], "note": "", "updated_at": start}
        for eid, tid in enrolments for sid in sessions_of[tid]])
    db.session.execute(insert(Certificate), [
        {"code": f"B{tag}{eid:06d}", "training_id": tid, "enrolment_id": eid, "name": "x",
         "sessions_attended": sessions, "sessions_held": sessions, "claims": {},
         "issued_at": start} for eid, tid in enrolments if eid % 4 == 0])
    db.session.commit()
    return programme.id


def migrated_with_organiser():
    """Migrate the app's database (in its app context) and add the programme's manager."""
    import logging

    from flask_migrate import upgrade

    from trainings.auth.models import User
    from trainings.extensions import db
    logging.disable(logging.INFO)  # alembic's "Running upgrade ..." lines
    upgrade()
    logging.disable(logging.NOTSET)
    organiser = User(email="bench@example.org", name="Bench", role="organiser")
    organiser.set_password(PASSWORD)
    db.session.add(organiser)
    db.session.commit()
    return organiser


def raw_rows(programme_id: int) -> None:
    """The baseline of the computation: the same rows read plainly, no aggregation."""
    from trainings.attendance.models import AttendanceRecord
    from trainings.certificates.models import Certificate
    from trainings.enrolment.models import Enrolment
    from trainings.extensions import db
    from trainings.programmes.models import programme_trainings
    from trainings.scheduling.models import TrainingSession

    ids = list(db.session.scalars(select(programme_trainings.c.training_id).where(
        programme_trainings.c.programme_id == programme_id)))
    list(db.session.execute(select(Enrolment.id, Enrolment.training_id, Enrolment.email,
                                   Enrolment.country_code, Enrolment.organisation,
                                   Enrolment.sector, Enrolment.status)
                            .where(Enrolment.training_id.in_(ids))))
    list(db.session.execute(select(TrainingSession.id, TrainingSession.training_id)
                            .where(TrainingSession.training_id.in_(ids))))
    list(db.session.execute(select(AttendanceRecord.enrolment_id, AttendanceRecord.session_id,
                                   AttendanceRecord.status)
                            .join(TrainingSession, TrainingSession.id == AttendanceRecord.session_id)
                            .where(TrainingSession.training_id.in_(ids))))
    list(db.session.scalars(select(Certificate.enrolment_id)
                            .where(Certificate.training_id.in_(ids))))


def in_process(args) -> dict:
    from flask import g, render_template
    from flask_login import login_required

    from trainings import create_app
    from trainings.auth.services import issue_token
    from trainings.extensions import db
    from trainings.overview import dashboard, dashboard_page, summaries
    from trainings.programmes.models import Programme

    folder = tempfile.mkdtemp(prefix="anyam-bench-")
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{folder}/bench.sqlite"
    app = create_app({"TESTING": True, "SECRET_KEY": "bench-key-0123456789",
                      "SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": False, "INSTANCE_PATH": folder})

    @app.get("/bench-bare")
    def bare():
        return "ok"

    # compiled once, as a template file is (render_template_string compiles on every call)
    floor = app.jinja_env.from_string(
        '{% extends "base.html" %}{% block content %}<h1>Bench</h1>{% endblock %}')

    @app.get("/bench-layout")
    @login_required
    def layout():  # the floor of any logged-in page: the session, the user, the base layout
        return render_template(floor)

    with app.app_context():
        organiser = migrated_with_organiser()
        sizes = [tuple(int(x) for x in size.split("x")) for size in args.sizes.split(",")]
        # two like programmes per size: one whose figures stay current during the run, one
        # changed before each of its views
        programmes = {size: (fill(*size, tag=f"s{i}"), fill(*size, tag=f"c{i}"))
                      for i, size in enumerate(sizes)}
        token = issue_token(organiser, "bench")
        db.session.commit()

        queries = {"n": 0}
        event.listen(db.engine, "before_cursor_execute",
                     lambda *a, **k: queries.__setitem__("n", queries["n"] + 1))
        client = app.test_client()
        client.post("/login", data={"email": "bench@example.org", "password": PASSWORD})
        headers = {"Authorization": f"Bearer {token}"}

        def get(path, **kwargs):
            def run():
                for key in ("_flask_babel", "_login_user", "_policy_ties"):
                    g.pop(key, None)  # the app context is shared: a new request forgets these
                db.session.remove()  # and starts with an empty session, as under gunicorn
                response = client.get(path, **kwargs)
                assert response.status_code == 200, (path, response.status_code)
            return run

        def out_of_date(programme_id):
            def prepare():  # a change marks the figures out of date (not timed)
                summaries.bump(db.session.connection(), [programme_id])
                db.session.commit()
            return prepare

        def compute(programme_id):
            def run():
                dashboard.programme_dashboard(db.session.get(Programme, programme_id))
            return run

        variants = {"bare": (None, get("/bench-bare")), "layout": (None, get("/bench-layout")),
                    "light": (None, get("/programmes"))}
        def forget_rendered(programme_id):
            def prepare():  # a process that has not rendered these figures (nor the page) yet
                for kept, at in ((dashboard_page._RENDERED, 2),
                                 (getattr(dashboard_page, "_PAGES", {}), 5)):
                    for key in [k for k in kept if k[at] == programme_id]:
                        del kept[key]
            return prepare

        for size, (pid, changed) in programmes.items():
            label = f"{size[0]}x{size[1]}"
            api, page = f"/api/v1/programmes/{pid}/dashboard", f"/programmes/{pid}"
            variants.update({
                f"{label} page, current": (None, get(page)),
                f"{label} page, current, first render": (forget_rendered(pid), get(page)),
                f"{label} api, current": (None, get(api, headers=headers)),
                f"{label} api, the programme": (None, get(f"/api/v1/programmes/{pid}",
                                                          headers=headers)),
                f"{label} page, after a change": (out_of_date(changed),
                                                  get(f"/programmes/{changed}")),
                f"{label} api, after a change": (out_of_date(changed), get(
                    f"/api/v1/programmes/{changed}/dashboard", headers=headers)),
                f"{label} compute": (db.session.expire_all, compute(pid)),
                f"{label} raw rows": (db.session.expire_all, lambda pid=pid: raw_rows(pid)),
            })
        counts = {}
        for name, (prepare, run) in variants.items():
            for _warm in range(2):
                if prepare:
                    prepare()
                queries["n"] = 0
                run()
            counts[name] = queries["n"]
        runs = {name: [] for name in variants}
        names = list(variants)
        for round_ in range(args.rounds):  # interleaved, the order reversed every round
            for name in (names if round_ % 2 == 0 else names[::-1]):
                prepare, run = variants[name]
                if prepare:
                    prepare()
                runs[name].append(measure(run))
        db.session.remove()
    return {"runs": runs, "counts": counts, "sizes": sizes, "url": url}


def report(result: dict, rounds: int) -> None:
    runs, counts = result["runs"], result["counts"]

    def ms(name, attribute="wall"):
        return median(runs[name], attribute) * 1000

    def load_of(name):
        return max(r.load for r in runs[name])
    base_wall, base_cpu = ms("bare"), ms("bare", "cpu")
    header(f"programme dashboard ({result['url'].split(':')[0]}, test client, "
           f"{rounds} interleaved rounds)")
    for name, figure in (("layout", "floor of a logged-in page (base layout)"),
                         ("light", "light page: the programme list")):
        emit("dashboard", figure, value=ms(name), unit="ms", baseline=base_wall,
             baseline_name="bare Flask route, same client", cpu=ms(name, "cpu"),
             cpu_baseline=base_cpu, load_avg=load_of(name), runs=rounds,
             note=f"{counts[name]} queries")
    for trainings, people in result["sizes"]:
        label = f"{trainings}x{people}"
        for kind in ("page, current", "page, current, first render", "api, current",
                     "api, the programme", "page, after a change", "api, after a change"):
            name = f"{label} {kind}"
            emit("dashboard", f"{label} {kind}", value=ms(name), unit="ms", baseline=base_wall,
                 baseline_name="bare Flask route, same client", cpu=ms(name, "cpu"),
                 cpu_baseline=base_cpu, load_avg=load_of(name), runs=rounds,
                 note=f"{counts[name]} queries", goal="goal cpu ratio <= 4 (25 % of bare)")
        name = f"{label} compute"
        emit("dashboard", f"{label} programme_dashboard()", value=ms(name), unit="ms",
             baseline=ms(f"{label} raw rows"), baseline_name="raw rows, no aggregation",
             cpu=ms(name, "cpu"), cpu_baseline=ms(f"{label} raw rows", "cpu"),
             load_avg=load_of(name), runs=rounds,
             note=f"{counts[name]} queries (raw rows {counts[f'{label} raw rows']})")


def group_cpu(pgid: int) -> float:
    """CPU seconds used so far by the processes of a process group (gunicorn's master and
    its workers), from /proc."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # fields after the name: state, ppid, pgrp, ...
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def under_gunicorn(args) -> None:
    """load.py-style rows: the dashboard (figures current) under gunicorn -w 2, concurrency 8,
    against the bare Flask app, interleaved."""
    import load as loadbench

    instance = tempfile.mkdtemp(prefix="anyam-dash-load-")
    url = f"sqlite:///{Path(instance) / 'load.sqlite'}"
    from trainings import create_app
    from trainings.extensions import db
    app = create_app({"TESTING": True, "SECRET_KEY": loadbench.SECRET,
                      "SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": instance})
    with app.app_context():
        organiser = migrated_with_organiser()
        pid = fill(20, 100, tag="g")
        from trainings.auth.services import issue_token
        token = issue_token(organiser, "bench")
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    servers = {"anyam": loadbench.Server("wsgi:app", loadbench.app_env(url, instance)),
               "bare": loadbench.Server("bare_app:app", {"PYTHONPATH": str(ROOT / "benchmarks")})}
    try:
        servers["anyam"].wait("/healthz")
        servers["bare"].wait("/bare")
        port = servers["anyam"].port
        cookie = {"Cookie": loadbench.login(port, "bench@example.org", PASSWORD)}
        pages = {"20x100 page, current": (f"/programmes/{pid}", cookie),
                 "20x100 api, current": (f"/api/v1/programmes/{pid}/dashboard",
                                         {"Authorization": f"Bearer {token}"}),
                 "programme list (light page)": ("/programmes", cookie),
                 "healthz (no session)": ("/healthz", {})}
        for path, headers in pages.values():  # the first view computes and stores the figures
            status = loadbench.request(port, path, headers=headers)[0]
            if status != 200:
                raise RuntimeError(f"{path} answered {status}")
        options = {"duration": args.load, "concurrency": 8, "max_requests": 20000}
        def hammered(server, path, headers=None):
            cpu0 = group_cpu(server.process.pid)
            result = loadbench.hammer(server.port, path, headers=headers, **options)
            result["cpu_ms"] = 1000 * (group_cpu(server.process.pid) - cpu0) / max(
                result["count"], 1)
            return result

        for label, (path, headers) in pages.items():
            bare = hammered(servers["bare"], "/bare")
            page = hammered(servers["anyam"], path, headers)
            emit("dashboard", f"gunicorn: {label}", value=page["rps"], unit="req/s",
                 baseline=bare["rps"], baseline_name="bare Flask, same run",
                 cpu=page["cpu_ms"], cpu_baseline=bare["cpu_ms"],
                 load_avg=max(page["load"], bare["load"]), runs=page["count"],
                 note=f"cpu: ms of the servers' CPU per request; p50 {page['p50']:.1f} ms, "
                      f"p99 {page['p99']:.1f} ms, errors {page['errors']}",
                 goal="goal ratio >= 0.25, 0 errors")
    finally:
        for server in servers.values():
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=int(os.environ.get("BENCH_ROUNDS", "15")))
    parser.add_argument("--sizes", default="20x100,1x100")
    parser.add_argument("--load", type=float, default=0,
                        help="seconds per page under gunicorn (0: no load rows)")
    args = parser.parse_args()
    started = time.time()
    report(in_process(args), args.rounds)
    if args.load:
        under_gunicorn(args)
    if not os.environ.get("BENCH_JSON"):
        print(f"({time.time() - started:.0f} s; medians of interleaved rounds, GC on; the test "
              "client runs in this process; cpu: process CPU time)")


if __name__ == "__main__":
    main()
