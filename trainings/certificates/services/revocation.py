"""Revocation, and correction by a re-issued certificate that replaces the old one."""
from __future__ import annotations

from flask_babel import gettext as _

from ...attendance.eligibility import evaluate
from ...audit.services import record as audit
from ...db import utcnow
from ...errors import Conflict, ValidationError
from ...extensions import db
from ..models import Certificate
from . import status
from .checks import clean
from .claims import new_certificate, training_claims
from .mail import mail_certificate
from .queries import get_by_code


def revoke(certificate: Certificate, *, actor, reason: str | None) -> Certificate:
    reason = clean(reason, "reason", required=True, limit=500)
    if certificate.replaced_at is not None:
        raise Conflict(_("This certificate was replaced; revoke the newer one."),
                       code="replaced")
    if certificate.revoked_at is not None:
        raise Conflict(_("This certificate is already revoked."), code="already_revoked")
    certificate.revoke_reason = reason
    certificate.revoked_by_id = getattr(actor, "id", None)
    certificate.revoked_at = utcnow()
    status.set_revoked(certificate)
    audit(certificate.training_id, actor, "certificate.revoked", certificate,
          {"enrolment": certificate.enrolment_id})
    db.session.flush()
    return certificate


def revoke_many(training, codes, *, actor, reason: str | None) -> int:
    """Revoke several certificates of one training with one reason: all of them or none."""
    reason = clean(reason, "reason", required=True, limit=500)
    if not isinstance(codes, list) or not codes or not all(isinstance(c, str) for c in codes):
        raise ValidationError(_("Give the codes of the certificates to revoke."), field="codes")
    found, unknown, not_valid = [], [], []
    for typed in dict.fromkeys(codes):
        certificate = get_by_code(typed)
        if certificate is None or certificate.training_id != training.id:
            unknown.append(typed)
        elif not certificate.is_valid:
            not_valid.append(certificate.code)
        else:
            found.append(certificate)
    if unknown:
        message = _("No certificate of this training has these codes: %(codes)s.",
                    codes=", ".join(unknown))
        raise ValidationError(message, field="codes", code="unknown_codes",
                              details=[{"field": "codes", "message": message, "codes": unknown}])
    if not_valid:
        message = _("These certificates are already revoked or replaced: %(codes)s.",
                    codes=", ".join(not_valid))
        raise ValidationError(message, field="codes", code="not_valid",
                              details=[{"field": "codes", "message": message,
                                        "codes": not_valid}])
    for certificate in found:
        revoke(certificate, actor=actor, reason=reason)
    return len(found)


def reissue(certificate: Certificate, *, actor, base: str, reason: str | None,
            name: str | None = None) -> Certificate:
    """A corrected certificate (e.g. a misspelt name) that replaces this one; history stays."""
    reason = clean(reason, "reason", required=True, limit=500)
    name = clean(name if name is not None else certificate.name, "name", required=True, limit=200)
    if certificate.replaced_at is not None:
        raise Conflict(_("This certificate was already replaced."), code="replaced")
    enrolment = certificate.enrolment
    progress = evaluate(enrolment.training, [enrolment.id])[enrolment.id]
    now = utcnow()
    certificate.replaced_at = now
    status.set_revoked(certificate)  # the old credential no longer verifies as valid
    db.session.flush()
    new = new_certificate(enrolment, progress, training_claims(enrolment.training), actor=actor,
                          name=name, reason=certificate.issue_reason, now=now)
    new.replaces_id = certificate.id
    new.correction_reason = reason
    db.session.add(new)
    db.session.flush()
    certificate.replaced_by_id = new.id
    audit(certificate.training_id, actor, "certificate.reissued", new,
          {"replaces": certificate.id, "enrolment": enrolment.id,
           "fields": ["name"] if name != certificate.name else []})
    db.session.flush()
    mail_certificate(new, enrolment, base)
    return new
