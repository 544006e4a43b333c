"""Gatherings (docs/gatherings.md): check-in codes and check-in; groups."""
from __future__ import annotations

from flask import request
from flask_babel import lazy_gettext as _l

from ..attendance import checkin
from ..attendance import services as attendance_services
from ..errors import ValidationError
from ..policy import require
from ..scheduling import services as scheduling_services
from .base import actor, body, bp, commit, doc
from .schemas.gatherings import CheckinCode, CheckinIn, CheckinOut


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
