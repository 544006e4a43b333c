"""Reading certificates: by code, of an enrolment, of a user, of a training."""
from __future__ import annotations

from functools import lru_cache

from sqlalchemy import Integer, String, bindparam, select

from ...enrolment.models import Enrolment
from ...extensions import db
from .. import codes
from ..models import Certificate, Signatory
from .gate import eligibility

# Every verification looks a certificate up by its code: the statement is built once with a
# bound code (building a select and its cache key on each call cost about as much as
# running it).
_BY_CODE = select(Certificate).where(Certificate.code == bindparam("certificate_code", type_=String))


def get_by_code(typed: str | None) -> Certificate | None:
    code = codes.normalise(typed)
    if code is None:
        return None
    return db.session.execute(_BY_CODE, {"certificate_code": code}).scalar_one_or_none()


def codes_shape_ok(typed) -> bool:
    """Whether a typed text has the shape of a verification code."""
    return codes.normalise(typed) is not None


def current_certificate(enrolment) -> Certificate | None:
    return db.session.scalar(select(Certificate).where(Certificate.enrolment_id == enrolment.id,
                                                       Certificate.replaced_at.is_(None)))


@lru_cache(maxsize=1)
def _of_user_statement():
    """Built once with the user as a bound parameter (My schedule asks on every request)."""
    return (select(Certificate).join(Enrolment, Enrolment.id == Certificate.enrolment_id)
            .where(Enrolment.user_id == bindparam("certificates_user", type_=Integer),
                   Certificate.replaced_at.is_(None)))


def current_certificates_of_user(user_id: int) -> dict[int, Certificate]:
    """enrolment id -> current certificate, for every enrolment of one user (one query)."""
    rows = db.session.scalars(_of_user_statement(), {"certificates_user": user_id})
    return {c.enrolment_id: c for c in rows}


def certificates_of(training, *, include_history: bool = True) -> list[Certificate]:
    query = select(Certificate).where(Certificate.training_id == training.id)
    if not include_history:
        query = query.where(Certificate.replaced_at.is_(None))
    return list(db.session.scalars(query.order_by(Certificate.name, Certificate.id)))


def _valid(what, training):
    return (select(what).where(Certificate.training_id == training.id,
                               Certificate.replaced_at.is_(None),
                               Certificate.revoked_at.is_(None))
            .order_by(Certificate.name, Certificate.id))


def valid_certificates(training) -> list[Certificate]:
    return list(db.session.scalars(_valid(Certificate, training)))


def valid_certificate_ids(training) -> list[int]:
    """The ids of :func:`valid_certificates`, same order (to read them a slice at a time)."""
    return list(db.session.scalars(_valid(Certificate.id, training)))


def certificates_by_id(ids: list[int]) -> list[Certificate]:
    """These certificates, in the order of ``ids``."""
    found = {c.id: c for c in db.session.scalars(select(Certificate).where(Certificate.id.in_(ids)))}
    return [found[i] for i in ids if i in found]


def overview(training) -> list[dict]:
    """Every accepted enrolment with its progress (attendance and the survey gate) and
    current certificate."""
    enrolments = list(db.session.scalars(
        select(Enrolment).where(Enrolment.training_id == training.id,
                                Enrolment.status == "accepted").order_by(Enrolment.name)))
    progress = eligibility(training, enrolments)
    current = {c.enrolment_id: c for c in certificates_of(training, include_history=False)}
    return [{"enrolment": e, "progress": progress[e.id], "certificate": current.get(e.id)}
            for e in enrolments]


def history(certificate: Certificate) -> list[Certificate]:
    """Every certificate of the same enrolment, oldest first."""
    return list(db.session.scalars(
        select(Certificate).where(Certificate.enrolment_id == certificate.enrolment_id)
        .order_by(Certificate.issued_at, Certificate.id)))


def signatories_of(training) -> list[Signatory]:
    return list(db.session.scalars(select(Signatory).where(Signatory.training_id == training.id)
                                   .order_by(Signatory.position, Signatory.id)))
