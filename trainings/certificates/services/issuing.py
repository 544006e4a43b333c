"""Issuing: who is eligible, issue to all of them or to one person."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ...enrolment.models import Enrolment
from ...errors import Conflict, ValidationError
from ...extensions import db
from ..models import Certificate
from .checks import clean
from .claims import new_certificate, training_claims
from .gate import eligibility
from .mail import mail_certificate
from .queries import current_certificate


def missing_eligible(training) -> list[tuple[Enrolment, object]]:
    """Accepted, eligible enrolments (attendance and required surveys) without a current
    certificate, with their progress."""
    have = set(db.session.scalars(select(Certificate.enrolment_id).where(
        Certificate.training_id == training.id, Certificate.replaced_at.is_(None))))
    enrolments = [e for e in db.session.scalars(
        select(Enrolment).where(Enrolment.training_id == training.id,
                                Enrolment.status == "accepted").order_by(Enrolment.name))
        if e.id not in have]
    progress = eligibility(training, enrolments)
    return [(e, progress[e.id]) for e in enrolments if progress[e.id].eligible]


def issue_all(training, *, actor, base: str, limit: int | None = None) -> list[Certificate]:
    """Issue a certificate to every eligible enrolment that has none (idempotent)."""
    shared = training_claims(training)
    issued = []
    for enrolment, progress in missing_eligible(training)[:limit]:
        certificate = new_certificate(enrolment, progress, shared, actor=actor)
        db.session.add(certificate)
        issued.append((certificate, enrolment))
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(_("Certificates are being issued by someone else right now. Try again."),
                       code="issue_in_progress") from None
    for certificate, enrolment in issued:
        mail_certificate(certificate, enrolment, base)
    return [c for c, _e in issued]


def issue_one(enrolment, *, actor, base: str, reason: str | None = None) -> Certificate:
    """Issue to one person; without eligibility only by an organiser's decision with a reason."""
    if enrolment.status != "accepted":
        raise ValidationError(_("Only accepted participants receive certificates."),
                              field="enrolment", code="not_accepted")
    if current_certificate(enrolment) is not None:
        raise Conflict(_("This participant already has a certificate."), code="already_issued")
    progress = eligibility(enrolment.training, [enrolment])[enrolment.id]
    reason = clean(reason, "reason", required=not progress.eligible, limit=500)
    certificate = new_certificate(enrolment, progress, training_claims(enrolment.training),
                                  actor=actor, reason=reason)
    db.session.add(certificate)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(_("This participant already has a certificate."),
                       code="already_issued") from None
    mail_certificate(certificate, enrolment, base)
    return certificate
