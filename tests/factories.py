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


# Sessions of the trainings that tests hold (roll call, certificates, reports) took place in
# December 2023. A training people apply to needs sessions still to come: applications
# close once the last session has ended.
PAST_START = datetime(2023, 12, 5, 7, 0, tzinfo=UTC)


def in_days(days: int, hour: int = 7) -> datetime:
    """``hour``:00 UTC, ``days`` days from today (relative to now: never goes stale)."""
    today = datetime.now(UTC).replace(hour=hour, minute=0, second=0, microsecond=0)
    return today + timedelta(days=days)


def training(*, organiser=None, facilitators=(), sessions=0, title_en=None, title_id=None,
             timezone="Asia/Jakarta", capacity=None, quotas=None, certificate_rule=None,
             organisations=("Komnas Perempuan", "INFID"), applications_open=False,
             requires_approval=False, first_start=None, interval_days=2,
             duration_minutes=120, commit=True) -> Training:
    """A training; with ``applications_open`` its sessions start in a week (people apply to
    it), else on 5 December 2023 (they have taken place), unless ``first_start`` says."""
    n = next(_seq)
    if first_start is None:
        first_start = in_days(7) if applications_open else PAST_START
    obj = Training(title_en=title_en or f"Training {n}", title_id=title_id or f"Pelatihan {n}",
                   description_en="About it", description_id="Tentangnya", timezone=timezone,
                   capacity=capacity, certificate_rule=certificate_rule or {},
                   applications_open=applications_open, requires_approval=requires_approval)
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
                          starts_at=starts_at or PAST_START)
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
