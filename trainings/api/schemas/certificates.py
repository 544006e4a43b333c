"""Certificates, verification and jobs: request and answer shapes."""
from __future__ import annotations

from typing import Any, Literal

from ...timezones import iso_utc
from .core import Bilingual, Input, Instant, Output


class RevokeIn(Input):
    reason: str | None = None


class ReissueIn(Input):
    reason: str | None = None
    name: str | None = None


class CertificateOut(Output):
    code: str
    enrolment: int
    name: str
    status: str
    sessions_attended: int | None
    sessions_held: int | None
    issued_at: Instant
    issue_reason: str | None
    revoked_at: Instant
    revoke_reason: str | None
    replaced_by: str | None
    replaces: str | None
    verify_url: str

    @classmethod
    def of(cls, certificate, verify_url: str) -> dict:
        return cls(
            code=certificate.code, enrolment=certificate.enrolment_id, name=certificate.name,
            status=certificate.status, sessions_attended=certificate.sessions_attended,
            sessions_held=certificate.sessions_held, issued_at=iso_utc(certificate.issued_at),
            issue_reason=certificate.issue_reason, revoked_at=iso_utc(certificate.revoked_at),
            revoke_reason=certificate.revoke_reason,
            replaced_by=certificate.replaced_by.code if certificate.replaced_by else None,
            replaces=certificate.replaces.code if certificate.replaces else None,
            verify_url=verify_url,
        ).dump()


class Certificates(Output):
    items: list[CertificateOut]


class Verification(Output):
    """What the public may know about a certificate (``/api/v1/verify/{code}``)."""

    model_config = {"extra": "allow"}
    code: str
    valid: bool
    status: str
    name: str
    training: Bilingual
    issued_at: Instant
    revoked_at: Instant


class Job(Output):
    model_config = {"extra": "allow"}
    id: str
    kind: str
    state: Literal["queued", "running", "done", "failed", "stalled"]
    done: int
    total: int
    result: dict[str, Any]
    error: str | None
    created_at: Instant
    finished_at: Instant


class Issued(Output):
    """``200``: issued at once; ``202``: a :class:`Job` to poll (``job`` is its id)."""

    model_config = {"extra": "allow"}
    job: str
    issued: int | None = None


class Credential(Output):
    """An Open Badges credential (JSON-LD)."""

    model_config = {"extra": "allow"}
