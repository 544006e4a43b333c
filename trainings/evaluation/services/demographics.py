"""Optional demographics (gender, Washington Group Short Set), only with explicit consent,
shown only to organisers."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ...db import utcnow
from ...errors import ValidationError
from ...extensions import db
from ..models import GENDERS, WG_ANSWERS, WG_DOMAINS, Demographics
from .surveys import Problems

FIELDS = ("gender", "washington_group")


def gender_labels() -> dict:
    return {"woman": _("Woman"), "man": _("Man"), "non_binary": _("Non-binary"),
            "self_described": _("Self-described"), "prefer_not_to_say": _("Prefer not to say")}


def wg_questions() -> dict:
    """The Washington Group Short Set, worded as the standard asks."""
    return {
        "seeing": _("Do you have difficulty seeing, even if wearing glasses?"),
        "hearing": _("Do you have difficulty hearing, even if using a hearing aid?"),
        "walking": _("Do you have difficulty walking or climbing steps?"),
        "remembering": _("Do you have difficulty remembering or concentrating?"),
        "self_care": _("Do you have difficulty (with self-care such as) washing all over or "
                       "dressing?"),
        "communicating": _("Using your usual language, do you have difficulty communicating, "
                           "for example understanding or being understood?"),
    }


def wg_labels() -> dict:
    return {"no_difficulty": _("No difficulty"), "some_difficulty": _("Some difficulty"),
            "a_lot_of_difficulty": _("A lot of difficulty"),
            "cannot_do_at_all": _("Cannot do at all")}


def demographics_of(enrolment) -> Demographics | None:
    return db.session.get(Demographics, enrolment.id)


def has_demographic_fields(data: dict) -> bool:
    return any(k in data for k in (*FIELDS, "demographics_consent"))


def set_demographics(enrolment, data: dict, *, actor) -> Demographics | None:
    """Store gender and Washington Group answers given with ``demographics_consent: true``.
    Either without consent is a ValidationError; consent ``false`` erases what was stored."""
    consent = data.get("demographics_consent")
    given = {k: data[k] for k in FIELDS if data.get(k) not in (None, "", {})}
    if consent is not None and not isinstance(consent, bool):
        raise ValidationError(_l("demographics_consent must be true or false."),
                              field="demographics_consent")
    if given and consent is not True:
        raise ValidationError(_l("Gender and disability questions are stored only with explicit "
                                 "consent (demographics_consent: true)."),
                              field="demographics_consent", code="consent_required")
    record = demographics_of(enrolment)
    if consent is False:
        if record is not None:
            db.session.delete(record)
            db.session.flush()
        return None
    if consent is not True:
        return record
    problems = Problems()
    gender = given.get("gender")
    if gender is not None and gender not in GENDERS:
        problems.add("gender", _("The gender is one of: %(names)s.", names=", ".join(GENDERS)))
    wg = given.get("washington_group") or {}
    if not isinstance(wg, dict):
        problems.add("washington_group", _("washington_group is an object of the six questions."))
        wg = {}
    for key, value in wg.items():
        if key not in WG_DOMAINS:
            problems.add(f"washington_group.{key}", _("No such question."))
        elif value is not None and value not in WG_ANSWERS:
            problems.add(f"washington_group.{key}", _("The answer is one of: %(names)s.",
                                                      names=", ".join(WG_ANSWERS)))
    problems.raise_if_any()
    if record is None:
        record = Demographics(enrolment_id=enrolment.id)
        db.session.add(record)
    record.consent_at = utcnow()
    record.gender = gender
    for domain in WG_DOMAINS:
        setattr(record, domain, wg.get(domain))
    db.session.flush()
    return record


def demographics_dict(record: Demographics | None) -> dict:
    if record is None:
        return {"demographics_consent": False, "gender": None, "washington_group": None}
    return {"demographics_consent": True, "gender": record.gender,
            "washington_group": record.washington_group, "disability": record.has_disability}


def demographics_by_enrolment(enrolment_ids) -> dict[int, Demographics]:
    from sqlalchemy import select
    ids = list(enrolment_ids)
    if not ids:
        return {}
    return {d.enrolment_id: d for d in db.session.scalars(
        select(Demographics).where(Demographics.enrolment_id.in_(ids)))}
