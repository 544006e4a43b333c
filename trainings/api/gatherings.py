"""Gatherings (docs/gatherings.md): check-in codes and check-in; groups."""
from __future__ import annotations

from flask import request
from flask_babel import lazy_gettext as _l

from ..attendance import checkin
from ..attendance import services as attendance_services
from ..enrolment.groups import services as groups
from ..errors import ValidationError
from ..policy import can, require
from ..scheduling import services as scheduling_services
from .base import actor, body, bp, commit, doc
from .schemas.gatherings import (
    AssignIn,
    CheckinCode,
    CheckinIn,
    CheckinOut,
    GroupIn,
    GroupOut,
    Groups,
)


@bp.get("/me/checkin")
@doc(_l("Your personal check-in code for a training (shown as a QR code)"), answer=CheckinCode,
     query={"training": ("integer", _l("The training's id"))})
def my_checkin():
    raw = request.args.get("training", "")
    if not raw.isdigit():
        raise ValidationError(_l("Give the training's id."), field="training")
    training = scheduling_services.load_training(int(raw))
    require(actor(), "training.view", training)
    return {"code": commit(lambda: checkin.own_code(actor(), training))}


@bp.post("/sessions/<int:session_id>/checkin")
@doc(_l("Check a participant in with their code (or enrolment id): present, source checkin"),
     body=CheckinIn, answer=CheckinOut)
def check_in(session_id: int):
    session = attendance_services.get_session(session_id)
    require(actor(), "attendance.checkin", session)
    data = body(CheckinIn)
    if data.get("enrolment") is not None and data.get("code") is None:
        result = commit(lambda: checkin.check_in_enrolment(session, data["enrolment"],
                                                           actor=actor()))
    else:
        result = commit(lambda: checkin.check_in_code(session, data.get("code"), actor=actor()))
    return CheckinOut(**result.as_dict()).dump()


@bp.get("/trainings/<int:training_id>/groups")
@doc(_l("Groups of a training with their members (members for the team only)"), answer=Groups)
def list_groups(training_id: int):
    training = scheduling_services.load_training(training_id)
    require(actor(), "group.list", training)
    return {"items": [groups.group_dict(g, members=can(actor(), "group.members", g))
                      for g in groups.groups_of(training)]}


@bp.post("/trainings/<int:training_id>/groups")
@doc(_l("Create a group"), body=GroupIn, answer=GroupOut, status=201)
def create_group(training_id: int):
    training = scheduling_services.load_training(training_id)
    require(actor(), "group.manage", training)
    data = body(GroupIn)
    group = commit(lambda: groups.create_group(training, data, actor=actor()))
    return groups.group_dict(group), 201


@bp.post("/trainings/<int:training_id>/groups/assign")
@doc(_l("Put every accepted participant in a group, balanced by country and/or organisation"),
     body=AssignIn, answer=Groups)
def assign_groups(training_id: int):
    training = scheduling_services.load_training(training_id)
    require(actor(), "group.manage", training)
    data = body(AssignIn, required=False) or {}
    commit(lambda: groups.assign(training, data.get("by"), actor=actor(),
                                 reset=bool(data.get("reset"))))
    return {"items": [groups.group_dict(g) for g in groups.groups_of(training)]}


@bp.post("/groups/<int:group_id>/join")
@doc(_l("Join a group (your own choice, while there is room)"), answer=GroupOut)
def join_group(group_id: int):
    group = groups.load_group(group_id)
    require(actor(), "group.join", group)
    enrolment = groups.own_enrolment(group.training_id, actor())
    commit(lambda: groups.join(group, enrolment, actor=actor()))
    return groups.group_dict(group, members=can(actor(), "group.members", group))
