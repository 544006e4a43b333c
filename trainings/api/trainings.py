"""Trainings and sessions (scheduling): thin routes over ``trainings.scheduling.services``."""
from flask import request
from flask_babel import lazy_gettext as _l

from ..errors import ValidationError
from ..evaluation import services as evaluation
from ..notifications.reminders import set_reminders
from ..policy import can, require
from ..scheduling import services
from ..timezones import validate_timezone
from .base import actor, body, bp, commit, doc
from .schemas import (
    SeriesAnswer,
    SeriesIn,
    SessionAnswer,
    SessionIn,
    SessionOut,
    SessionPatch,
    Sessions,
    StaffIn,
    StaffList,
    StaffOut,
    TrainingIn,
    TrainingOut,
    TrainingPatch,
    Trainings,
)

_training = services.load_training
_session = services.load_session
TZ = {"tz": ("string", _l("IANA time zone for the local times (default: your own)"))}


def _zone() -> str:
    zone = request.args.get("tz")
    return validate_timezone(zone, field="tz") if zone else actor().timezone


def session_answer(session, *, number: int | None = None, warnings=None, zone: str | None = None) -> dict:
    """The contract's session shape plus the facilitator-conflict ``warnings``."""
    fields = SessionOut.fields_of(session, number or services.session_number(session),
                                  zone or _zone())
    return SessionAnswer(**fields, warnings=list(warnings or [])).dump()


def staff_dict(staff) -> dict:
    return StaffOut.of(staff)


@bp.get("/trainings")
@doc(_l("Trainings you may see"), answer=Trainings)
def list_trainings():
    return {"items": [TrainingOut.of(t) for t in services.visible_trainings(actor())]}


@bp.post("/trainings")
@doc(_l("Create a training (you become its organiser)"), body=TrainingIn, answer=TrainingOut,
     status=201)
def create_training():
    require(actor(), "training.create")
    data = body(TrainingIn)
    training = commit(lambda: _create(data))
    return TrainingOut.of(training), 201


def _create(data: dict):
    """Create a training: the reminders belong to notifications, the rest to scheduling."""
    reminders = data.pop("reminders", None)
    training = services.create_training(data, actor=actor())
    if reminders is not None:
        set_reminders(training, reminders, actor=actor())
    return training


@bp.get("/trainings/<int:training_id>")
@doc(_l("One training"), answer=TrainingOut)
def get_training(training_id: int):
    training = _training(training_id)
    require(actor(), "training.view", training)
    return TrainingOut.of(training)


@bp.patch("/trainings/<int:training_id>")
@doc(_l("Change a training"), body=TrainingPatch, answer=TrainingOut)
def update_training(training_id: int):
    training = _training(training_id)
    require(actor(), "training.edit", training)
    data = body(TrainingPatch)
    commit(lambda: _change(training, data))
    answer = TrainingOut.of(training)
    if "follow_up_days" in data:
        answer["follow_up_days"] = evaluation.follow_up_days(training)
    return answer


def _change(training, data: dict) -> None:
    """Change a training: follow_up_days is evaluation's setting, reminders notifications',
    the rest scheduling's."""
    services.update_training(training, {k: v for k, v in data.items()
                                         if k not in ("follow_up_days", "reminders")},
                             actor=actor())
    if "follow_up_days" in data:
        evaluation.set_follow_up_days(training, data["follow_up_days"], actor=actor())
    if "reminders" in data:
        set_reminders(training, data["reminders"], actor=actor())


@bp.get("/trainings/<int:training_id>/staff")
@doc(_l("Organisers and facilitators of a training"), answer=StaffList)
def list_staff(training_id: int):
    training = _training(training_id)
    require(actor(), "training.view", training)
    return {"items": [StaffOut.of(s) for s in training.staff]}


@bp.post("/trainings/<int:training_id>/staff")
@doc(_l("Add an organiser or facilitator"), body=StaffIn, answer=StaffOut, status=201)
def add_staff(training_id: int):
    training = _training(training_id)
    require(actor(), "training.manage_staff", training)
    data = body(StaffIn)
    staff = commit(lambda: services.add_staff(training, data.get("email"), data.get("role"),
                                              actor=actor()))
    return StaffOut.of(staff), 201


@bp.delete("/trainings/<int:training_id>/staff/<int:staff_id>")
@doc(_l("Remove a member of staff"), status=204)
def remove_staff(training_id: int, staff_id: int):
    training = _training(training_id)
    require(actor(), "training.manage_staff", training)
    commit(lambda: services.remove_staff(training, staff_id, actor=actor()))
    return "", 204


@bp.get("/trainings/<int:training_id>/sessions")
@doc(_l("Sessions of a training, numbered by start time"), answer=Sessions, query=TZ)
def list_sessions(training_id: int):
    training = _training(training_id)
    require(actor(), "training.view", training)
    zone = _zone()
    # The meeting link is for staff and accepted participants, not applicants or the waitlist.
    show_link = can(actor(), "training.join", training)
    return {"items": [SessionOut.of(s, n, zone, show_link=show_link)
                      for n, s in services.numbered_sessions(training)]}


@bp.post("/trainings/<int:training_id>/sessions")
@doc(_l("Add a session"), body=SessionIn, answer=SessionAnswer, status=201, query=TZ)
def create_session(training_id: int):
    training = _training(training_id)
    require(actor(), "session.create", training)
    data = body(SessionIn)
    zone = _zone()
    session, warnings = commit(lambda: services.create_session(training, data, actor=actor()))
    return session_answer(session, warnings=warnings, zone=zone), 201


@bp.post("/trainings/<int:training_id>/sessions/series")
@doc(_l("Add a series of sessions"), body=SeriesIn, answer=SeriesAnswer, status=201, query=TZ)
def create_series(training_id: int):
    training = _training(training_id)
    require(actor(), "session.create", training)
    data = body(SeriesIn)
    zone = _zone()
    sessions, warnings = commit(lambda: services.create_series(training, data, actor=actor()))
    numbers = {s.id: n for n, s in services.numbered_sessions(training)}
    items = [session_answer(s, number=numbers[s.id], zone=zone,
                            warnings=[w for w in warnings if w["session"] == s.id])
             for s in sessions]
    return {"items": items, "warnings": warnings}, 201


@bp.get("/sessions/<int:session_id>")
@doc(_l("One session"), answer=SessionOut, query=TZ)
def get_session(session_id: int):
    session = _session(session_id)
    require(actor(), "session.view", session)
    show_link = can(actor(), "training.join", session)
    return SessionOut.of(session, services.session_number(session), _zone(), show_link=show_link)


@bp.patch("/sessions/<int:session_id>")
@doc(_l("Reschedule, change or cancel a session"), body=SessionPatch, answer=SessionAnswer,
     query=TZ)
def update_session(session_id: int):
    session = _session(session_id)
    require(actor(), "session.edit", session)
    data = body(SessionPatch)
    if not data:
        raise ValidationError(_l("Nothing to change."), code="empty_change")
    zone = _zone()
    warnings = commit(lambda: services.update_session(session, data, actor=actor()))
    return session_answer(session, warnings=warnings, zone=zone)
