"""The public catalogue: trainings open for applications, in the visitor's language and zone.

Three queries, however many trainings: the trainings, their sessions, their organisations.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..db import utcnow
from ..extensions import db
from ..i18n import LANGUAGE_NAMES, bilingual
from ..scheduling.models import Training, TrainingOrganisation
from ..timezones import format_local_iso, iso_utc
from ..web import absolute_url


def open_trainings(now=None) -> list[tuple[Training, object, object, int]]:
    """(training, first start, last end, sessions) of trainings open for applications,
    soonest first. A training whose last session has ended is left out: its applications
    are closed (``Training.has_ended``, as ``enrolment.services.applications_state``
    says), whatever the switch says."""
    now = now or utcnow()
    trainings = db.session.scalars(
        select(Training).where(Training.applications_open.is_(True))
        .options(selectinload(Training.organisation_links)
                 .joinedload(TrainingOrganisation.organisation),
                 selectinload(Training.sessions)))
    result = []
    for training in trainings:
        if training.has_ended(now):
            continue
        held = [s for s in training.sessions if s.status != "cancelled"]
        first = min((s.starts_at for s in held), default=None)
        result.append((training, first, training.last_session_end, len(held)))
    result.sort(key=lambda row: (row[1] is None, row[1] or now, row[0].id))
    return result


def languages_of(training) -> list[str]:
    return [lang for lang in ("id", "en") if getattr(training, f"title_{lang}")]


def catalogue(zone: str, lang: str) -> list[dict]:
    """The catalogue's entries, as the API answers them and the home page shows them."""
    items = []
    for training, first, last, sessions in open_trainings():
        items.append({
            "id": training.id,
            "title": {"id": training.title_id, "en": training.title_en},
            "title_local": bilingual(training, "title", lang),
            "description": {"id": training.description_id, "en": training.description_en},
            "description_local": bilingual(training, "description", lang),
            "organisations": [o.name for o in training.organisations],
            "languages": languages_of(training),
            "language_names": [LANGUAGE_NAMES[code] for code in languages_of(training)],
            "sessions": sessions,
            "starts_at": iso_utc(first) if first else None,
            "ends_at": iso_utc(last) if last else None,
            "local": {"starts_at": format_local_iso(first, zone) if first else None,
                      "ends_at": format_local_iso(last, zone) if last else None,
                      "timezone": zone},
            "first": first, "last": last,  # for the home page (the API leaves them out)
            "apply_url": absolute_url("enrolment.apply", training_id=training.id),
        })
    return items
