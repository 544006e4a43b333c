"""The participant list: loading, filters, counts per country, and the export rows."""
from __future__ import annotations

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


def list_enrolments(training, *, country: str | None = None, status: str | None = None,
                    sector: str | None = None, search: str | None = None) -> list[Enrolment]:
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
    if search and search.strip():
        like = "%" + search.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace(
            "_", "\\_") + "%"
        query = query.where(func.lower(Enrolment.name).like(like, escape="\\")
                            | Enrolment.email.like(like, escape="\\")
                            | func.lower(Enrolment.organisation).like(like, escape="\\"))
    query = query.options(selectinload(Enrolment.user))
    return list(db.session.scalars(query.order_by(Enrolment.created_at, Enrolment.id)))


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
