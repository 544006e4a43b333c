"""The public catalogue: trainings open for applications, in the visitor's language and zone.

Three queries, however many trainings: the trainings, their sessions (plain rows), their
organisations.
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..db import utcnow
from ..extensions import db
from ..i18n import LANGUAGE_NAMES, bilingual
from ..scheduling.models import Training, TrainingOrganisation, TrainingSession
from ..timezones import format_local_iso, iso_utc
from ..web import absolute_url


def open_trainings(now=None) -> list[tuple[Training, object, object, int]]:
    """(training, first start, last end, sessions) of trainings open for applications,
    soonest first. A training whose last session (not cancelled) has ended is left out:
    its applications are closed (``Training.has_ended``, as
    ``enrolment.services.applications_state`` says), whatever the switch says. The
    sessions are read as plain rows, not objects (``benchmarks/catalogue.py``)."""
    now = now or utcnow()
    trainings = list(db.session.scalars(
        select(Training).where(Training.applications_open.is_(True))
        .options(selectinload(Training.organisation_links)
                 .joinedload(TrainingOrganisation.organisation))))
    spans: dict[int, list] = {}
    rows = db.session.execute(
        select(TrainingSession.training_id, TrainingSession.starts_at,
               TrainingSession.duration_minutes)
        .join(Training, Training.id == TrainingSession.training_id)
        .where(Training.applications_open.is_(True), TrainingSession.status != "cancelled"))
    for training_id, starts_at, minutes in rows:
        end = starts_at + timedelta(minutes=minutes)
        span = spans.get(training_id)
        if span is None:
            spans[training_id] = [starts_at, end, 1]
        else:
            span[0], span[1], span[2] = min(span[0], starts_at), max(span[1], end), span[2] + 1
    result = []
    for training in trainings:
        first, last, sessions = spans.get(training.id, (None, None, 0))
        if last is not None and last <= now:
            continue
        result.append((training, first, last, sessions))
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
