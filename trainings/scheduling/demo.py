"""Demo additions of the scheduling area: an upcoming follow-up clinic, so that My schedule,
My sessions and the calendar feeds have something ahead of today in the demo. Its
participants (enrolments, an area above) are added by ``trainings/demo.py``."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from ..extensions import db
from . import services
from .models import Training

FOLLOW_UP_EN = "Women's Leadership: follow-up clinic"
FOLLOW_UP_ID = "Kepemimpinan Perempuan: klinik lanjutan"


def load_demo_scheduling(training: Training) -> Training | None:
    """The follow-up training, or ``None`` when it exists already (a second call changes
    nothing)."""
    if db.session.scalar(select(Training.id).where(Training.title_en == FOLLOW_UP_EN)):
        return None
    organiser = next((s.user for s in training.staff if s.role == "organiser"), None)
    follow_up = services.create_training({
        "title": {"id": FOLLOW_UP_ID, "en": FOLLOW_UP_EN},
        "description": {"id": "Tiga sesi klinik untuk membahas rencana aksi peserta.",
                        "en": "Three clinic sessions to discuss the participants' action plans."},
        "timezone": training.timezone,
        "organisations": [o.name for o in training.organisations],
        "certificate_rule": {"min_sessions": 2},
    }, actor=organiser)
    for staff in training.staff:
        if staff.role == "facilitator":
            services.add_staff(follow_up, staff.user.email, "facilitator", actor=organiser)
    facilitators = [s.user.email for s in training.staff if s.role == "facilitator"][:1]
    # Next Monday 14:00 in the home zone, then Mondays and Thursdays.
    today = datetime.now(UTC).date()
    monday = today + timedelta(days=7 - today.weekday())
    services.create_series(follow_up, {
        "first_starts_at": f"{monday.isoformat()}T14:00:00+07:00", "count": 3,
        "weekdays": ["mon", "thu"], "duration_minutes": 90,
        "title_prefix": {"id": "Klinik", "en": "Clinic"},
        "meeting_url": "https://meet.example.org/klinik-lanjutan", "facilitators": facilitators,
    }, actor=organiser)
    return follow_up
