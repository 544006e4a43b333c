"""What anyone may check about a certificate: the public verification, the Open Badge."""
from __future__ import annotations

from flask_babel import gettext as _

from ...errors import Conflict
from ...timezones import iso_utc
from .. import openbadges, render
from ..models import Certificate
from .urls import verify_url


def verification(certificate: Certificate, base: str) -> dict:
    """What the public may know: every claim printed, and the status."""
    claims = certificate.claims
    replacement = certificate.replaced_by
    return {
        "code": certificate.code,
        "valid": certificate.is_valid,
        "status": certificate.status,
        "name": certificate.name,
        "training": dict(claims["training"]),
        "dates": {"first": claims["first_date"], "last": claims["last_date"],
                  "text": {lang: render.date_range(claims["first_date"], claims["last_date"], lang)
                           for lang in ("id", "en")}},
        "sessions_attended": claims["sessions_attended"],
        "sessions_held": claims["sessions_held"],
        "issuers": [o["name"] for o in claims.get("organisations", [])],
        "signatories": [{"name": s["name"], "role": s.get("role") or {},
                         "organisation": s.get("organisation", "")}
                        for s in claims.get("signatories", [])],
        "statement": claims.get("statement") or {"id": "", "en": ""},
        "issued_at": iso_utc(certificate.issued_at),
        "revoked_at": iso_utc(certificate.revoked_at),
        "revoke_reason": certificate.revoke_reason,
        "replaced_at": iso_utc(certificate.replaced_at),
        "replaced_by": replacement.code if replacement is not None else None,
        "verify_url": verify_url(certificate.code, base),
    }


def credential(certificate: Certificate, base: str) -> dict:
    """The signed Open Badges 3.0 credential of a certificate."""
    if not certificate.is_valid:
        raise Conflict(_("Only a valid certificate can be downloaded as a credential."),
                       code="not_valid")
    issued = iso_utc(certificate.issued_at)
    unsigned = openbadges.build_credential(
        certificate.claims, code=certificate.code, verify_url=verify_url(certificate.code, base),
        base_url=base, issued_at=issued, email=certificate.enrolment.email)
    return openbadges.sign(unsigned, base_url=base, created=issued)
