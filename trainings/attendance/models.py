from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import UTCDateTime, utcnow
from ..extensions import db

STATUSES = ("present", "late", "absent", "excused")


class AttendanceRecord(db.Model):
    """One participant's attendance at one session (the current value)."""

    __tablename__ = "attendance_records"
    __table_args__ = (
        UniqueConstraint("session_id", "enrolment_id"),
        CheckConstraint("status IN ('present', 'late', 'absent', 'excused')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("training_sessions.id", ondelete="CASCADE"), index=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(10))
    minutes: Mapped[int | None] = mapped_column()
    note: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    updated_by = relationship("User")


class AttendanceChange(db.Model):
    """Audit trail: appended in the same transaction as every change of a record."""

    __tablename__ = "attendance_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("training_sessions.id", ondelete="CASCADE"), index=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="CASCADE"))
    old_status: Mapped[str | None] = mapped_column(String(10))
    new_status: Mapped[str | None] = mapped_column(String(10))
    old_note: Mapped[str | None] = mapped_column(Text)
    new_note: Mapped[str | None] = mapped_column(Text)
    old_minutes: Mapped[int | None] = mapped_column()
    new_minutes: Mapped[int | None] = mapped_column()
    source: Mapped[str] = mapped_column(String(100), default="manual")
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    changed_by = relationship("User")


class AttendanceImport(db.Model):
    """A parsed meeting report waiting for its preview to be applied (kept server-side).
    Once applied, ``unmatched`` keeps the rows that matched no participant until an
    organiser or facilitator matches each by hand or dismisses it."""

    __tablename__ = "attendance_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("training_sessions.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(200), default="")
    platform: Mapped[str] = mapped_column(String(20))
    # [{"name", "email", "join", "leave", "minutes", "line"}] with ISO instants
    rows: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # [{"key", "name", "email", "minutes", "status", "resolution": None | "matched" |
    #   "dismissed", "enrolment", "by", "at"}]: the rows no participant matched when applied
    unmatched: Mapped[list | None] = mapped_column(JSON)
    unmatched_open: Mapped[int] = mapped_column(default=0, server_default="0")  # not yet resolved
