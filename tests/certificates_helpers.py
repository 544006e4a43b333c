"""Shared set-up of the certificates tests (not a test module)."""
from __future__ import annotations

from trainings.attendance.models import AttendanceRecord
from trainings.extensions import db

BASE = "https://anyam.example.org"


def base() -> str:
    return BASE


def attend(enrolment, sessions, status="present") -> None:
    for session in sessions:
        db.session.add(AttendanceRecord(session_id=session.id, enrolment_id=enrolment.id,
                                        status=status))


def certified_training(make, names=("Siti Rahmawati",), *, sessions=3, attended=None,
                       organiser=None, rule=None):
    """A training whose enrolments (one per name) attended every session unless told."""
    organiser = organiser or make.user("organiser")
    training = make.training(organiser=organiser, sessions=sessions,
                             certificate_rule=rule or {"min_sessions": sessions})
    enrolments = []
    for name in names:
        enrolment = make.enrolment(training, name=name)
        attend(enrolment, training.sessions[: sessions if attended is None else attended])
        enrolments.append(enrolment)
    db.session.commit()
    return training, enrolments, organiser
