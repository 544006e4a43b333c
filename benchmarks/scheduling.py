"""My schedule and the personal calendar feed at growing size: figures and ratios.

A participant enrolled in 1, 10 and 40 trainings of 7 sessions each. The baseline is the
1-training case measured in the same run; the ratios show how the page and the feed grow
(queries must stay flat per session, time roughly linear in the number of sessions shown).
Run: PYTHONPATH=. python benchmarks/scheduling.py
"""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import emit, header, measure  # noqa: E402
from sqlalchemy import event  # noqa: E402

from trainings import create_app  # noqa: E402
from trainings.extensions import db  # noqa: E402


def main() -> None:
    tmp = tempfile.mkdtemp()
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": False,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{os.path.join(tmp, 'bench.sqlite')}",
                      "INSTANCE_PATH": tmp})
    from flask_migrate import upgrade

    from tests import factories
    from trainings.scheduling import services

    with app.app_context():
        upgrade()
        participant = factories.user(timezone="Asia/Karachi")
        token = services.issue_calendar_token(participant)
        db.session.commit()
        client = app.test_client()
        client.post("/login", data={"email": participant.email, "password": factories.PASSWORD})
        counter = {"n": 0}
        event.listen(db.engine, "before_cursor_execute", lambda *a: counter.__setitem__("n", counter["n"] + 1))

        def timed(path: str) -> tuple[float, int, float]:
            client.get(path)  # warm
            runs = []
            for _ in range(7):
                counter["n"] = 0
                runs.append(measure(lambda: client.get(path).status_code == 200 or 1 / 0))
            return (statistics.median(r.wall for r in runs) * 1000, counter["n"],
                    statistics.median(r.cpu for r in runs) * 1000)

        results = {}
        enrolled = 0
        for size in (1, 10, 40):
            while enrolled < size:
                training = factories.training(organiser=factories.user("organiser"), sessions=7)
                factories.enrolment(training, user=participant)
                enrolled += 1
            results[size] = (timed("/me/schedule"), timed(f"/me/calendar.ics?token={token}"))
        base_page, base_feed = results[1]
        header("my schedule and calendar feed: 1, 10, 40 trainings of 7 sessions (test client)")
        for size, (page, feed) in results.items():
            for label, (ms, queries, cpu), base in (("my schedule", page, base_page),
                                                     ("calendar feed", feed, base_feed)):
                emit("scheduling", f"{label}, {size} trainings ({size * 7} sessions)", value=ms,
                     unit="ms", baseline=base[0], baseline_name="the 1-training case, same run",
                     cpu=cpu, cpu_baseline=base[2], runs=7, note=f"{queries} queries",
                     goal="queries flat")


if __name__ == "__main__":
    main()
