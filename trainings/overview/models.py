"""Tables of the read models: the stored summary of each programme's dashboard."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from ..db import UTCDateTime
from ..extensions import db


class ProgrammeSummary(db.Model):
    """The figures of a programme's dashboard, shared by every web worker and the worker.

    ``version`` goes up with every change that may alter the figures (an upsert in the same
    transaction as the change, see ``overview.summaries``); ``data`` holds the figures computed
    at ``computed_version``. They are served only while ``computed_version == version``, so a
    view never shows figures older than the data it could read."""

    __tablename__ = "programme_dashboards"

    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programmes.id", ondelete="CASCADE"), primary_key=True)
    version: Mapped[int] = mapped_column(default=1)
    computed_version: Mapped[int | None] = mapped_column()
    data: Mapped[dict | None] = mapped_column(JSON)
    computed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
