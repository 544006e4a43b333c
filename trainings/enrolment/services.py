"""Enrolments: queries and changes."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from ..countries import normalise_country
from ..errors import ValidationError
from ..extensions import db
from .models import STATUSES, Enrolment


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
        query = query.where(Enrolment.sector == sector)
    if search:
        like = f"%{search.strip().lower()}%"
        query = query.where(db.func.lower(Enrolment.name).like(like)
                            | Enrolment.email.like(like)
                            | db.func.lower(Enrolment.organisation).like(like))
    return list(db.session.scalars(query.order_by(Enrolment.created_at, Enrolment.id)))
