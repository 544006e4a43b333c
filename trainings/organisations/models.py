"""Organisations (trainings' organisers, reused across trainings) and regional hubs."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, String, Table, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import UTCDateTime, utcnow
from ..extensions import db
from .names import fold


class Organisation(db.Model):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    # The name folded (case and diacritics ignored): what names given for a training match.
    name_key: Mapped[str] = mapped_column(String(200), default="", index=True)
    short_name: Mapped[str] = mapped_column(String(50), default="")
    website: Mapped[str | None] = mapped_column(String(300))
    country_code: Mapped[str | None] = mapped_column(String(2))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    hubs: Mapped[list[Hub]] = relationship(secondary="hub_organisations",
                                           back_populates="organisations", viewonly=True)

    def __repr__(self) -> str:
        return f"<Organisation {self.name}>"


@event.listens_for(Organisation.name, "set", retval=False)
def _keep_name_key(target: Organisation, value, _old, _initiator) -> None:
    target.name_key = fold(value)


hub_organisations = Table(
    "hub_organisations",
    db.metadata,
    Column("hub_id", ForeignKey("hubs.id", ondelete="CASCADE"), primary_key=True),
    Column("organisation_id", ForeignKey("organisations.id", ondelete="CASCADE"),
           primary_key=True),
)


class Hub(db.Model):
    """A regional group of organisations (Jalin Tenggara in Indonesia, Enlaza Sur ...)."""

    __tablename__ = "hubs"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    name_id: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    region: Mapped[str] = mapped_column(String(200), default="")
    description_id: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisations: Mapped[list[Organisation]] = relationship(
        secondary=hub_organisations, back_populates="hubs", order_by="Organisation.name")

    @property
    def country_codes(self) -> list[str]:
        return sorted({o.country_code for o in self.organisations if o.country_code})
