"""A programme groups trainings; its managers see and manage every training in it."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import UTCDateTime, utcnow
from ..extensions import db

programme_trainings = Table(
    "programme_trainings",
    db.metadata,
    Column("programme_id", ForeignKey("programmes.id", ondelete="CASCADE"), primary_key=True),
    Column("training_id", ForeignKey("trainings.id", ondelete="CASCADE"), primary_key=True,
           index=True),
)

programme_managers = Table(
    "programme_managers",
    db.metadata,
    Column("programme_id", ForeignKey("programmes.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)

programme_organisations = Table(
    "programme_organisations",
    db.metadata,
    Column("programme_id", ForeignKey("programmes.id", ondelete="CASCADE"), primary_key=True),
    Column("organisation_id", ForeignKey("organisations.id", ondelete="RESTRICT"),
           primary_key=True),
)


class Programme(db.Model):
    __tablename__ = "programmes"

    id: Mapped[int] = mapped_column(primary_key=True)
    title_id: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300))
    description_id: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    trainings = relationship("Training", secondary=programme_trainings,
                             order_by="Training.created_at")
    managers = relationship("User", secondary=programme_managers, order_by="User.email",
                            lazy="selectin")
    organisations = relationship("Organisation", secondary=programme_organisations,
                                 order_by="Organisation.name")

    def title(self, lang: str) -> str:
        return self.title_id if lang == "id" and self.title_id else self.title_en
