"""Enrolments."""
from flask import request

from ..enrolment import services
from ..errors import NotFound
from ..policy import require
from ..scheduling.services import get_training
from .base import actor, bp
from .serializers import enrolment_dict


@bp.get("/trainings/<int:training_id>/enrolments")
def list_enrolments(training_id: int):
    training = get_training(training_id)
    if training is None:
        raise NotFound("No such training.")
    require(actor(), "enrolment.list", training)
    items = services.list_enrolments(training, country=request.args.get("country"),
                                     status=request.args.get("status"),
                                     sector=request.args.get("sector"),
                                     search=request.args.get("q"))
    return {"items": [enrolment_dict(e, with_accessibility=True) for e in items]}
