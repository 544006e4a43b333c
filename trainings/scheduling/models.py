from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    ForeignKey,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import UTCDateTime, utcnow
from ..extensions import db
from ..organisations.models import Organisation

__all__ = ["Organisation", "Training", "TrainingCountryQuota", "TrainingOrganisation",
           "TrainingSession", "TrainingStaff", "session_facilitators"]


class TrainingOrganisation(db.Model):
    """A co-organising organisation of a training, in display order."""

    __tablename__ = "training_organisations"

    training_id: Mapped[int] = mapped_column(
        ForeignKey("trainings.id", ondelete="CASCADE"), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), primary_key=True)
    position: Mapped[int] = mapped_column(default=0)

    organisation: Mapped[Organisation] = relationship(lazy="joined")


class Training(db.Model):
    __tablename__ = "trainings"
    __table_args__ = (CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title_id: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300))
    description_id: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Jakarta")
    capacity: Mapped[int | None] = mapped_column()
    # {"min_sessions": 6, "min_percent": null, "mandatory_sessions": [], "excused_counts": false}
    certificate_rule: Mapped[dict] = mapped_column(JSON, default=dict)
    # Enrolment settings: the public application page, and whether applications need approval.
    applications_open: Mapped[bool] = mapped_column(default=False)
    requires_approval: Mapped[bool] = mapped_column(default=False)

    # Attendance settings: present from this share of a session's length; late after N minutes.
    attendance_threshold_percent: Mapped[int] = mapped_column(default=60)
    late_after_minutes: Mapped[int] = mapped_column(default=15)

    # Certificate settings: a short bilingual statement (plain text, never HTML).
    certificate_statement_id: Mapped[str] = mapped_column(Text, default="")
    certificate_statement_en: Mapped[str] = mapped_column(Text, default="")
    # privacy: erase participants' personal data this many months after the last session
    # (None: keep); run by the worker (trainings.overview.privacy)
    retention_months: Mapped[int | None] = mapped_column()

    # Notification settings: reminders this many hours before each session ([] for none).
    reminders_hours_before: Mapped[list] = mapped_column(JSON, default=lambda: [24, 1])

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    organisation_links: Mapped[list[TrainingOrganisation]] = relationship(
        cascade="all, delete-orphan", order_by="TrainingOrganisation.position")
    quotas: Mapped[list[TrainingCountryQuota]] = relationship(
        back_populates="training", cascade="all, delete-orphan",
        order_by="TrainingCountryQuota.country_code")
    staff: Mapped[list[TrainingStaff]] = relationship(
        back_populates="training", cascade="all, delete-orphan")
    sessions: Mapped[list[TrainingSession]] = relationship(
        back_populates="training", cascade="all, delete-orphan",
        order_by="TrainingSession.starts_at")

    @property
    def organisations(self) -> list[Organisation]:
        return [link.organisation for link in self.organisation_links]

    @property
    def country_quotas(self) -> dict[str, int]:
        return {q.country_code: q.places for q in self.quotas}

    @property
    def last_session_end(self) -> datetime | None:
        """When the last session that is not cancelled ends (None without one)."""
        ends = [s.ends_at for s in self.sessions if s.status != "cancelled"]
        return max(ends) if ends else None

    def has_ended(self, now: datetime | None = None) -> bool:
        """Every session that is not cancelled is over (a training without one never is)."""
        end = self.last_session_end
        return end is not None and end <= (now or utcnow())

    def title(self, lang: str) -> str:
        return self.title_id if lang == "id" and self.title_id else self.title_en

    def description(self, lang: str) -> str:
        return self.description_id if lang == "id" and self.description_id else self.description_en


class TrainingCountryQuota(db.Model):
    __tablename__ = "training_country_quotas"
    __table_args__ = (CheckConstraint("places >= 0", name="places_positive"),)

    training_id: Mapped[int] = mapped_column(
        ForeignKey("trainings.id", ondelete="CASCADE"), primary_key=True)
    country_code: Mapped[str] = mapped_column(String(2), primary_key=True)
    places: Mapped[int] = mapped_column()

    training: Mapped[Training] = relationship(back_populates="quotas")


class TrainingStaff(db.Model):
    __tablename__ = "training_staff"
    __table_args__ = (
        UniqueConstraint("training_id", "user_id", "role"),
        CheckConstraint("role IN ('organiser', 'facilitator')", name="role_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    training_id: Mapped[int] = mapped_column(ForeignKey("trainings.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))

    training: Mapped[Training] = relationship(back_populates="staff")
    user = relationship("User", lazy="joined")


session_facilitators = Table(
    "session_facilitators",
    db.metadata,
    Column("session_id", ForeignKey("training_sessions.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


class SessionFacts:
    """What a session shows, from its columns: shared by the mapped session and the plain
    rows of the training page (:func:`~trainings.scheduling.services.loaders.page_sessions`)."""

    __slots__ = ()

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def is_cancelled(self) -> bool:
        return self.status == "cancelled"

    @property
    def has_taken_place(self) -> bool:
        """Not cancelled and over: shown as "Held" rather than "Scheduled"."""
        return self.taken_place_by(utcnow())

    def taken_place_by(self, now: datetime) -> bool:
        return not self.is_cancelled and self.ends_at <= now

    def title(self, lang: str) -> str:
        return self.title_id if lang == "id" and self.title_id else self.title_en

    def description(self, lang: str) -> str:
        return self.description_id if lang == "id" and self.description_id else self.description_en

    @property
    def is_online(self) -> bool:
        return (self.mode or "online") == "online"

    def venue_accessibility(self, lang: str) -> str:
        if lang == "id" and self.venue_accessibility_id:
            return self.venue_accessibility_id
        return self.venue_accessibility_en or self.venue_accessibility_id or ""


class TrainingSession(SessionFacts, db.Model):
    """One online meeting of a training (not ``Session``: that is ``db.session``)."""

    __tablename__ = "training_sessions"
    __table_args__ = (
        CheckConstraint("duration_minutes > 0", name="duration_positive"),
        CheckConstraint("status IN ('scheduled', 'cancelled')", name="status_known"),
        CheckConstraint("mode IN ('online', 'in_person', 'hybrid')", name="mode_known"),
        CheckConstraint("mode = 'online' OR venue_name IS NOT NULL", name="venue_unless_online"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    training_id: Mapped[int] = mapped_column(ForeignKey("trainings.id", ondelete="CASCADE"), index=True)
    title_id: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300))
    description_id: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    duration_minutes: Mapped[int] = mapped_column()
    meeting_url: Mapped[str | None] = mapped_column(String(500))
    module_slug: Mapped[str | None] = mapped_column(String(100))
    # the uploaded version of the module the session was prepared with (None: shipped/latest)
    module_version: Mapped[int | None] = mapped_column()
    status: Mapped[str] = mapped_column(String(20), default="scheduled")
    sequence: Mapped[int] = mapped_column(default=0)  # iCalendar SEQUENCE, raised on every change
    # Gatherings (docs/gatherings.md): online, in person or hybrid; a venue unless online;
    # interpretation as codes: "id-en" (a language pair), "sign:BISINDO" (a sign language).
    mode: Mapped[str] = mapped_column(String(20), default="online", server_default="online")
    venue_name: Mapped[str | None] = mapped_column(String(300))
    venue_address: Mapped[str | None] = mapped_column(Text)
    venue_accessibility_id: Mapped[str] = mapped_column(Text, default="", server_default="")
    venue_accessibility_en: Mapped[str] = mapped_column(Text, default="", server_default="")
    interpretation: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    training: Mapped[Training] = relationship(back_populates="sessions")
    facilitators = relationship("User", secondary=session_facilitators, lazy="selectin",
                                order_by="User.name")
