from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..db import UTCDateTime, utcnow
from ..extensions import db

STATES = ("pending", "sent", "failed")


class OutboxMessage(db.Model):
    """Every mail Anyam sends is written here first; the worker delivers it over SMTP and
    records the outcome: ``pending`` (with the next try's time), ``sent``, or ``failed``
    (after the last try, or at once when the server refuses it for good)."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        CheckConstraint("state IN ('pending', 'sent', 'failed')", name="state_known"),
        CheckConstraint("attempts >= 0", name="attempts_positive"),
        Index("ix_outbox_messages_due", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    training_id: Mapped[int | None] = mapped_column(
        ForeignKey("trainings.id", ondelete="SET NULL"), index=True)
    to_email: Mapped[str] = mapped_column(String(254), index=True)
    to_name: Mapped[str] = mapped_column(String(200), default="")
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(50), default="general")
    language: Mapped[str | None] = mapped_column(String(5))  # "id" | "en"; None: both
    # A reference the sender can resolve to an attachment, e.g. "certificate:ABCD-EFGH".
    attachment_ref: Mapped[str | None] = mapped_column(String(200))
    # Files sent with the message: [{"filename", "mimetype", "text"}] (e.g. a calendar event).
    attachments: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    state: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str | None] = mapped_column(Text)
