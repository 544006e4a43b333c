"""Claims: what a certificate prints, fixed when it is issued."""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from ...db import utcnow
from ...errors import ValidationError
from ...extensions import db
from ...scheduling.models import TrainingSession
from ...timezones import to_zone
from .. import codes
from ..models import Certificate, OrganisationLogo
from .queries import signatories_of


def _logos(organisation_ids) -> dict[int, str]:
    rows = db.session.execute(select(OrganisationLogo.organisation_id, OrganisationLogo.asset_sha256)
                              .where(OrganisationLogo.organisation_id.in_(list(organisation_ids))))
    return dict(rows.all())


def training_claims(training) -> dict:
    """The parts of the claims shared by every certificate of a training."""
    held = [s for s in db.session.scalars(
        select(TrainingSession).where(TrainingSession.training_id == training.id,
                                      TrainingSession.status != "cancelled")
        .order_by(TrainingSession.starts_at))]
    if not held:
        raise ValidationError(_("The training has no sessions yet: there is nothing to certify."),
                              code="no_sessions")
    organisations = training.organisations
    logos = _logos(o.id for o in organisations)
    return {
        "training_id": training.id,
        "training": {"id": training.title_id or training.title_en,
                     "en": training.title_en or training.title_id},
        "timezone": training.timezone,
        "first_date": to_zone(held[0].starts_at, training.timezone).date().isoformat(),
        "last_date": to_zone(held[-1].starts_at, training.timezone).date().isoformat(),
        "statement": {"id": training.certificate_statement_id or "",
                      "en": training.certificate_statement_en or ""},
        "organisations": [{"id": o.id, "name": o.name, "logo": logos.get(o.id)}
                          for o in organisations],
        "signatories": [{"name": s.name, "role": {"id": s.role_id, "en": s.role_en},
                         "organisation": s.organisation, "signature": s.signature_sha256}
                        for s in signatories_of(training)],
    }


def new_certificate(enrolment, progress, shared: dict, *, actor, name: str | None = None,
                    reason: str | None = None, now: datetime | None = None) -> Certificate:
    """A certificate (not yet added) for ``enrolment`` with ``shared`` training claims."""
    now = now or utcnow()
    name = (name or enrolment.name).strip()
    claims = dict(shared, name=name, sessions_attended=progress.attended,
                  sessions_held=progress.held,
                  issued_date=to_zone(now, shared["timezone"]).date().isoformat())
    return Certificate(code=codes.new_code(), training_id=enrolment.training_id,
                       enrolment_id=enrolment.id, name=name,
                       sessions_attended=progress.attended, sessions_held=progress.held,
                       claims=claims, issued_at=now, issued_by_id=getattr(actor, "id", None),
                       issue_reason=reason or None)
