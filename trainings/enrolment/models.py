from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import UTCDateTime, utcnow
from ..extensions import db


def new_checkin_code() -> str:
    """A personal check-in code: random and unguessable (128 bits), short enough for a QR."""
    return secrets.token_urlsafe(16)


STATUSES = ("applied", "accepted", "waitlisted", "rejected", "withdrawn")
SECTORS = ("academic", "activist", "government", "other")


class Enrolment(db.Model):
    __tablename__ = "enrolments"
    __table_args__ = (
        UniqueConstraint("training_id", "email"),
        CheckConstraint("email = lower(email)", name="email_lowercase"),
        CheckConstraint(
            "status IN ('applied', 'accepted', 'waitlisted', 'rejected', 'withdrawn')",
            name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    training_id: Mapped[int] = mapped_column(ForeignKey("trainings.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    country_code: Mapped[str] = mapped_column(String(2), index=True)
    organisation: Mapped[str] = mapped_column(String(200), default="")
    sector: Mapped[str] = mapped_column(String(20), default="other")
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Jakarta")
    language: Mapped[str] = mapped_column(String(5), default="en")
    accessibility_needs: Mapped[str | None] = mapped_column(Text)
    accessibility_consent: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(20), default="applied", index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # name and email folded (case and diacritics ignored) for people search; see people.py
    search_key: Mapped[str] = mapped_column(String(500), default="", index=True)
    # set when the person's data was erased (on request or after the retention period)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # the personal check-in code of gatherings (QR on My schedule and the badge)
    checkin_code: Mapped[str | None] = mapped_column(String(32), unique=True,
                                                     default=new_checkin_code)

    training = relationship("Training")
    user = relationship("User")


class Invitation(db.Model):
    """A one-time link to set a password, sent when an enrolment is accepted.

    Only the SHA-256 digest of the token is stored; the link expires and works once.
    """

    __tablename__ = "enrolment_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    enrolment_id: Mapped[int | None] = mapped_column(
        ForeignKey("enrolments.id", ondelete="SET NULL"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User")
    enrolment = relationship("Enrolment")
