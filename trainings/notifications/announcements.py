"""Announcements: an organiser writes to every accepted participant of a training, or to
those of a status and/or country. The subject and body are bilingual; each person gets the
message once, in their own language (the other language when theirs was left empty)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..countries import normalise_country
from ..enrolment.models import Enrolment
from ..enrolment.services.labels import STATUS_LABELS
from ..errors import ValidationError
from ..extensions import db
from ..messages import NOT_AN_OBJECT, NOT_ONE_OF, UNKNOWN_FIELD, text
from ..outbox.services import queue_mail
from ..validation import Errors, bilingual

SUBJECT_LIMIT = 200
BODY_LIMIT = 10000
NOBODY = _l("Nobody matches these recipients.")


def clean_filter(to) -> dict:
    """``{"status": "accepted", "country": "PK"}`` (both optional) → the clean filter."""
    if to is None:
        to = {}
    errors = Errors()
    if not isinstance(to, dict):
        errors.add("to", NOT_AN_OBJECT)
        errors.raise_if_any()
    for key in set(to) - {"status", "country"}:
        errors.add(f"to.{key}", UNKNOWN_FIELD)
    status = to.get("status") or "accepted"
    if status not in STATUS_LABELS:
        errors.add("to.status", text(NOT_ONE_OF, choices=", ".join(STATUS_LABELS)))
    country = None
    if to.get("country"):
        try:
            country = normalise_country(str(to["country"]), field="to.country")
        except ValidationError as error:
            errors.capture(error)
    errors.raise_if_any()
    return {"status": status, "country": country}


def recipients(training, to=None) -> list[Enrolment]:
    """Who receives an announcement with that filter (the preview), by name."""
    to = clean_filter(to)
    query = select(Enrolment).where(Enrolment.training_id == training.id,
                                    Enrolment.status == to["status"])
    if to["country"]:
        query = query.where(Enrolment.country_code == to["country"])
    return list(db.session.scalars(query.order_by(Enrolment.name, Enrolment.id)))


def announce(training, subject, body, to=None, *, actor) -> int:
    """Queue the announcement to each recipient once, in their language; how many."""
    errors = Errors()
    subject_id, subject_en = bilingual(subject, "subject", errors, max_length=SUBJECT_LIMIT,
                                       required=True)
    body_id, body_en = bilingual(body, "body", errors, max_length=BODY_LIMIT, required=True)
    try:
        people = recipients(training, to)
    except ValidationError as error:
        errors.capture(error)
        people = []
    errors.raise_if_any()
    if not people:
        raise ValidationError(NOBODY, field="to", code="no_recipients")
    texts = {"id": (subject_id, body_id), "en": (subject_en, body_en)}
    seen = set()
    for enrolment in people:
        if enrolment.email in seen:
            continue
        seen.add(enrolment.email)
        lang = enrolment.language if enrolment.language in texts else "en"
        if not texts[lang][1]:  # no body in their language: the other one
            lang = "en" if lang == "id" else "id"
        title, content = (texts[lang][0] or texts["en" if lang == "id" else "id"][0],
                          texts[lang][1])
        queue_mail(enrolment.email, title, content, to_name=enrolment.name, training=training,
                   kind="announcement", language=lang)
    return len(seen)
