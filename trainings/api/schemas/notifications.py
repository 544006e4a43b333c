"""The outbox and announcements: request and answer shapes."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from .core import BilingualIn, Input, Instant, Output


class OutboxItem(Output):
    id: int
    to: str
    kind: str
    subject: str
    language: str | None
    state: Literal["pending", "sent", "failed"]
    attempts: int
    sent_at: Instant
    error: str | None


class Outbox(Output):
    items: list[OutboxItem]
    total: int


class RecipientsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: str | None = None
    country: str | None = None


class AnnouncementIn(Input):
    subject: str | BilingualIn
    body: str | BilingualIn
    to: RecipientsIn | None = None


class Queued(Output):
    queued: int


class Recipient(Output):
    id: int
    name: str
    email: str
    country: str
    language: str


class Recipients(Output):
    items: list[Recipient]
    count: int
