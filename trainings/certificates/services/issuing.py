"""Issuing: who is eligible, issue to all of them or to one person."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError

from ...audit.services import record as audit
from ...enrolment.models import Enrolment
from ...errors import Conflict, ValidationError
from ...extensions import db
from ..models import Certificate
from .checks import clean
from .claims import new_certificate, training_claims
from .gate import eligibility
from .mail import mail_certificate
from .names import confirmed_names
from .queries import current_certificate


def _without_certificate(training):
    """Accepted enrolments of the training that have no current certificate (a statement)."""
    current = exists().where(Certificate.enrolment_id == Enrolment.id,
                             Certificate.replaced_at.is_(None))
    return (Enrolment.training_id == training.id, Enrolment.status == "accepted", ~current)


def eligible_missing(training) -> list[tuple[int, object]]:
    """(enrolment id, progress) of every accepted, eligible enrolment (attendance and
    required surveys) without a current certificate, by name. Plain rows, no ORM objects,
    in the same few queries whatever their number: the issue-all job computes it once."""
    rows = db.session.execute(select(Enrolment.id, Enrolment.training_id)
                              .where(*_without_certificate(training))
                              .order_by(Enrolment.name, Enrolment.id)).all()
    progress = eligibility(training, rows)
    return [(row.id, progress[row.id]) for row in rows if progress[row.id].eligible]


def missing_eligible(training) -> list[tuple[Enrolment, object]]:
    """Accepted, eligible enrolments (attendance and required surveys) without a current
    certificate, with their progress."""
    return _with_enrolments(training, eligible_missing(training))


def _with_enrolments(training, pending) -> list[tuple[Enrolment, object]]:
    """The enrolments of ``pending`` ((id, progress) pairs) still accepted and without a
    current certificate, in one query, in the order of ``pending``."""
    ids = [eid for eid, _p in pending]
    if not ids:
        return []
    loaded = {e.id: e for e in db.session.scalars(
        select(Enrolment).where(Enrolment.id.in_(ids), *_without_certificate(training)))}
    return [(loaded[eid], progress) for eid, progress in pending if eid in loaded]


def issue_all(training, *, actor, base: str, limit: int | None = None, pending=None,
              shared: dict | None = None) -> list[Certificate]:
    """Issue a certificate to every eligible enrolment that has none (idempotent). The job
    passes ``pending`` (a slice of :func:`eligible_missing`, computed once) and the
    ``shared`` claims of the training; those issued meanwhile are skipped."""
    shared = shared or training_claims(training)
    if pending is None:
        pending = eligible_missing(training)
    chosen = _with_enrolments(training, pending[:limit])
    names = confirmed_names([e.id for e, _p in chosen])
    issued = []
    for enrolment, progress in chosen:
        certificate = new_certificate(enrolment, progress, shared, actor=actor,
                                      name=names.get(enrolment.id) or enrolment.name)
        db.session.add(certificate)
        issued.append((certificate, enrolment))
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(_("Certificates are being issued by someone else right now. Try again."),
                       code="issue_in_progress") from None
    if issued:
        audit(training.id, actor, "certificate.issued", training,
              {"certificates": [c.id for c, _e in issued]})
    for certificate, enrolment in issued:
        mail_certificate(certificate, enrolment, base, flush=False)
    db.session.flush()  # the mails, in one go
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
    audit(enrolment.training_id, actor, "certificate.issued", certificate,
          {"enrolment": enrolment.id, "by_decision": bool(reason)})
    mail_certificate(certificate, enrolment, base)
    return certificate
