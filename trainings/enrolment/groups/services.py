"""Groups within a training: create, assign (balanced by country and/or organisation), join.

Every place is counted under a write lock on the group rows (``UPDATE ... SET capacity =
capacity``, as the seats of a training are), so concurrent joins never fill a group above
its capacity, on SQLite and PostgreSQL alike.
"""
from __future__ import annotations

from collections import Counter

from flask_babel import gettext as _
from sqlalchemy import delete, func, select, update

from ...errors import Conflict, NotFound, ValidationError
from ...extensions import db
from ...messages import BODY_NOT_OBJECT, UNKNOWN_FIELD
from ...scheduling.models import Training, TrainingStaff
from ...scheduling.services.checks import users_by_email
from ...validation import Errors, bilingual, whole_number
from ..models import Enrolment
from .models import GroupMember, TrainingGroup

GROUP_FIELDS = {"name", "capacity", "facilitators"}
BALANCE_FIELDS = ("country", "organisation")
MAX_GROUP_CAPACITY = 10_000


def load_group(group_id: int) -> TrainingGroup:
    group = db.session.get(TrainingGroup, group_id)
    if group is None:
        raise NotFound(_("No such group."))
    return group


def groups_of(training: Training) -> list[TrainingGroup]:
    return list(db.session.scalars(select(TrainingGroup).where(
        TrainingGroup.training_id == training.id).order_by(TrainingGroup.id)))


def create_group(training: Training, data: dict, *, actor) -> TrainingGroup:
    if not isinstance(data, dict):
        raise ValidationError(BODY_NOT_OBJECT)
    errors = Errors()
    for name in sorted(set(data) - GROUP_FIELDS):
        errors.add(name, UNKNOWN_FIELD)
    name_id, name_en = bilingual(data.get("name"), "name", errors, max_length=200, required=True)
    capacity = whole_number(data.get("capacity"), "capacity", errors, minimum=1,
                            maximum=MAX_GROUP_CAPACITY,
                            message=_("A group has room for 1 to %(max)d people.",
                                      max=MAX_GROUP_CAPACITY))
    facilitators = users_by_email(data.get("facilitators"), "facilitators", errors)
    errors.raise_if_any()
    group = TrainingGroup(training_id=training.id, name_id=name_id or name_en,
                          name_en=name_en or name_id, capacity=capacity)
    group.facilitators = list(facilitators)
    staffed = {s.user_id for s in training.staff}
    for user in facilitators:  # group facilitators become facilitators of the training
        if user.id not in staffed:
            training.staff.append(TrainingStaff(user=user, role="facilitator"))
            staffed.add(user.id)
    db.session.add(group)
    db.session.flush()
    return group


def _lock(group_ids: list[int]) -> None:
    if group_ids:
        db.session.execute(update(TrainingGroup).where(TrainingGroup.id.in_(group_ids))
                           .values(capacity=TrainingGroup.capacity))


def _accepted(training: Training) -> list[Enrolment]:
    return list(db.session.scalars(select(Enrolment).where(
        Enrolment.training_id == training.id, Enrolment.status == "accepted")
        .order_by(Enrolment.name, Enrolment.id)))


def _value(enrolment: Enrolment, field: str) -> str:
    if field == "country":
        return enrolment.country_code or ""
    return " ".join((enrolment.organisation or "").casefold().split())


def clean_balance(by) -> list[str]:
    if by is None:
        return list(BALANCE_FIELDS)
    if isinstance(by, str):
        by = [by]
    if not isinstance(by, list) or any(b not in BALANCE_FIELDS for b in by):
        raise ValidationError(_("Balance by country and/or organisation."), field="by")
    return list(dict.fromkeys(by))


def assign(training: Training, by=None, *, actor, reset: bool = False) -> dict:
    """Every accepted participant in exactly one group, spread so that each group mixes
    countries and/or organisations, never above a group's capacity.

    People already in a group (their own choice or an earlier assignment) stay unless
    ``reset``; people no longer accepted leave their group. 409 and nothing written when
    the groups have too few places."""
    fields = clean_balance(by)
    groups = groups_of(training)
    if not groups:
        raise ValidationError(_("Create the groups first."), field="groups")
    _lock([g.id for g in groups])
    people = _accepted(training)
    accepted_ids = {e.id for e in people}
    group_ids = [g.id for g in groups]
    members = list(db.session.scalars(select(GroupMember).where(
        GroupMember.group_id.in_(group_ids))))
    if reset:
        keep = []
    else:
        keep = [m for m in members if m.enrolment_id in accepted_ids]
    kept_ids = {m.enrolment_id for m in keep}
    removed = [m for m in members if m.enrolment_id not in kept_ids]
    capacity = sum(g.capacity for g in groups)
    if len(people) > capacity:
        raise Conflict(_("%(people)d participants but only %(places)d places in the groups: "
                         "add a group or raise a capacity.", people=len(people), places=capacity),
                       field="capacity", code="groups_full")
    for member in removed:
        db.session.delete(member)
    db.session.flush()
    size = Counter()
    mix = {field: Counter() for field in fields}  # (group, value) → count
    by_id = {e.id: e for e in people}
    for member in keep:
        size[member.group_id] += 1
        for field in fields:
            mix[field][(member.group_id, _value(by_id[member.enrolment_id], field))] += 1
    waiting = [e for e in people if e.id not in kept_ids]
    # the largest countries/organisations first, so they are spread before the groups fill
    strata = Counter(tuple(_value(e, f) for f in fields) for e in waiting)
    waiting.sort(key=lambda e: (-strata[tuple(_value(e, f) for f in fields)],
                                tuple(_value(e, f) for f in fields), e.name.casefold(), e.id))
    placed = 0
    for enrolment in waiting:
        open_groups = [g for g in groups if size[g.id] < g.capacity]
        best = min(open_groups, key=lambda g: (
            tuple(mix[f][(g.id, _value(enrolment, f))] for f in fields),
            size[g.id] / g.capacity, g.id))
        db.session.add(GroupMember(group_id=best.id, enrolment_id=enrolment.id))
        size[best.id] += 1
        for field in fields:
            mix[field][(best.id, _value(enrolment, field))] += 1
        placed += 1
    db.session.flush()
    for group in groups:
        db.session.refresh(group, ["members"])
    return {"assigned": placed, "kept": len(keep), "removed": len(removed)}


def join(group: TrainingGroup, enrolment: Enrolment | None, *, actor) -> GroupMember:
    """A participant's own choice while there is room (409 when the group is full)."""
    if enrolment is None or enrolment.training_id != group.training_id \
            or enrolment.status != "accepted":
        raise NotFound(_("You have no confirmed place in this training."), field="enrolment")
    _lock([group.id])
    current = db.session.get(GroupMember, enrolment.id)
    if current is not None and current.group_id == group.id:
        return current
    taken = db.session.scalar(select(func.count()).select_from(GroupMember).where(
        GroupMember.group_id == group.id)) or 0
    if taken >= group.capacity:
        raise Conflict(_("This group is full."), field="group", code="group_full")
    if current is not None:
        db.session.delete(current)
        db.session.flush()
    member = GroupMember(group_id=group.id, enrolment_id=enrolment.id)
    db.session.add(member)
    db.session.flush()
    db.session.expire(group, ["members"])
    return member


def leave(group: TrainingGroup, enrolment: Enrolment, *, actor) -> bool:
    result = db.session.execute(delete(GroupMember).where(
        GroupMember.group_id == group.id, GroupMember.enrolment_id == enrolment.id))
    db.session.flush()
    db.session.expire(group, ["members"])
    return bool(result.rowcount)


def own_enrolment(training_id: int, user) -> Enrolment | None:
    if user is None or not getattr(user, "id", None):
        return None
    return db.session.scalar(select(Enrolment).where(
        Enrolment.training_id == training_id, Enrolment.user_id == user.id))


def group_of(enrolment_id: int) -> TrainingGroup | None:
    return db.session.scalar(select(TrainingGroup).join(GroupMember).where(
        GroupMember.enrolment_id == enrolment_id))


def group_dict(group: TrainingGroup, *, members: bool = True) -> dict:
    rows = sorted(group.members, key=lambda m: (m.enrolment.name.casefold(), m.enrolment_id))
    return {"id": group.id, "name": {"id": group.name_id, "en": group.name_en},
            "capacity": group.capacity,
            "facilitators": [u.email for u in group.facilitators],
            "members": [{"enrolment": m.enrolment_id, "name": m.enrolment.name,
                         "country": m.enrolment.country_code} for m in rows] if members else []}
