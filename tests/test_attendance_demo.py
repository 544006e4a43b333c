"""The demo course gets realistic attendance, and loading it twice changes nothing."""
from collections import Counter

from sqlalchemy import func, select

from trainings.attendance.demo import load_demo_attendance
from trainings.attendance.eligibility import evaluate
from trainings.attendance.models import AttendanceChange, AttendanceRecord
from trainings.demo import load_demo
from trainings.extensions import db


def test_demo_attendance_is_realistic_and_idempotent(app):
    training, _created = load_demo()
    load_demo_attendance(training)
    db.session.commit()
    statuses = Counter(db.session.scalars(select(AttendanceRecord.status)))
    assert sum(statuses.values()) == 7 * 30
    assert statuses["late"] > 0 and statuses["excused"] == 1 and statuses["absent"] > 0
    attended = Counter(p.attended for p in evaluate(training, []).values())
    assert sum(n for a, n in attended.items() if a >= 6) >= 22  # most attend 6-7
    assert any(a < 6 for a in attended)  # a few fewer
    changes = db.session.scalar(select(func.count()).select_from(AttendanceChange))
    load_demo_attendance(training)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(AttendanceChange)) == changes
