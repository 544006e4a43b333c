"""Concurrent roll-call writes leave a correct audit trail (file SQLite, and PostgreSQL
when the suite runs there): each change's old value is the previous change's new value."""
import threading

from sqlalchemy import select

from trainings.attendance.models import AttendanceChange, AttendanceRecord
from trainings.attendance.services import set_records
from trainings.extensions import db
from trainings.scheduling.models import TrainingSession

THREADS = 8
ROUNDS = 6
STATUSES = ("present", "late", "absent", "excused")


def test_concurrent_roll_call_writes_keep_the_audit_chain(app, make):
    organiser = make.user("organiser")
    training = make.training(organiser=organiser, sessions=1)
    person = make.enrolment(training)
    session_id, organiser_id, person_id = training.sessions[0].id, organiser.id, person.id
    barrier = threading.Barrier(THREADS)
    errors = []

    def work(n):
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                for r in range(ROUNDS):
                    session = db.session.get(TrainingSession, session_id)
                    actor = db.session.get(type(organiser), organiser_id)
                    status = STATUSES[(n + r) % len(STATUSES)]
                    set_records(session, [{"enrolment": person_id, "status": status,
                                           "note": f"t{n} r{r}"}], actor=actor)
                    db.session.commit()
            except Exception as exc:  # noqa: BLE001 - reported by the assertion below
                db.session.rollback()
                errors.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    db.session.expire_all()
    chain = db.session.scalars(select(AttendanceChange).where(
        AttendanceChange.session_id == session_id, AttendanceChange.enrolment_id == person_id)
        .order_by(AttendanceChange.id)).all()
    assert len(chain) == THREADS * ROUNDS  # every note differs, so every write is a change
    assert chain[0].old_status is None
    for before, after in zip(chain, chain[1:], strict=False):
        assert (after.old_status, after.old_note) == (before.new_status, before.new_note)
    record = db.session.scalar(select(AttendanceRecord).where(
        AttendanceRecord.session_id == session_id, AttendanceRecord.enrolment_id == person_id))
    assert (record.status, record.note) == (chain[-1].new_status, chain[-1].new_note)
