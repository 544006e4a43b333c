from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import UTCDateTime, utcnow
from ..extensions import db


class Reminder(db.Model):
    """One reminder of one session to one person for one offset, written in the same
    transaction as its outbox message: the unique key makes it "exactly once" even with
    several workers. ``starts_at`` is the start it announced, so a moved session is
    reminded again at its new time. ``is_skipped``: an earlier offset that had already
    passed when the person enrolled (only the nearest one is sent)."""

    __tablename__ = "reminders"
    __table_args__ = (
        UniqueConstraint("session_id", "email", "hours_before", "starts_at"),
        CheckConstraint("hours_before > 0", name="hours_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("training_sessions.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    hours_before: Mapped[int] = mapped_column()
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    is_skipped: Mapped[bool] = mapped_column(default=False)
    message_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_messages.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
