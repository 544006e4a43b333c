"""The public catalogue: trainings open for applications, in the visitor's language and zone.

One query for the trainings with their first and last session (a grouped subquery),
one for their organisations.
"""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..db import utcnow
from ..extensions import db
from ..i18n import LANGUAGE_NAMES, bilingual
from ..scheduling.models import Training, TrainingOrganisation, TrainingSession
from ..timezones import format_local_iso, iso_utc
from ..web import absolute_url


def open_trainings() -> list[tuple[Training, object, object, int]]:
    """(training, first start, last start, sessions) of trainings open for applications,
    soonest first; trainings whose last session has passed are left out."""
    dates = (select(TrainingSession.training_id,
                    func.min(TrainingSession.starts_at).label("first"),
                    func.max(TrainingSession.starts_at).label("last"),
                    func.count(TrainingSession.id).label("sessions"))
             .where(TrainingSession.status != "cancelled")
             .group_by(TrainingSession.training_id).subquery())
    rows = db.session.execute(
        select(Training, dates.c.first, dates.c.last, dates.c.sessions)
        .outerjoin(dates, dates.c.training_id == Training.id)
        .where(Training.applications_open.is_(True))
        .options(selectinload(Training.organisation_links)
                 .joinedload(TrainingOrganisation.organisation))
        .order_by(dates.c.first.is_(None), dates.c.first, Training.id)).all()
    now = utcnow()
    result = []
    for training, first, last, sessions in rows:
        if last is not None and _aware(last) < now:
            continue
        result.append((training, _aware(first), _aware(last), sessions or 0))
    return result


def _aware(value):
    """Aggregates skip the column type: SQLite answers naive UTC text or datetimes."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


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
