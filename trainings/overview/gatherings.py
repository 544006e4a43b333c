"""My schedule's gathering part: the participant's check-in QR code and group per training
that meets in person (or has groups)."""
from __future__ import annotations

from functools import lru_cache

from sqlalchemy import Integer, bindparam, exists, select

from ..attendance.checkin import code_of
from ..enrolment.groups.models import TrainingGroup
from ..enrolment.groups.services import group_of
from ..enrolment.models import Enrolment
from ..extensions import db
from ..printing.services import qr_data_uri
from ..scheduling.models import Training, TrainingSession


@lru_cache(maxsize=1)
def _checkin_statement():
    """Built once, with the user as a bound parameter (My schedule asks on every request)."""
    meets = exists().where(TrainingSession.training_id == Enrolment.training_id,
                           TrainingSession.mode != "online")
    grouped = exists().where(TrainingGroup.training_id == Enrolment.training_id)
    return (select(Enrolment, Training).join(Training, Training.id == Enrolment.training_id)
            .where(Enrolment.user_id == bindparam("checkin_user", type_=Integer),
                   Enrolment.status == "accepted", meets | grouped)
            .order_by(Training.id))


def checkin_cards(user) -> list[dict]:
    """``[{"training", "code", "qr", "group"}]`` for the user's accepted enrolments in
    trainings with an in-person or hybrid session, or with groups."""
    rows = db.session.execute(_checkin_statement(), {"checkin_user": user.id})
    cards = []
    for enrolment, training in rows:
        code = code_of(enrolment)
        cards.append({"training": training, "code": code, "qr": qr_data_uri(code),
                      "group": group_of(enrolment.id)})
    return cards
