"""Training statistics: enrolments per country and status (enrolment area) with the
attendance rates (attendance area). A read model over both areas, so it lives above them."""
from __future__ import annotations

from sqlalchemy import func, select

from ..attendance.models import AttendanceRecord
from ..enrolment.models import STATUSES, Enrolment
from ..enrolment.services import stats_counts
from ..extensions import db
from ..scheduling.models import Training, TrainingSession


def stats(training: Training) -> dict:
    """Counts per country and status; attendance rates over accepted enrolments and held
    sessions (sessions not cancelled with at least one record). None when nothing is recorded."""
    by_country = {code: dict.fromkeys(STATUSES, 0) for code in training.country_quotas}
    by_country.update(stats_counts(training))
    totals = {status: sum(counts[status] for counts in by_country.values())
              for status in STATUSES}
    accepted = totals["accepted"]

    sessions = list(db.session.scalars(
        select(TrainingSession).where(TrainingSession.training_id == training.id)
        .order_by(TrainingSession.starts_at, TrainingSession.id)))
    record_rows = db.session.execute(
        select(AttendanceRecord.session_id, AttendanceRecord.status, func.count())
        .join(Enrolment, Enrolment.id == AttendanceRecord.enrolment_id)
        .join(TrainingSession, TrainingSession.id == AttendanceRecord.session_id)
        .where(TrainingSession.training_id == training.id, Enrolment.status == "accepted")
        .group_by(AttendanceRecord.session_id, AttendanceRecord.status)).all()
    recorded: dict[int, int] = {}
    attended: dict[int, int] = {}
    for session_id, status, n in record_rows:
        recorded[session_id] = recorded.get(session_id, 0) + n
        if status in ("present", "late"):
            attended[session_id] = attended.get(session_id, 0) + n
    session_items = []
    held = 0
    attended_total = 0
    for number, session in enumerate(sessions, start=1):
        rate = None
        if session.status != "cancelled" and recorded.get(session.id) and accepted:
            held += 1
            attended_total += attended.get(session.id, 0)
            rate = round(attended.get(session.id, 0) / accepted, 4)
        session_items.append({"id": session.id, "number": number, "status": session.status,
                              "attendance_rate": rate})
    overall = round(attended_total / (accepted * held), 4) if held and accepted else None
    return {"by_country": by_country, "totals": totals, "capacity": training.capacity,
            "country_quotas": training.country_quotas, "attendance_rate": overall,
            "sessions": session_items}
