"""Trainings: create and change them, their organisations, quotas and team."""
from __future__ import annotations

from datetime import UTC, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ...audit.services import record as audit
from ...auth.models import User
from ...errors import Conflict, NotFound, ValidationError
from ...extensions import db
from ...messages import BODY_NOT_OBJECT, NOT_BOOLEAN
from ...organisations import services as organisations
from ...validation import Errors, clean_text, whole_number, zone
from ..models import (
    Training,
    TrainingCountryQuota,
    TrainingOrganisation,
    TrainingStaff,
)
from . import checks
from .certificate_rule import validate_rule
from .loaders import staff_of

TRAINING_FIELDS = {"title", "description", "timezone", "capacity", "country_quotas",
                   "certificate_rule", "organisations", "applications_open", "requires_approval"}


def _clean_training(data: dict, *, partial: bool) -> dict:
    if not isinstance(data, dict):
        raise ValidationError(BODY_NOT_OBJECT)
    errors = Errors()
    clean = checks.start(data, TRAINING_FIELDS | {"id", "created_at"}, errors, partial=partial)
    if not partial or "timezone" in data:
        clean["timezone"] = zone(data.get("timezone") or ("" if partial else "Asia/Jakarta"),
                                 "timezone", errors)
    if "capacity" in data:
        capacity = data.get("capacity")
        clean["capacity"] = None if capacity in (None, "") else whole_number(
            capacity, "capacity", errors, minimum=0, maximum=checks.MAX_CAPACITY)
    if "country_quotas" in data:
        clean["country_quotas"] = checks.quotas(data.get("country_quotas"), "country_quotas", errors)
    if "certificate_rule" in data:
        try:
            clean["certificate_rule"] = validate_rule(data.get("certificate_rule"))
        except ValidationError as error:
            errors.capture(error)
    if "organisations" in data:
        clean["organisations"] = checks.organisation_names(data.get("organisations"),
                                                           "organisations", errors)
    for flag in ("applications_open", "requires_approval"):
        if flag in data:
            if not isinstance(data[flag], bool):
                errors.add(flag, NOT_BOOLEAN)
            clean[flag] = data[flag]
    errors.raise_if_any()
    return clean


def _apply_quotas(training: Training, wanted: dict[str, int]) -> None:
    for quota in list(training.quotas):
        if quota.country_code not in wanted:
            training.quotas.remove(quota)
        else:
            quota.places = wanted[quota.country_code]
    have = {q.country_code for q in training.quotas}
    for code, places in sorted(wanted.items()):
        if code not in have:
            training.quotas.append(TrainingCountryQuota(country_code=code, places=places))


def _apply_organisations(training: Training, values: list[str | int]) -> None:
    """Link the organisations named (a name matching a record ignoring case and accents
    links to it; a new name makes one) or given by id (an unknown id is a 422)."""
    with db.session.no_autoflush:
        orgs = organisations.resolve(values)
        links = {link.organisation_id: link for link in training.organisation_links
                 if link.organisation_id is not None}
        keep = []
        for position, org in enumerate(orgs):
            link = links.get(org.id) if org.id is not None else None
            if link is None:
                link = TrainingOrganisation(organisation=org)
            link.position = position
            keep.append(link)
        training.organisation_links[:] = keep


def _apply_training(training: Training, clean: dict) -> None:
    if "title" in clean:
        training.title_id, training.title_en = clean["title"]
    if "description" in clean:
        training.description_id, training.description_en = clean["description"]
    if clean.get("timezone"):
        training.timezone = clean["timezone"]
    if "capacity" in clean:
        training.capacity = clean["capacity"]
    if "certificate_rule" in clean:
        training.certificate_rule = clean["certificate_rule"]
    for flag in ("applications_open", "requires_approval"):
        if flag in clean:
            setattr(training, flag, clean[flag])
    if "country_quotas" in clean:
        _apply_quotas(training, clean["country_quotas"])
    if "organisations" in clean:
        _apply_organisations(training, clean["organisations"])


def create_training(data: dict, *, actor) -> Training:
    """A new training; the actor becomes its organiser."""
    clean = _clean_training(data, partial=False)
    training = Training(title_id="", title_en="", created_by_id=getattr(actor, "id", None),
                        certificate_rule={})
    db.session.add(training)
    _apply_training(training, clean)
    if actor is not None:
        training.staff.append(TrainingStaff(user=actor, role="organiser"))
    db.session.flush()
    return training


def update_training(training: Training, data: dict, *, actor) -> Training:
    clean = _clean_training(data, partial=True)
    _apply_training(training, clean)
    training.updated_at = datetime.now(UTC)
    if clean:
        audit(training.id, actor, "training.updated", training, {"fields": sorted(clean)})
    db.session.flush()
    return training


def add_staff(training: Training, email: str, role: str, *, actor) -> TrainingStaff:
    errors = Errors()
    if role not in checks.STAFF_ROLES:
        errors.add("role", _("The role must be organiser or facilitator."))
    email = clean_text(email, "email", errors, max_length=254, required=True).lower()
    user = db.session.scalar(select(User).where(User.email == email)) if email else None
    if email and user is None:
        errors.add("email", _("No account with this email: %(emails)s", emails=email))
    errors.raise_if_any()
    if any(s.user_id == user.id and s.role == role for s in training.staff):
        raise Conflict(_("This person already has this role in the training."), field="email",
                       code="already_staff")
    staff = TrainingStaff(user=user, role=role)
    training.staff.append(staff)
    db.session.flush()
    audit(training.id, actor, "staff.added", ("user", user.id), {"role": role})
    return staff


def remove_staff(training: Training, staff_id: int, *, actor) -> None:
    staff = next((s for s in training.staff if s.id == staff_id), None)
    if staff is None:
        raise NotFound(_l("No such staff member."))
    if staff.role == "organiser" and len(staff_of(training, "organiser")) <= 1:
        raise Conflict(_("A training keeps at least one organiser."), code="last_organiser")
    training.staff.remove(staff)
    if staff.role == "facilitator" and not any(
            s.user_id == staff.user_id and s.role == "facilitator" for s in training.staff):
        # the right to take roll call ends with the assignment, in every session
        for session in training.sessions:
            if any(f.id == staff.user_id for f in session.facilitators):
                session.facilitators = [f for f in session.facilitators if f.id != staff.user_id]
    audit(training.id, actor, "staff.removed", ("user", staff.user_id), {"role": staff.role})
    db.session.flush()
