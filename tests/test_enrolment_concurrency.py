"""Seats are never over-allocated under concurrent requests (file SQLite, and PostgreSQL
when the suite runs there): 40+ simultaneous enrolments at 10 seats give exactly 10."""
import threading
from collections import Counter

from sqlalchemy import func, select

from trainings.enrolment import services
from trainings.enrolment.models import Enrolment
from trainings.extensions import db
from trainings.scheduling.models import Training

THREADS = 40


def _fire(app, training_id, payloads):
    barrier = threading.Barrier(len(payloads))
    results, errors = [], []

    def work(payload):
        with app.app_context():
            try:
                barrier.wait(timeout=30)  # before any connection is taken from the pool
                training = db.session.get(Training, training_id)
                enrolment = services.enrol(training, payload, notify=False)
                db.session.commit()
                results.append((payload["country"], enrolment.status))
            except Exception as exc:  # noqa: BLE001 - reported by the assertion below
                db.session.rollback()
                errors.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=work, args=(p,)) for p in payloads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results, errors


def _payload(n, country="ID"):
    return {"name": f"Racer {n}", "email": f"racer{n}@example.org", "country": country,
            "sector": "activist", "timezone": "Asia/Jakarta", "language": "en"}


def test_concurrent_enrolments_never_exceed_capacity(app, make):
    training = make.training(capacity=10)
    results, errors = _fire(app, training.id, [_payload(n) for n in range(THREADS)])
    assert errors == []
    assert Counter(status for _c, status in results) == {"accepted": 10, "waitlisted": 30}
    db.session.expire_all()
    stored = dict(db.session.execute(
        select(Enrolment.status, func.count()).where(Enrolment.training_id == training.id)
        .group_by(Enrolment.status)).all())
    assert stored == {"accepted": 10, "waitlisted": 30}


def test_concurrent_enrolments_never_exceed_country_quotas(app, make):
    training = make.training(capacity=30, quotas={"ID": 4, "MY": 3})
    countries = ["ID", "MY", "PK"]
    payloads = [_payload(n, countries[n % 3]) for n in range(45)]
    results, errors = _fire(app, training.id, payloads)
    assert errors == []
    accepted = Counter(c for c, status in results if status == "accepted")
    assert accepted == {"ID": 4, "MY": 3, "PK": 15}  # PK has no quota: only the capacity limits it


def test_concurrent_withdrawals_promote_without_over_allocation(app, make):
    training = make.training(capacity=10)
    for n in range(25):
        services.enrol(training, _payload(n), notify=False)
    db.session.commit()
    accepted_ids = [e.id for e in services.list_enrolments(training, status="accepted")]
    errors = []
    barrier = threading.Barrier(len(accepted_ids[:6]))

    def withdraw(enrolment_id):
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                services.change_status(db.session.get(Enrolment, enrolment_id), "withdrawn",
                                       notify=False)
                db.session.commit()
            except Exception as exc:  # noqa: BLE001
                db.session.rollback()
                errors.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=withdraw, args=(i,)) for i in accepted_ids[:6]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    db.session.expire_all()
    counts = Counter(e.status for e in services.list_enrolments(training))
    assert counts == {"accepted": 10, "withdrawn": 6, "waitlisted": 9}
