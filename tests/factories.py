"""Test data factories: small functions with sensible defaults, overridable by keyword."""
from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from trainings.auth.models import User
from trainings.enrolment.models import Enrolment
from trainings.extensions import db
from trainings.scheduling.models import (
    Organisation,
    Training,
    TrainingCountryQuota,
    TrainingOrganisation,
    TrainingSession,
    TrainingStaff,
)

PASSWORD = "correct-horse-battery"  # noqa: S105
_seq = itertools.count(1)


def user(role="participant", *, email=None, name=None, password=PASSWORD, language="en",
         timezone="Asia/Jakarta", commit=True) -> User:
    n = next(_seq)
    obj = User(email=(email or f"user{n}@example.org").lower(), name=name or f"User {n}", role=role,
               language=language, timezone=timezone)
    if password:
        obj.set_password(password)
    db.session.add(obj)
    if commit:
        db.session.commit()
    return obj


def training(*, organiser=None, facilitators=(), sessions=0, title_en=None, title_id=None,
             timezone="Asia/Jakarta", capacity=None, quotas=None, certificate_rule=None,
             organisations=("Komnas Perempuan", "INFID"),
             first_start=datetime(2023, 12, 5, 7, 0, tzinfo=UTC), interval_days=2,
             duration_minutes=120, commit=True) -> Training:
    n = next(_seq)
    obj = Training(title_en=title_en or f"Training {n}", title_id=title_id or f"Pelatihan {n}",
                   description_en="About it", description_id="Tentangnya", timezone=timezone,
                   capacity=capacity, certificate_rule=certificate_rule or {})
    db.session.add(obj)
    for position, name in enumerate(organisations):
        org = db.session.scalar(db.select(Organisation).where(Organisation.name == name))
        org = org or Organisation(name=name)
        obj.organisation_links.append(TrainingOrganisation(organisation=org, position=position))
    for code, places in (quotas or {}).items():
        obj.quotas.append(TrainingCountryQuota(country_code=code, places=places))
    if organiser is not None:
        obj.staff.append(TrainingStaff(user=organiser, role="organiser"))
    for fac in facilitators:
        obj.staff.append(TrainingStaff(user=fac, role="facilitator"))
    for i in range(sessions):
        s = TrainingSession(title_en=f"Session {i + 1}", title_id=f"Sesi {i + 1}",
                            starts_at=first_start + timedelta(days=interval_days * i),
                            duration_minutes=duration_minutes,
                            meeting_url=f"https://meet.example.org/t{n}-s{i + 1}")
        obj.sessions.append(s)
    if commit:
        db.session.commit()
    return obj


def session(training_obj, *, starts_at=None, duration_minutes=120, title_en=None, facilitators=(),
            status="scheduled", commit=True) -> TrainingSession:
    n = next(_seq)
    obj = TrainingSession(training=training_obj, title_en=title_en or f"Session {n}",
                          title_id=f"Sesi {n}", duration_minutes=duration_minutes, status=status,
                          starts_at=starts_at or datetime(2023, 12, 5, 7, 0, tzinfo=UTC))
    obj.facilitators.extend(facilitators)
    db.session.add(obj)
    if commit:
        db.session.commit()
    return obj


def enrolment(training_obj, *, user=None, name=None, email=None, country="ID", status="accepted",
              sector="activist", timezone="Asia/Jakarta", language="id", accessibility_needs=None,
              organisation="Kalyanamitra", commit=True) -> Enrolment:
    n = next(_seq)
    obj = Enrolment(training_id=training_obj.id, user_id=user.id if user else None,
                    name=name or (user.name if user else f"Participant {n}"),
                    email=(email or (user.email if user else f"p{n}@example.org")).lower(),
                    country_code=country, status=status, sector=sector, timezone=timezone,
                    language=language, organisation=organisation,
                    accessibility_needs=accessibility_needs,
                    accessibility_consent=accessibility_needs is not None)
    db.session.add(obj)
    if commit:
        db.session.commit()
    return obj
