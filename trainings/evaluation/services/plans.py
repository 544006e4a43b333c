"""Action plans: commitments with due dates, status updates (every one kept), and the
follow-up settings (the mails themselves: ``followups.py``)."""
from __future__ import annotations

from collections import Counter
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ...db import utcnow
from ...enrolment.models import Enrolment
from ...errors import NotFound, ValidationError
from ...extensions import db
from ...timezones import iso_utc
from ..models import (
    COMMITMENT_STATUSES,
    ActionPlan,
    Commitment,
    CommitmentUpdate,
    EvaluationSettings,
    FollowUpMail,
)
from .surveys import Problems

MAX_COMMITMENTS = 20
MAX_NOTE = 2000
MAX_FOLLOW_UPS = 10


def status_labels() -> dict:
    return {"not_started": _("Not started"), "in_progress": _("In progress"),
            "done": _("Done"), "dropped": _("Dropped")}


def _due(value, field: str, problems: Problems) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value.strip():
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    problems.add(field, _("Give the due date as YYYY-MM-DD."))
    return None


def clean_commitments(items) -> list[dict]:
    problems = Problems()
    if not isinstance(items, list) or not items:
        raise ValidationError(_l("Write at least one commitment."), field="commitments")
    if len(items) > MAX_COMMITMENTS:
        raise ValidationError(_l("At most %(num)s commitments.", num=MAX_COMMITMENTS),
                              field="commitments")
    clean = []
    for i, item in enumerate(items):
        field = f"commitments.{i}"
        if not isinstance(item, dict):
            problems.add(field, _("Each commitment is an object with text and due date."))
            continue
        text = item.get("text")
        text = text.strip() if isinstance(text, str) else ""
        if not text:
            problems.add(f"{field}.text", _("Write what you commit to."))
        elif len(text) > MAX_NOTE:
            problems.add(f"{field}.text", _("At most %(num)s characters.", num=MAX_NOTE))
        due = _due(item.get("due"), f"{field}.due", problems)
        clean.append({"text": text, "due": due})
    problems.raise_if_any()
    return clean


def plan_of(enrolment) -> ActionPlan | None:
    return db.session.scalar(select(ActionPlan).where(ActionPlan.enrolment_id == enrolment.id))


def add_commitments(enrolment: Enrolment, items, *, actor) -> ActionPlan:
    """Write commitments into the participant's plan (made on first use)."""
    if enrolment.status != "accepted":
        raise ValidationError(_l("Only accepted participants write an action plan."),
                              code="not_a_participant", status=403)
    clean = clean_commitments(items)
    plan = plan_of(enrolment)
    if plan is None:
        plan = ActionPlan(training_id=enrolment.training_id, enrolment_id=enrolment.id)
        db.session.add(plan)
    position = max((c.position for c in plan.commitments), default=-1) + 1
    now = utcnow()
    for offset, item in enumerate(clean):
        commitment = Commitment(text=item["text"], due_on=item["due"], position=position + offset,
                                status="not_started", created_at=now, updated_at=now)
        commitment.updates.append(CommitmentUpdate(status="not_started", note="", created_at=now,
                                                   created_by_id=getattr(actor, "id", None)))
        plan.commitments.append(commitment)
    db.session.flush()
    return plan


def get_commitment(commitment_id: int) -> Commitment:
    commitment = db.session.get(Commitment, commitment_id)
    if commitment is None:
        raise NotFound(_l("No such commitment."))
    return commitment


def update_commitment(commitment: Commitment, data: dict, *, actor) -> CommitmentUpdate:
    """A new status and/or note; the update is kept with its date."""
    problems = Problems()
    if not isinstance(data, dict):
        raise ValidationError(_l("The update must be an object with status and note."))
    status = data.get("status") or commitment.status
    if status not in COMMITMENT_STATUSES:
        problems.add("status", _("The status is one of: %(names)s.",
                                 names=", ".join(COMMITMENT_STATUSES)))
    note = data.get("note") or ""
    if not isinstance(note, str):
        problems.add("note", _("The note must be text."))
        note = ""
    note = note.strip()
    if len(note) > MAX_NOTE:
        problems.add("note", _("At most %(num)s characters.", num=MAX_NOTE))
    if not data.get("status") and not note:
        problems.add("status", _("Give a new status or a note."))
    problems.raise_if_any()
    update = CommitmentUpdate(status=status, note=note, created_at=utcnow(),
                              created_by_id=getattr(actor, "id", None))
    commitment.updates.append(update)
    commitment.status = status
    commitment.updated_at = update.created_at
    db.session.flush()
    return update


def commitment_dict(commitment: Commitment) -> dict:
    return {"id": commitment.id, "text": commitment.text,
            "due": commitment.due_on.isoformat() if commitment.due_on else None,
            "status": commitment.status, "updated_at": iso_utc(commitment.updated_at),
            "history": [{"status": u.status, "note": u.note, "at": iso_utc(u.created_at)}
                        for u in commitment.updates]}


def plan_dict(plan: ActionPlan, *, with_person: bool = False) -> dict:
    data = {"id": plan.id, "training": plan.training_id, "enrolment": plan.enrolment_id,
            "created_at": iso_utc(plan.created_at),
            "commitments": [commitment_dict(c) for c in plan.commitments]}
    if with_person:
        data["name"] = plan.enrolment.name
        data["country"] = plan.enrolment.country_code
    return data


def _plans_query():
    return select(ActionPlan).options(
        selectinload(ActionPlan.commitments).selectinload(Commitment.updates),
        selectinload(ActionPlan.enrolment))


def plans_of_user(user) -> list[ActionPlan]:
    return list(db.session.scalars(
        _plans_query().join(Enrolment, Enrolment.id == ActionPlan.enrolment_id)
        .where(Enrolment.user_id == user.id).order_by(ActionPlan.id)))


def plans_of_training(training) -> list[ActionPlan]:
    return list(db.session.scalars(
        _plans_query().join(Enrolment, Enrolment.id == ActionPlan.enrolment_id)
        .where(ActionPlan.training_id == training.id).order_by(Enrolment.name, ActionPlan.id)))


def totals(plans) -> dict:
    counts = Counter(c.status for p in plans for c in p.commitments)
    return {"plans": len(plans), "commitments": sum(counts.values()),
            "by_status": {s: counts.get(s, 0) for s in COMMITMENT_STATUSES}}


# ---------------------------------------------------------------- follow-ups

def settings_of(training) -> EvaluationSettings | None:
    return db.session.get(EvaluationSettings, training.id)


def follow_up_days(training) -> list[int]:
    settings = settings_of(training)
    return list(settings.follow_up_days or []) if settings else []


def parse_days_text(value: str | None) -> list[int]:
    """The settings form's "30, 90" (or "30 90"; empty: no follow-up mails) as days."""
    parts = (value or "").replace(",", " ").split()
    if not all(part.isdigit() for part in parts):
        raise ValidationError(_("Give whole numbers of days, e.g. 30, 90."),
                              field="follow_up_days")
    return [int(part) for part in parts]


def set_follow_up_days(training, days, *, actor) -> list[int]:
    if days is None:
        days = []
    if (not isinstance(days, list) or len(days) > MAX_FOLLOW_UPS
            or any(isinstance(d, bool) or not isinstance(d, int) or not 1 <= d <= 3650
                   for d in days)):
        raise ValidationError(_l("follow_up_days is a list of up to %(num)s whole numbers of "
                                 "days from 1 to 3650, e.g. [30, 90].", num=MAX_FOLLOW_UPS),
                              field="follow_up_days")
    clean = sorted(set(days))
    settings = settings_of(training)
    if settings is None:
        settings = EvaluationSettings(training_id=training.id)
        db.session.add(settings)
    settings.follow_up_days = clean
    db.session.flush()
    return clean


def follow_up_counts(training) -> dict[int, int]:
    return dict(db.session.execute(
        select(FollowUpMail.offset_days, func.count()).where(
            FollowUpMail.training_id == training.id).group_by(FollowUpMail.offset_days)).all())
