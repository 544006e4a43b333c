"""Trainings and sessions (scheduling)."""
from flask import request

from ..errors import NotFound
from ..policy import is_enrolled, is_staff, require
from ..scheduling import services
from ..timezones import validate_timezone
from .base import actor, bp
from .serializers import session_dict, training_dict


def _training(training_id: int):
    training = services.get_training(training_id)
    if training is None:
        raise NotFound("No such training.")
    return training


@bp.get("/trainings")
def list_trainings():
    return {"items": [training_dict(t) for t in services.visible_trainings(actor())]}


@bp.get("/trainings/<int:training_id>")
def get_training(training_id: int):
    training = _training(training_id)
    require(actor(), "training.view", training)
    return training_dict(training)


@bp.get("/trainings/<int:training_id>/sessions")
def list_sessions(training_id: int):
    training = _training(training_id)
    require(actor(), "training.view", training)
    zone = request.args.get("tz")
    zone = validate_timezone(zone, field="tz") if zone else actor().timezone
    # The meeting link is for staff and accepted participants, not applicants or the waitlist.
    show_link = is_staff(actor(), training) or is_enrolled(actor(), training)
    return {"items": [session_dict(s, n, zone, show_link=show_link)
                      for n, s in services.numbered_sessions(training)]}

