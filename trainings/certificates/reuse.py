"""Signatories reused across trainings: a person who signed for an organisation in one
training can sign the next training of that organisation without being typed in again
(their signature image is shared, it is stored once by its SHA-256)."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from ..errors import NotFound
from ..extensions import db
from ..organisations.names import fold
from ..scheduling.models import Training, TrainingOrganisation
from .models import Signatory


def _key(signatory: Signatory) -> tuple[str, str]:
    return fold(signatory.name), fold(signatory.organisation)


def reusable_signatories(training: Training) -> list[Signatory]:
    """Signatories of other trainings that share an organisation with this one, newest
    first, one per person and organisation, leaving out those this training already has."""
    organisation_ids = [link.organisation_id for link in training.organisation_links]
    if not organisation_ids:
        return []
    shared = (select(TrainingOrganisation.training_id)
              .where(TrainingOrganisation.organisation_id.in_(organisation_ids),
                     TrainingOrganisation.training_id != training.id))
    have = {_key(s) for s in db.session.scalars(
        select(Signatory).where(Signatory.training_id == training.id))}
    found: dict[tuple[str, str], Signatory] = {}
    for signatory in db.session.scalars(select(Signatory).where(
            Signatory.training_id.in_(shared)).order_by(Signatory.created_at.desc(),
                                                         Signatory.id.desc())):
        key = _key(signatory)
        if key not in have:
            found.setdefault(key, signatory)
    return list(found.values())


def reuse_signatory(training: Training, signatory_id: int, *, actor) -> Signatory:
    """Copy a signatory of another training of the same organisations into this one."""
    source = next((s for s in reusable_signatories(training) if s.id == signatory_id), None)
    if source is None:
        raise NotFound(_("No such signatory to reuse."))
    position = len(list(db.session.scalars(
        select(Signatory.id).where(Signatory.training_id == training.id))))
    copy = Signatory(training_id=training.id, name=source.name, role_id=source.role_id,
                     role_en=source.role_en, organisation=source.organisation,
                     signature_sha256=source.signature_sha256, position=position)
    db.session.add(copy)
    db.session.flush()
    return copy
