"""Shapes of the privacy and audit routes: the staff audit, the personal export, erasure."""
from __future__ import annotations

from typing import Any

from pydantic import Field

from .core import Input, Instant, Output


class AuditActor(Output):
    id: int
    name: str | None


class AuditObject(Output):
    type: str
    id: int | None


class AuditItem(Output):
    at: Instant
    actor: AuditActor | None
    action: str
    object: AuditObject | None
    details: dict[str, Any]


class AuditPage(Output):
    items: list[AuditItem]
    page: int
    pages: int
    total: int


class EraseIn(Input):
    reason: str = Field(max_length=500)


class Erased(Output):
    person: int
    enrolments: int
    certificates_revoked: int
