"""Check-in at gatherings: a participant's personal code (a QR on My schedule and the
badge) or a search by name marks them present, as an attendance record with source
``checkin`` in the same audit trail (:func:`.services.set_records`). A repeat changes
nothing and says so.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..enrolment.models import Enrolment, new_checkin_code
from ..errors import NotFound, ValidationError
from ..extensions import db
from ..organisations.names import fold
from ..scheduling.models import Training, TrainingSession
from .models import AttendanceRecord
from .services import Change, set_records

SOURCE = "checkin"
SHEET_SOURCE = "sheet"
MAX_CODE = 64
SEARCH_LIMIT = 20
ARRIVED = ("present", "late")


@dataclass
class CheckIn:
    enrolment: int
    name: str
    status: str
    already: bool  # checked in (or marked present) before: nothing was written

    def as_dict(self) -> dict:
        return {"enrolment": self.enrolment, "name": self.name, "status": self.status,
                "already": self.already}


def code_of(enrolment: Enrolment) -> str:
    """The enrolment's check-in code (made now for a row that predates codes)."""
    if not enrolment.checkin_code:
        enrolment.checkin_code = new_checkin_code()
        db.session.flush()
    return enrolment.checkin_code


def own_code(user, training: Training) -> str:
    """The caller's code for a training: only an accepted participant has one."""
    enrolment = db.session.scalar(select(Enrolment).where(
        Enrolment.training_id == training.id, Enrolment.user_id == user.id,
        Enrolment.status == "accepted"))
    if enrolment is None:
        raise NotFound(_l("You have no confirmed place in this training."), field="training")
    return code_of(enrolment)


def _accepted_by_code(session: TrainingSession, code) -> Enrolment:
    if not isinstance(code, str) or not code.strip() or len(code.strip()) > MAX_CODE:
        raise ValidationError(_l("Give the check-in code."), field="code")
    enrolment = db.session.scalar(select(Enrolment).where(
        Enrolment.checkin_code == code.strip(), Enrolment.training_id == session.training_id,
        Enrolment.status == "accepted"))
    if enrolment is None:
        raise NotFound(_l("This code is not a confirmed participant of this training."),
                       field="code", code="unknown_code")
    return enrolment


def _check_in(session: TrainingSession, enrolment: Enrolment, *, actor) -> CheckIn:
    record = db.session.scalar(select(AttendanceRecord).where(
        AttendanceRecord.session_id == session.id,
        AttendanceRecord.enrolment_id == enrolment.id))
    if record is not None and record.status in ARRIVED:
        return CheckIn(enrolment.id, enrolment.name, record.status, already=True)
    set_records(session, [Change(enrolment=enrolment.id, status="present")], actor=actor,
                source=SOURCE)
    return CheckIn(enrolment.id, enrolment.name, "present", already=False)


def check_in_code(session: TrainingSession, code, *, actor) -> CheckIn:
    """Check in the holder of ``code``: 404 for a code of another training or of a person
    who is not accepted; a repeat writes nothing."""
    return _check_in(session, _accepted_by_code(session, code), actor=actor)


def check_in_enrolment(session: TrainingSession, enrolment_id, *, actor) -> CheckIn:
    """Check in by name (the search result's enrolment id): the alternative to a camera."""
    enrolment = db.session.get(Enrolment, enrolment_id) if isinstance(enrolment_id, int) else None
    if enrolment is None or enrolment.training_id != session.training_id \
            or enrolment.status != "accepted":
        raise NotFound(_l("Not a confirmed participant of this training."), field="enrolment")
    return _check_in(session, enrolment, actor=actor)


def search(session: TrainingSession, query: str) -> list[dict]:
    """Accepted participants whose name or email contains ``query`` (case and accents
    ignored), with whether they have arrived."""
    words = fold(query or "").split()
    if not words:
        return []
    statement = (select(Enrolment.id, Enrolment.name, Enrolment.organisation,
                        Enrolment.country_code, AttendanceRecord.status)
                 .outerjoin(AttendanceRecord, (AttendanceRecord.enrolment_id == Enrolment.id)
                            & (AttendanceRecord.session_id == session.id))
                 .where(Enrolment.training_id == session.training_id,
                        Enrolment.status == "accepted"))
    for word in words[:5]:
        statement = statement.where(Enrolment.search_key.contains(word, autoescape=True))
    rows = db.session.execute(statement.order_by(Enrolment.name).limit(SEARCH_LIMIT))
    return [{"enrolment": eid, "name": name, "organisation": org or "", "country": country,
             "checked_in": status in ARRIVED}
            for eid, name, org, country, status in rows]


def record_sheet(session: TrainingSession, signed: list[int], *, actor) -> int:
    """The signed sign-in sheet back as attendance: each ticked person present (source
    ``sheet``); others untouched. Returns the number of records changed."""
    if not signed:
        return 0
    arrived = set(db.session.scalars(select(AttendanceRecord.enrolment_id).where(
        AttendanceRecord.session_id == session.id, AttendanceRecord.status.in_(ARRIVED))))
    changes = [Change(enrolment=e, status="present") for e in dict.fromkeys(signed)
               if e not in arrived]
    if not changes:
        return 0
    return set_records(session, changes, actor=actor, source=SHEET_SOURCE)
