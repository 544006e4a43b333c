"""Groups within a training (thematic groups of a gathering): bilingual names, a capacity,
facilitators, and members who are enrolments of that training (one group each)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...db import UTCDateTime, utcnow
from ...extensions import db
from ..models import Enrolment

group_facilitators = Table(
    "group_facilitators",
    db.metadata,
    Column("group_id", ForeignKey("training_groups.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


class TrainingGroup(db.Model):
    __tablename__ = "training_groups"
    __table_args__ = (CheckConstraint("capacity > 0", name="capacity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    training_id: Mapped[int] = mapped_column(ForeignKey("trainings.id", ondelete="CASCADE"),
                                             index=True)
    name_id: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    capacity: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    training = relationship("Training")
    facilitators = relationship("User", secondary=group_facilitators, lazy="selectin",
                                order_by="User.name")
    members: Mapped[list[GroupMember]] = relationship(
        back_populates="group", cascade="all, delete-orphan", lazy="selectin")

    def name(self, lang: str) -> str:
        return self.name_id if lang == "id" and self.name_id else (self.name_en or self.name_id)


class GroupMember(db.Model):
    """An enrolment's place in a group; an enrolment is in at most one group."""

    __tablename__ = "group_members"

    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="CASCADE"),
                                              primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("training_groups.id", ondelete="CASCADE"),
                                          index=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    group: Mapped[TrainingGroup] = relationship(back_populates="members")
    enrolment: Mapped[Enrolment] = relationship(lazy="joined")
