"""The public catalogue once applications close after the last session (issue 18).

``open_trainings()`` loads the sessions of the trainings whose switch is on and decides
in Python (``Training.has_ended``: the same rule as the apply page). Before, one grouped
SQL query took the first and last start per training. Both run here on the same data
(a SQLite file unless BENCH_DATABASE_URL is set): N trainings with the switch on, S
sessions each, half of them over; plus ``GET /api/v1/catalogue`` and a bare route
through the same test client. Interleaved rounds, medians, wall beside process CPU.

    python benchmarks/catalogue.py [trainings] [sessions] [--json]
"""
from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta

from common import bench_app, emit, header, interleave, measure, median


def grouped_query_baseline():
    """The previous read: first and last start per training in one grouped query."""
    from sqlalchemy import func, select
    from sqlalchemy.orm import selectinload

    from trainings.extensions import db
    from trainings.scheduling.models import Training, TrainingOrganisation, TrainingSession
    dates = (select(TrainingSession.training_id, func.min(TrainingSession.starts_at).label("first"),
                    func.max(TrainingSession.starts_at).label("last"),
                    func.count(TrainingSession.id).label("sessions"))
             .where(TrainingSession.status != "cancelled")
             .group_by(TrainingSession.training_id).subquery())
    return db.session.execute(
        select(Training, dates.c.first, dates.c.last, dates.c.sessions)
        .outerjoin(dates, dates.c.training_id == Training.id)
        .where(Training.applications_open.is_(True))
        .options(selectinload(Training.organisation_links)
                 .joinedload(TrainingOrganisation.organisation))
        .order_by(dates.c.first.is_(None), dates.c.first, Training.id)).all()


def main(trainings: int = 200, sessions: int = 10, repeat: int = 9) -> None:
    from trainings.extensions import db
    from trainings.overview.catalogue import open_trainings
    from trainings.scheduling.models import Training, TrainingSession

    app = bench_app()

    @app.get("/bench-bare")
    def bare():
        return "ok"

    now = datetime.now(UTC)
    with app.app_context():
        for t in range(trainings):
            start = now + timedelta(days=3) if t % 2 else datetime(2023, 12, 5, 7, tzinfo=UTC)
            training = Training(title_en=f"Training {t}", title_id=f"Pelatihan {t}",
                                applications_open=True)
            for i in range(sessions):
                training.sessions.append(TrainingSession(
                    title_en=f"S{i}", title_id=f"S{i}", starts_at=start + timedelta(days=i),
                    duration_minutes=120))
            db.session.add(training)
        db.session.commit()
        client = app.test_client()

        def run(work):
            def once():
                db.session.expire_all()
                return measure(work)
            return once

        runs = interleave({
            "baseline": run(grouped_query_baseline),
            "open_trainings": run(open_trainings),
            "bare": run(lambda: client.get("/bench-bare")),
            "api": run(lambda: client.get("/api/v1/catalogue")),
        }, repeat)
        listed = len(client.get("/api/v1/catalogue").get_json()["items"])
    header(f"catalogue: {trainings} trainings with applications on, {sessions} sessions "
           f"each, {listed} listed")
    base, base_cpu = median(runs["baseline"]) * 1000, median(runs["baseline"], "cpu") * 1000
    emit("catalogue", "open_trainings() (sessions in Python)",
         value=median(runs["open_trainings"]) * 1000, unit="ms", baseline=base,
         baseline_name="one grouped SQL query (before)",
         cpu=median(runs["open_trainings"], "cpu") * 1000, cpu_baseline=base_cpu,
         runs=repeat)
    emit("catalogue", "GET /api/v1/catalogue", value=median(runs["api"]) * 1000, unit="ms",
         baseline=median(runs["bare"]) * 1000, baseline_name="bare route, same client",
         cpu=median(runs["api"], "cpu") * 1000, cpu_baseline=median(runs["bare"], "cpu") * 1000,
         runs=repeat)


if __name__ == "__main__":
    numbers = [int(a) for a in sys.argv[1:3]]
    main(*numbers)
