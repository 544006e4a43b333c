"""Trainings and sessions (scheduling): thin routes over ``trainings.scheduling.services``."""
from flask import request

from ..errors import ValidationError
from ..extensions import db
from ..policy import can, require
from ..scheduling import services
from ..timezones import validate_timezone
from .base import actor, bp, json_body
from .serializers import session_dict, training_dict

_training = services.load_training
_session = services.load_session


def _zone() -> str:
    zone = request.args.get("tz")
    return validate_timezone(zone, field="tz") if zone else actor().timezone


def session_answer(session, *, number: int | None = None, warnings=None, zone: str | None = None) -> dict:
    """The contract's session shape plus the facilitator-conflict ``warnings``."""
    data = session_dict(session, number or services.session_number(session), zone or _zone())
    data["warnings"] = list(warnings or [])
    return data


def staff_dict(staff) -> dict:
    return {"id": staff.id, "training": staff.training_id, "email": staff.user.email,
            "name": staff.user.name, "role": staff.role}


@bp.get("/trainings")
def list_trainings():
    return {"items": [training_dict(t) for t in services.visible_trainings(actor())]}


@bp.post("/trainings")
def create_training():
    require(actor(), "training.create")
    data = json_body()
    training = services.create_training(data, actor=actor())
    db.session.commit()
    return training_dict(training), 201


@bp.get("/trainings/<int:training_id>")
def get_training(training_id: int):
    training = _training(training_id)
    require(actor(), "training.view", training)
    return training_dict(training)


@bp.patch("/trainings/<int:training_id>")
def update_training(training_id: int):
    training = _training(training_id)
    require(actor(), "training.edit", training)
    services.update_training(training, json_body(), actor=actor())
    db.session.commit()
    return training_dict(training)


@bp.get("/trainings/<int:training_id>/staff")
def list_staff(training_id: int):
    training = _training(training_id)
    require(actor(), "training.view", training)
    return {"items": [staff_dict(s) for s in training.staff]}


@bp.post("/trainings/<int:training_id>/staff")
def add_staff(training_id: int):
    training = _training(training_id)
    require(actor(), "training.manage_staff", training)
    data = json_body()
    staff = services.add_staff(training, data.get("email"), data.get("role"), actor=actor())
    db.session.commit()
    return staff_dict(staff), 201


@bp.delete("/trainings/<int:training_id>/staff/<int:staff_id>")
def remove_staff(training_id: int, staff_id: int):
    training = _training(training_id)
    require(actor(), "training.manage_staff", training)
    services.remove_staff(training, staff_id, actor=actor())
    db.session.commit()
    return "", 204


@bp.get("/trainings/<int:training_id>/sessions")
def list_sessions(training_id: int):
    training = _training(training_id)
    require(actor(), "training.view", training)
    zone = _zone()
    # The meeting link is for staff and accepted participants, not applicants or the waitlist.
    show_link = can(actor(), "training.join", training)
    return {"items": [session_dict(s, n, zone, show_link=show_link)
                      for n, s in services.numbered_sessions(training)]}


@bp.post("/trainings/<int:training_id>/sessions")
def create_session(training_id: int):
    training = _training(training_id)
    require(actor(), "session.create", training)
    data = json_body()
    zone = _zone()
    session, warnings = services.create_session(training, data, actor=actor())
    db.session.commit()
    return session_answer(session, warnings=warnings, zone=zone), 201


@bp.post("/trainings/<int:training_id>/sessions/series")
def create_series(training_id: int):
    training = _training(training_id)
    require(actor(), "session.create", training)
    data = json_body()
    zone = _zone()
    sessions, warnings = services.create_series(training, data, actor=actor())
    db.session.commit()
    numbers = {s.id: n for n, s in services.numbered_sessions(training)}
    items = [session_answer(s, number=numbers[s.id], zone=zone,
                            warnings=[w for w in warnings if w["session"] == s.id])
             for s in sessions]
    return {"items": items, "warnings": warnings}, 201


@bp.get("/sessions/<int:session_id>")
def get_session(session_id: int):
    session = _session(session_id)
    require(actor(), "session.view", session)
    show_link = can(actor(), "training.join", session)
    data = session_dict(session, services.session_number(session), _zone(), show_link=show_link)
    return data


@bp.patch("/sessions/<int:session_id>")
def update_session(session_id: int):
    session = _session(session_id)
    require(actor(), "session.edit", session)
    data = json_body()
    if not data:
        raise ValidationError("Nothing to change.", code="empty_change")
    zone = _zone()
    warnings = services.update_session(session, data, actor=actor())
    db.session.commit()
    return session_answer(session, warnings=warnings, zone=zone)
