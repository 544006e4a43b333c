"""A training's certificate settings: the statement and the signatories."""
from __future__ import annotations

from flask_babel import gettext as _

from ...audit.services import record as audit
from ...errors import ValidationError
from ...extensions import db
from ..models import Signatory
from .assets import store_image
from .checks import clean
from .queries import signatories_of

STATEMENT_LIMIT = 300  # per language: the certificate has one page


def update_statement(training, *, actor, statement_id: str | None, statement_en: str | None) -> None:
    training.certificate_statement_id = clean(statement_id, "statement_id", required=False,
                                              limit=STATEMENT_LIMIT)
    training.certificate_statement_en = clean(statement_en, "statement_en", required=False,
                                              limit=STATEMENT_LIMIT)
    audit(training.id, actor, "certificate.settings", training, {"fields": ["statement"]})
    db.session.flush()


def add_signatory(training, *, actor, name: str | None, role_id: str | None = "",
                  role_en: str | None = "", organisation: str | None = "",
                  signature: bytes | None = None) -> Signatory:
    name = clean(name, "name", required=False, limit=200)
    if not name:
        raise ValidationError(_("Give the signatory's name."), field="name")
    signatory = Signatory(
        training_id=training.id, name=name,
        role_id=clean(role_id, "role_id", required=False, limit=200),
        role_en=clean(role_en, "role_en", required=False, limit=200),
        organisation=clean(organisation, "organisation", required=False, limit=200),
        position=len(signatories_of(training)))
    if signature:
        signatory.signature_sha256 = store_image(signature, field="signature").sha256
    db.session.add(signatory)
    db.session.flush()
    audit(training.id, actor, "certificate.settings", signatory, {"signatory": "added"})
    return signatory


def set_signature(signatory: Signatory, data: bytes | None, *, actor) -> Signatory:
    """Give a signatory a signature image (checked like logos: type, size, a safe SVG)."""
    signatory.signature_sha256 = store_image(data or b"", field="signature").sha256
    db.session.flush()
    return signatory


def remove_signatory(signatory: Signatory, *, actor) -> None:
    audit(signatory.training_id, actor, "certificate.settings", signatory,
          {"signatory": "removed"})
    db.session.delete(signatory)
    db.session.flush()


def signatories_without_signature(training) -> list[str]:
    """Names of the signatories who have no signature image (their line prints empty)."""
    return [s.name for s in signatories_of(training) if not s.signature_sha256]
