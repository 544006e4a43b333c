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
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

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

        def measure(path: str) -> tuple[float, int]:
            client.get(path)  # warm
            times = []
            for _ in range(7):
                counter["n"] = 0
                start = time.perf_counter()
                assert client.get(path).status_code == 200
                times.append((time.perf_counter() - start) * 1000)
            return statistics.median(times), counter["n"]

        results = {}
        enrolled = 0
        for size in (1, 10, 40):
            while enrolled < size:
                training = factories.training(organiser=factories.user("organiser"), sessions=7)
                factories.enrolment(training, user=participant)
                enrolled += 1
            results[size] = (measure("/me/schedule"), measure(f"/me/calendar.ics?token={token}"))
        base_page, base_feed = results[1]
        print(f"{'trainings':>9} {'sessions':>8} {'page ms':>8} {'queries':>7} {'ratio':>6}"
              f" {'feed ms':>8} {'queries':>7} {'ratio':>6}")
        for size, ((page_ms, page_q), (feed_ms, feed_q)) in results.items():
            print(f"{size:>9} {size * 7:>8} {page_ms:>8.1f} {page_q:>7} {page_ms / base_page[0]:>6.1f}"
                  f" {feed_ms:>8.1f} {feed_q:>7} {feed_ms / base_feed[0]:>6.1f}")


if __name__ == "__main__":
    main()
