"""Seats and decisions: capacity and country quotas counted under the training's lock,
status changes, and the waitlist that a freed seat promotes.

Seat allocation is serialised per training: every change that can take or free a seat
starts with a write on the training's row (``UPDATE trainings SET capacity = capacity``).
On PostgreSQL that takes the row lock until commit; on SQLite the write takes the
database's write lock (a deferred transaction whose first statement is a write waits
on ``busy_timeout`` instead of failing). The seats in use are then counted from the
enrolments themselves, so the numbers can never drift from the data, and no two
transactions can both see the last free seat.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import func, select, text

from ...audit.services import record as audit
from ...db import utcnow
from ...errors import Conflict, Forbidden, NotFound, ValidationError
from ...extensions import db
from ...messages import NOT_ALLOWED
from ...scheduling.models import Training, TrainingCountryQuota
from ..models import Enrolment
from .accounts import after_status
from .labels import STATUS_LABELS


@dataclass
class SeatState:
    """Seats in use in one training, counted while holding the training's lock."""

    capacity: int | None
    quotas: dict[str, int]
    accepted: int = 0
    by_country: dict[str, int] = field(default_factory=dict)

    def fits(self, country_code: str) -> bool:
        if self.capacity is not None and self.accepted >= self.capacity:
            return False
        quota = self.quotas.get(country_code)
        # A country without a quota entry is limited only by the capacity.
        return quota is None or self.by_country.get(country_code, 0) < quota

    def take(self, country_code: str) -> None:
        self.accepted += 1
        self.by_country[country_code] = self.by_country.get(country_code, 0) + 1

    def free(self, country_code: str) -> None:
        self.accepted -= 1
        self.by_country[country_code] = self.by_country.get(country_code, 0) - 1


def lock_seats(training: Training) -> SeatState:
    """Take the training's allocation lock (a write, first) and count the seats in use."""
    result = db.session.execute(text("UPDATE trainings SET capacity = capacity WHERE id = :id"),
                                {"id": training.id})
    if result.rowcount != 1:
        raise NotFound(_("No such training."))
    return count_seats(training)


def count_seats(training: Training) -> SeatState:
    """The seats in use now (without the lock: for previews and display only)."""
    capacity = db.session.scalar(select(Training.capacity).where(Training.id == training.id))
    quotas = dict(db.session.execute(
        select(TrainingCountryQuota.country_code, TrainingCountryQuota.places)
        .where(TrainingCountryQuota.training_id == training.id)).all())
    rows = db.session.execute(
        select(Enrolment.country_code, func.count())
        .where(Enrolment.training_id == training.id, Enrolment.status == "accepted")
        .group_by(Enrolment.country_code)).all()
    by_country = {code: n for code, n in rows}
    return SeatState(capacity=capacity, quotas=quotas, accepted=sum(by_country.values()),
                     by_country=by_country)


TRANSITIONS = {
    "accepted": {"applied", "waitlisted", "rejected", "withdrawn"},
    "waitlisted": {"applied", "rejected", "withdrawn"},
    "rejected": {"applied", "waitlisted", "accepted"},
    "withdrawn": {"applied", "waitlisted", "accepted"},
}


def change_status(enrolment: Enrolment, status: str, *, actor=None, notify: bool = True) -> list[Enrolment]:
    """Accept, waitlist, reject or withdraw an enrolment. A freed seat promotes the oldest
    waitlisted enrolments that now fit. Returns the promoted enrolments."""
    if status not in TRANSITIONS:
        raise ValidationError(_("Unknown status: %(status)s", status=str(status)[:20]),
                              field="status", code="invalid_status")
    training = enrolment.training
    seats = lock_seats(training)
    db.session.refresh(enrolment)  # its current status, read under the lock
    old = enrolment.status
    if old == status:
        return []
    if old not in TRANSITIONS[status]:
        raise Conflict(_("An enrolment that is %(old)s cannot become %(new)s.",
                         old=STATUS_LABELS[old], new=STATUS_LABELS[status]),
                       field="status", code="invalid_transition")
    if status == "accepted":
        if not seats.fits(enrolment.country_code):
            raise Conflict(_("No place is free: the training or this country's quota is full."),
                           field="status", code="no_place")
        seats.take(enrolment.country_code)
    enrolment.status = status
    enrolment.decided_at = utcnow()
    if actor is not None and getattr(actor, "id", None) != enrolment.user_id:
        audit(training.id, actor, "enrolment.status_changed", enrolment,
              {"from": old, "to": status})
    db.session.flush()
    promoted: list[Enrolment] = []
    if old == "accepted":
        seats.free(enrolment.country_code)
        promoted = _promote(training, seats, notify=notify)
    after_status(enrolment, notify_person=notify)
    return promoted


BULK_STATUSES = ("accepted", "waitlisted")


def change_statuses(training: Training, enrolment_ids: list[int], status: str, *, actor=None,
                    notify: bool = True) -> tuple[list[Enrolment], list[tuple[Enrolment, str]]]:
    """Accept or waitlist several enrolments of one training, oldest application first.
    Returns (changed, refused with the reason); a refusal (no free place, a status that
    cannot change so) does not stop the others."""
    if status not in BULK_STATUSES:
        raise ValidationError(_("Only accepting and waitlisting can be done for several people "
                                "at once."), field="status", code="invalid_status")
    wanted = set(enrolment_ids or [])
    if not wanted:
        raise ValidationError(_("Choose at least one person."), field="enrolments")
    people = list(db.session.scalars(select(Enrolment).where(
        Enrolment.training_id == training.id, Enrolment.id.in_(wanted))
        .order_by(Enrolment.created_at, Enrolment.id)))
    changed, refused = [], []
    for enrolment in people:
        if enrolment.status == status:
            continue
        try:
            with db.session.begin_nested():
                change_status(enrolment, status, actor=actor, notify=notify)
            changed.append(enrolment)
        except (Conflict, ValidationError) as error:
            refused.append((enrolment, str(error.message)))
    return changed, refused


def training_finished(training: Training, now=None) -> bool:
    """Every session of the training has ended (a training without sessions never has)."""
    return training.has_ended(now)


def withdraw_own(enrolment: Enrolment, *, actor) -> list[Enrolment]:
    if actor is None or enrolment.user_id != getattr(actor, "id", None):
        raise Forbidden(NOT_ALLOWED)
    if enrolment.status == "accepted" and training_finished(enrolment.training):
        raise Conflict(_("This training has ended: an enrolment in it can no longer be "
                         "withdrawn (your attendance and certificate stay as they are)."),
                       field="status", code="training_finished")
    return change_status(enrolment, "withdrawn", actor=actor)


def promote_waitlisted(training: Training, *, actor=None, notify: bool = True) -> list[Enrolment]:
    """Accept the oldest waitlisted enrolments that fit (e.g. after raising the capacity)."""
    return _promote(training, lock_seats(training), notify=notify)


def _promote(training: Training, seats: SeatState, *, notify: bool) -> list[Enrolment]:
    """Nobody is promoted once the training has ended: a place in a finished training is
    worth nothing, and the mail would say otherwise. The waitlist stays as it was."""
    promoted = []
    if seats.capacity is not None and seats.accepted >= seats.capacity:
        return promoted
    if training_finished(training):
        return promoted
    waiting = db.session.scalars(
        select(Enrolment).where(Enrolment.training_id == training.id,
                                Enrolment.status == "waitlisted")
        .order_by(Enrolment.created_at, Enrolment.id))
    for candidate in waiting:
        if seats.capacity is not None and seats.accepted >= seats.capacity:
            break
        if seats.fits(candidate.country_code):
            seats.take(candidate.country_code)
            candidate.status = "accepted"
            candidate.decided_at = utcnow()
            promoted.append(candidate)
    db.session.flush()
    for candidate in promoted:
        after_status(candidate, notify_person=notify)
    return promoted
