"""The name as it will be printed: each participant confirms or corrects it until issuing.

Any script is welcome (Arabic, Devanagari, Latin with diacritics...); the text is kept in
Unicode NFC, without control characters. Issuing prints the confirmed name, else the name
of the enrolment. Organisers see who has not confirmed and can send one reminder mail to
all of them (through the outbox).
"""
from __future__ import annotations

import unicodedata

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from ...db import utcnow
from ...enrolment.models import Enrolment
from ...errors import Conflict, ValidationError
from ...extensions import db
from ...outbox.services import queue_mail
from ...timezones import iso_utc
from ..models import Certificate, CertificateName
from .checks import clean
from .urls import name_url

NAME_LIMIT = 200


def confirmed_name(enrolment) -> CertificateName | None:
    return db.session.get(CertificateName, enrolment.id)


def confirmed_names(enrolment_ids) -> dict[int, str]:
    """The confirmed names of several enrolments (those with one), in one query."""
    ids = list(enrolment_ids)
    if not ids:
        return {}
    return dict(db.session.execute(select(CertificateName.enrolment_id, CertificateName.name)
                                   .where(CertificateName.enrolment_id.in_(ids))).all())


def own_enrolment(training, user) -> Enrolment | None:
    """The user's accepted enrolment in the training, if any."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(select(Enrolment).where(
        Enrolment.training_id == training.id, Enrolment.user_id == user.id,
        Enrolment.status == "accepted"))


def name_to_print(enrolment) -> str:
    """The confirmed name, else the enrolment's name."""
    confirmed = confirmed_name(enrolment)
    return confirmed.name if confirmed is not None else enrolment.name


def _issued(enrolment) -> bool:
    return db.session.scalar(select(Certificate.id).where(
        Certificate.enrolment_id == enrolment.id, Certificate.replaced_at.is_(None))) is not None


def name_state(enrolment) -> dict:
    """What the participant's page and the API show."""
    confirmed = confirmed_name(enrolment)
    return {"enrolment": enrolment.id, "name": name_to_print(enrolment),
            "confirmed": confirmed is not None,
            "confirmed_at": iso_utc(confirmed.confirmed_at) if confirmed is not None else None,
            "editable": not _issued(enrolment)}


def confirm_name(enrolment, name, *, actor) -> CertificateName:
    """Confirm (or correct) the name to print, until the certificate is issued."""
    if not isinstance(name, str):
        raise ValidationError(_("Give the name as it should be printed."), field="name")
    name = unicodedata.normalize("NFC", " ".join(name.split()))
    name = clean(name, "name", required=False, limit=NAME_LIMIT)
    if not name:
        raise ValidationError(_("Give the name as it should be printed."), field="name")
    if any(unicodedata.category(c) in ("Cc", "Cf", "Co", "Cs") and c not in "\u200c\u200d"
           for c in name):
        raise ValidationError(_("The name contains characters that cannot be printed."),
                              field="name")
    if _issued(enrolment):
        raise Conflict(_("The certificate is already issued; ask the organisers to correct "
                         "it."), code="already_issued", field="name")
    row = confirmed_name(enrolment)
    if row is None:
        row = CertificateName(enrolment_id=enrolment.id, name=name)
        db.session.add(row)
    row.name = name
    row.confirmed_at = utcnow()
    db.session.flush()
    return row


def unconfirmed(training) -> list[Enrolment]:
    """Accepted participants without a certificate who have not confirmed their name."""
    confirmed = select(CertificateName.enrolment_id)
    issued = select(Certificate.enrolment_id).where(Certificate.training_id == training.id,
                                                    Certificate.replaced_at.is_(None))
    return list(db.session.scalars(
        select(Enrolment).where(Enrolment.training_id == training.id,
                                Enrolment.status == "accepted",
                                Enrolment.id.not_in(confirmed), Enrolment.id.not_in(issued))
        .order_by(Enrolment.name)))


def confirmed_ids(training) -> set[int]:
    return set(db.session.scalars(
        select(CertificateName.enrolment_id).join(
            Enrolment, Enrolment.id == CertificateName.enrolment_id)
        .where(Enrolment.training_id == training.id)))


def remind_unconfirmed(training, *, actor, base: str) -> int:
    """Mail everyone who has not confirmed (bilingual, with the link to their page)."""
    people = unconfirmed(training)
    for enrolment in people:
        link = name_url(training.id, base)
        parts = []
        for lang in ("id", "en"):
            title = (training.title_id or training.title_en) if lang == "id" else (
                training.title_en or training.title_id)
            with force_locale(lang):
                parts.append(_(
                    "Dear %(name)s,\n\nPlease check how your name will be printed on your "
                    "certificate for \"%(title)s\", and confirm or correct it (in any script) "
                    "at:\n%(link)s\n\nWe print \"%(name)s\" if you do not change it.\n",
                    name=enrolment.name, title=title, link=link))
        queue_mail(enrolment.email, f"Nama di sertifikat / Name on the certificate: "
                   f"{training.title_id or training.title_en}", "\n-----\n\n".join(parts),
                   to_name=enrolment.name, training=training, kind="certificate_name")
    return len(people)
