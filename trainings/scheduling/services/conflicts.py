"""Facilitator conflicts: held sessions of any training that overlap with a facilitator
in common (warnings, never refusals)."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from ...extensions import db
from ..models import TrainingSession, session_facilitators
from .checks import MAX_DURATION_MINUTES


def _conflict(session: TrainingSession, other: TrainingSession, user) -> dict:
    return {
        "code": "facilitator_conflict",
        "session": session.id,
        "facilitator": user.email,
        "conflicting_session": other.id,
        "conflicting_training": other.training_id,
        # The other training's details stay private: its title only within one training.
        "message": (_("%(name)s already facilitates “%(title)s” at an overlapping time.",
                      name=user.name, title=other.title_en or other.title_id)
                    if other.training_id == session.training_id else
                    _("%(name)s already facilitates a session of another training at an "
                      "overlapping time.", name=user.name)),
    }


def _overlap(a: TrainingSession, b: TrainingSession) -> bool:
    return a.id != b.id and a.starts_at < b.ends_at and b.starts_at < a.ends_at


def _booked(user_ids, start: datetime, end: datetime) -> list[tuple[TrainingSession, int]]:
    """Held sessions of these facilitators that may overlap [start, end) (one query)."""
    if not user_ids:
        return []
    return list(db.session.execute(
        select(TrainingSession, session_facilitators.c.user_id)
        .join(session_facilitators, session_facilitators.c.session_id == TrainingSession.id)
        .where(session_facilitators.c.user_id.in_(list(user_ids)),
               TrainingSession.status != "cancelled",
               TrainingSession.starts_at < end,
               TrainingSession.starts_at > start - timedelta(minutes=MAX_DURATION_MINUTES))))


def facilitator_conflicts(session: TrainingSession) -> list[dict]:
    """Other held sessions (of any training) overlapping this one with a facilitator in common."""
    if session.status == "cancelled" or not session.facilitators:
        return []
    by_id = {u.id: u for u in session.facilitators}
    return [_conflict(session, other, by_id[user_id])
            for other, user_id in _booked(by_id, session.starts_at, session.ends_at)
            if _overlap(session, other)]


def training_conflicts(sessions: list[TrainingSession]) -> dict[int, list[dict]]:
    """Conflict warnings of many sessions at once (one query): session id → warnings."""
    held = [s for s in sessions if s.status != "cancelled" and s.facilitators]
    if not held:
        return {}
    users = {u.id: u for s in held for u in s.facilitators}
    rows = _booked(users, min(s.starts_at for s in held), max(s.ends_at for s in held))
    found: dict[int, list[dict]] = {}
    for session in held:
        mine = {u.id for u in session.facilitators}
        for other, user_id in rows:
            if user_id in mine and _overlap(session, other):
                found.setdefault(session.id, []).append(_conflict(session, other, users[user_id]))
    return found
