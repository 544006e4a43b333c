"""The participant list: loading, filters, counts per country, and the export rows."""
from __future__ import annotations

import unicodedata

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ...countries import country_name, normalise_country
from ...errors import ValidationError
from ...extensions import db
from ...scheduling.models import Training
from ...timezones import iso_utc
from ..models import SECTORS, STATUSES, Enrolment

EXPORT_HEADER = ["id", "name", "email", "country", "country_name", "organisation", "sector",
                 "timezone", "language", "status", "accessibility_needs", "created_at",
                 "decided_at"]


def get_enrolment(enrolment_id: int) -> Enrolment | None:
    return db.session.get(Enrolment, enrolment_id)


SORTS = ("applied", "name", "country", "status")


def fold(text: str | None) -> str:
    """Text for matching: case and diacritics folded (``Ñgau`` → ``ngau``, ``Ṣāima`` → ``saima``)."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _matches(enrolment: Enrolment, needle: str) -> bool:
    return any(needle in fold(value) for value in
               (enrolment.name, enrolment.email, enrolment.organisation))


def list_enrolments(training, *, country: str | None = None, status: str | None = None,
                    sector: str | None = None, search: str | None = None,
                    sort: str | None = None) -> list[Enrolment]:
    """One training's enrolments, filtered; the search folds case and diacritics on both
    sides (in Python over this training's rows, so SQLite and PostgreSQL agree)."""
    query = select(Enrolment).where(Enrolment.training_id == training.id)
    if country:
        query = query.where(Enrolment.country_code == normalise_country(country))
    if status:
        if status not in STATUSES:
            raise ValidationError(_("Unknown status: %(status)s", status=status), field="status")
        query = query.where(Enrolment.status == status)
    if sector:
        if sector not in SECTORS:
            raise ValidationError(_("Unknown sector: %(sector)s", sector=sector), field="sector")
        query = query.where(Enrolment.sector == sector)
    if sort not in (None, "", *SORTS):
        raise ValidationError(_("Unknown sort order: %(sort)s", sort=sort), field="sort")
    query = query.options(selectinload(Enrolment.user))
    rows = list(db.session.scalars(query.order_by(Enrolment.created_at, Enrolment.id)))
    if search and search.strip():
        needle = fold(search.strip())
        rows = [e for e in rows if _matches(e, needle)]
    if sort == "name":
        rows.sort(key=lambda e: fold(e.name))
    elif sort == "country":
        rows.sort(key=lambda e: (e.country_code, fold(e.name)))
    elif sort == "status":
        rows.sort(key=lambda e: (STATUSES.index(e.status) if e.status in STATUSES else 99, fold(e.name)))
    return rows


def own_enrolment(training, user) -> Enrolment | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(select(Enrolment).where(Enrolment.training_id == training.id,
                                                     Enrolment.user_id == user.id))


def stats_counts(training: Training) -> dict[str, dict[str, int]]:
    """Enrolments per country and status: ``{"ID": {"accepted": 3, ...}, ...}``."""
    rows = db.session.execute(
        select(Enrolment.country_code, Enrolment.status, func.count())
        .where(Enrolment.training_id == training.id)
        .group_by(Enrolment.country_code, Enrolment.status)).all()
    counts: dict[str, dict[str, int]] = {}
    for code, status, n in rows:
        counts.setdefault(code, dict.fromkeys(STATUSES, 0))[status] = n
    return counts


def country_counts(training: Training) -> list[dict]:
    """Rows for the participant list: per country, accepted against the quota, and waiting."""
    data = stats_counts(training)
    quotas = training.country_quotas
    codes = sorted(set(data) | set(quotas))
    return [{"country": code, "quota": quotas.get(code), **data.get(code, dict.fromkeys(STATUSES, 0))}
            for code in codes]


def export_rows(training: Training, enrolments: list[Enrolment], locale: str = "en") -> list[list]:
    return [[e.id, e.name, e.email, e.country_code, country_name(e.country_code, locale),
             e.organisation, e.sector, e.timezone, e.language, e.status,
             e.accessibility_needs or "", iso_utc(e.created_at), iso_utc(e.decided_at)]
            for e in enrolments]
