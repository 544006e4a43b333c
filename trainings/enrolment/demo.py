"""Demo additions for enrolment: applications open on the demo course, and two applicants
on the waiting list (the course is full: 30 places, 10 per country). Idempotent."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from ..extensions import db
from .models import Enrolment

WAITLISTED = [
    # name, email, country, organisation, sector, timezone, language
    ("Rohana Binti Yusof", "rohana.yusof@example.org", "MY", "All Women's Action Society",
     "activist", "Asia/Kuala_Lumpur", "en"),
    ("Fitri Handayani", "fitri.handayani@example.org", "ID", "Universitas Airlangga",
     "academic", "Asia/Jakarta", "id"),
]


def load_demo_enrolment(training) -> None:
    """Open applications and add the waiting list; a second call changes nothing."""
    if not training.applications_open:
        training.applications_open = True
    jakarta = ZoneInfo("Asia/Jakarta")
    existing = set(db.session.scalars(select(Enrolment.email).where(
        Enrolment.training_id == training.id)))
    for day, (name, email, country, org, sector, tz, lang) in enumerate(WAITLISTED, start=26):
        if email in existing:
            continue
        db.session.add(Enrolment(
            training_id=training.id, name=name, email=email, country_code=country,
            organisation=org, sector=sector, timezone=tz, language=lang, status="waitlisted",
            created_at=datetime(2023, 11, day, 10, 0, tzinfo=jakarta)))
    db.session.flush()
