"""The outbox and announcements (organisers): thin routes over the outbox and
``trainings.notifications`` services."""
from flask import request
from flask_babel import lazy_gettext as _l

from ..notifications import announcements
from ..outbox.services import message_dict, outbox_count, outbox_for_training
from ..policy import require
from ..scheduling.services import load_training
from .base import actor, body, bp, commit, doc
from .schemas.notifications import AnnouncementIn, Outbox, Queued, Recipients

PAGE = {"limit": ("integer", _l("At most this many messages, newest first (default 200, "
                                "at most 1000)")),
        "offset": ("integer", _l("Skip this many messages"))}


def _int_arg(name: str, default: int, maximum: int) -> int:
    value = request.args.get(name, "")
    return min(int(value), maximum) if value.isdigit() else default


@bp.get("/trainings/<int:training_id>/outbox")
@doc(_l("The mail about a training and its delivery state"), answer=Outbox, query=PAGE)
def outbox(training_id: int):
    training = load_training(training_id)
    require(actor(), "enrolment.manage", training)
    messages = outbox_for_training(training, limit=_int_arg("limit", 200, 1000),
                                   offset=_int_arg("offset", 0, 10**9))
    return {"items": [message_dict(m) for m in messages], "total": outbox_count(training)}


@bp.post("/trainings/<int:training_id>/announcements")
@doc(_l("Send an announcement to the participants, each in their language"),
     body=AnnouncementIn, answer=Queued, status=201)
def announce(training_id: int):
    training = load_training(training_id)
    require(actor(), "notifications.announce", training)
    data = body(AnnouncementIn)
    count = commit(lambda: announcements.announce(training, data.get("subject"),
                                                  data.get("body"), data.get("to"),
                                                  actor=actor()))
    return {"queued": count}, 201


@bp.get("/trainings/<int:training_id>/announcements/recipients")
@doc(_l("Who an announcement with these recipients reaches (a preview)"), answer=Recipients,
     query={"status": ("string", _l("Enrolment status (default: accepted)")),
            "country": ("string", _l("Country code"))})
def announcement_recipients(training_id: int):
    training = load_training(training_id)
    require(actor(), "notifications.announce", training)
    people = announcements.recipients(training, {"status": request.args.get("status"),
                                                 "country": request.args.get("country")})
    return {"items": [{"id": e.id, "name": e.name, "email": e.email, "country": e.country_code,
                       "language": e.language} for e in people], "count": len(people)}
