"""Personal calendar-feed tokens: issue, revoke, and find the person a token belongs to."""
from __future__ import annotations

import secrets

from sqlalchemy import select

from ...auth.models import User
from ...extensions import db


def issue_calendar_token(user, *, actor=None) -> str:
    """A new secret for the personal feed; the old link stops working."""
    user.calendar_token = secrets.token_urlsafe(32)
    db.session.flush()
    return user.calendar_token


def revoke_calendar_token(user, *, actor=None) -> None:
    user.calendar_token = None
    db.session.flush()


def user_for_calendar_token(token: str | None):
    if not token or len(token) > 64:
        return None
    user = db.session.scalar(select(User).where(User.calendar_token == token))
    if user is None or not user.is_active or not secrets.compare_digest(user.calendar_token, token):
        return None
    return user
