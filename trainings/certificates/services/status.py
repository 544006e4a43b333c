"""Revocation status of credentials: W3C Bitstring Status Lists (v1.0).

Each certificate whose credential is built gets an entry: a random free index (never in
issue order, so indexes tell nothing about other holders) in the issuer's ``revocation``
list of at least 131,072 bits. Revoking or replacing a certificate sets its bit; the list is
published as a signed ``BitstringStatusListCredential`` built from the stored bits on
request (Ed25519 signatures are deterministic, so the answer changes only with the list).
The public verification page reads the status from the same bits.
"""
from __future__ import annotations

import secrets

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from ...db import utcnow
from ...extensions import db
from ...timezones import iso_utc
from .. import openbadges
from ..models import Certificate, StatusList
from .urls import status_list_url

LIST_LENGTH = 131072  # bits: the specification's minimum, for group privacy
PURPOSE = "revocation"
ISSUER = "default"
FILL_LIMIT = 0.5  # a new list once half is used, so random free indexes stay cheap


def _open_list(purpose: str = PURPOSE) -> StatusList:
    status_list = db.session.scalar(
        select(StatusList).where(StatusList.issuer == ISSUER, StatusList.purpose == purpose,
                                 StatusList.used < StatusList.length * FILL_LIMIT)
        .order_by(StatusList.id).limit(1))
    if status_list is None:
        status_list = StatusList(issuer=ISSUER, purpose=purpose, length=LIST_LENGTH,
                                 bits=bytes(LIST_LENGTH // 8), used=0)
        db.session.add(status_list)
        db.session.flush()
    return status_list


def assign_entry(certificate: Certificate) -> None:
    """Give the certificate a random free index in an open revocation list (idempotent)."""
    if certificate.status_list_id is not None:
        return
    for _attempt in range(5):
        status_list = _open_list()
        taken = set(db.session.scalars(select(Certificate.status_index).where(
            Certificate.status_list_id == status_list.id)))
        index = secrets.randbelow(status_list.length)
        while index in taken:
            index = secrets.randbelow(status_list.length)
        try:
            with db.session.begin_nested():  # a concurrent request may take the same index
                certificate.status_list_id = status_list.id
                certificate.status_index = index
                db.session.flush()
        except IntegrityError:
            certificate.status_list_id = certificate.status_index = None
            continue
        db.session.execute(update(StatusList).where(StatusList.id == status_list.id)
                           .values(used=StatusList.used + 1))
        db.session.flush()
        return
    raise RuntimeError("no free status list index after 5 attempts")


def _bit(bits: bytes, index: int) -> bool:
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def set_revoked(certificate: Certificate) -> None:
    """Set the certificate's bit in its revocation list (nothing when it has no entry)."""
    if certificate.status_list_id is None:
        return
    # Locked and re-read: concurrent revocations in one list must not lose each other's bits.
    status_list = db.session.get(StatusList, certificate.status_list_id, with_for_update=True,
                                 populate_existing=True)
    bits = bytearray(status_list.bits)
    bits[certificate.status_index // 8] |= 0x80 >> (certificate.status_index % 8)
    status_list.bits = bytes(bits)
    status_list.updated_at = utcnow()
    db.session.flush()


def is_revoked_in_list(certificate: Certificate) -> bool | None:
    """The certificate's bit in its list; None when it has no entry."""
    if certificate.status_list_id is None:
        return None
    status_list = db.session.get(StatusList, certificate.status_list_id)
    return _bit(status_list.bits, certificate.status_index)


def entry(certificate: Certificate, base: str) -> dict:
    """The credential's ``credentialStatus`` (a ``BitstringStatusListEntry``)."""
    url = status_list_url(certificate.status_list_id, base)
    return {"id": f"{url}#{certificate.status_index}", "type": "BitstringStatusListEntry",
            "statusPurpose": PURPOSE, "statusListIndex": str(certificate.status_index),
            "statusListCredential": url}


def get_list(status_list_id: int) -> StatusList | None:
    return db.session.get(StatusList, status_list_id)


def list_credential(status_list: StatusList, base: str) -> dict:
    """The signed ``BitstringStatusListCredential`` of a list."""
    url = status_list_url(status_list.id, base)
    updated = iso_utc(status_list.updated_at)
    unsigned = {
        "@context": [openbadges.VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": openbadges.issuer_id(base),
        "validFrom": updated,
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": status_list.purpose,
            "encodedList": openbadges.encode_bitstring(status_list.bits),
        },
    }
    return openbadges.sign(unsigned, base_url=base, created=updated)

