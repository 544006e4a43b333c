"""What anyone may check about a certificate: the public verification, the Open Badge."""
from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from flask_babel import gettext as _

from ...errors import Conflict
from ...timezones import iso_utc
from .. import openbadges, render
from ..models import Certificate
from . import status
from .urls import status_list_url, verify_url


def verification(certificate: Certificate, base: str) -> dict:
    """What the public may know: every claim printed, and the status."""
    claims = certificate.claims
    replacement = certificate.replaced_by
    listed = status.is_revoked_in_list(certificate)
    state = certificate.status
    if state == "valid" and listed:  # the list is what offline verifiers see
        state = "revoked"
    return {
        "code": certificate.code,
        "valid": state == "valid",
        "status": state,
        "status_list": None if listed is None else {
            "url": status_list_url(certificate.status_list_id, base),
            "index": certificate.status_index, "revoked": listed},
        "name": certificate.name,
        "training": dict(claims["training"]),
        "dates": {"first": claims["first_date"], "last": claims["last_date"],
                  "text": {lang: render.date_range(claims["first_date"], claims["last_date"], lang)
                           for lang in ("id", "en")},
                  "last_text": {lang: render.date_range(claims["last_date"], claims["last_date"],
                                                        lang) for lang in ("id", "en")}},
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
        "replaces": certificate.replaces.code if certificate.replaces is not None else None,
        "issued_date": claims.get("issued_date"),
        "verify_url": verify_url(certificate.code, base),
    }


LINKEDIN_ADD = "https://www.linkedin.com/profile/add"


def linkedin_url(info: dict) -> str:
    """LinkedIn's documented "Add to profile" link for a certification (a plain link)."""
    issued = date.fromisoformat(info["issued_date"]) if info.get("issued_date") else None
    params = {"startTask": "CERTIFICATION_NAME", "name": info["training"]["en"],
              "organizationName": ", ".join(info["issuers"]) or "Anyam",
              "certUrl": info["verify_url"], "certId": info["code"]}
    if issued is not None:
        params.update(issueYear=str(issued.year), issueMonth=str(issued.month))
    return f"{LINKEDIN_ADD}?{urlencode(params)}"


def credential(certificate: Certificate, base: str) -> dict:
    """The signed Open Badges 3.0 credential of a certificate, with its status list entry
    (given on first use: the caller commits)."""
    if not certificate.is_valid:
        raise Conflict(_("Only a valid certificate can be downloaded as a credential."),
                       code="not_valid")
    status.assign_entry(certificate)
    issued = iso_utc(certificate.issued_at)
    unsigned = openbadges.build_credential(
        certificate.claims, code=certificate.code, verify_url=verify_url(certificate.code, base),
        base_url=base, issued_at=issued, email=certificate.enrolment.email,
        credential_status=status.entry(certificate, base))
    return openbadges.sign(unsigned, base_url=base, created=issued)
