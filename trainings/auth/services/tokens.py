"""Personal API tokens: a scope (read or write) and an expiry; only a digest is stored."""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ...db import utcnow
from ...errors import NotFound, ValidationError
from ...extensions import db
from ..models import ApiToken, User

TOKEN_PREFIX = "anyam_"  # noqa: S105 - a prefix, not a secret
SCOPES = ("read", "write")
MAX_DAYS = 3650
# Methods a "read" token may use; anything else is a state change.
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
TWO_FACTOR_REQUIRED = _l("Administrators must set up two-factor login (on the profile page) "
                         "before using the API.")
READ_ONLY_TOKEN = _l("This token may only read. Create a token that may change data for this.")


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User, name: str = "", *, scope: str = "write",
                expires_days: int | None = None, actor=None) -> str:
    """Create a personal API token; the plain value is returned once and never stored.
    ``expires_days``: None takes ``API_TOKEN_DAYS``. Every token expires."""
    if scope not in SCOPES:
        raise ValidationError(_("Unknown scope: %(scope)s", scope=scope), field="scope")
    days = int(current_app.config["API_TOKEN_DAYS"]) if expires_days is None else expires_days
    if not 1 <= days <= MAX_DAYS:
        raise ValidationError(_("A token is valid for 1 to %(n)d days.", n=MAX_DAYS),
                              field="expires_days")
    expires_at: datetime = utcnow() + timedelta(days=days)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user=user, name=(name or "")[:100], token_hash=digest(token),
                            prefix=token[:12], scope=scope, expires_at=expires_at))
    db.session.flush()
    return token


#: ``last_used_at`` of an API token is written at most this often (not on every call).
TOKEN_TOUCH_EVERY = timedelta(minutes=5)


def api_token_for(token: str | None) -> ApiToken | None:
    """The valid token record of that plain token: not revoked, not expired, of an active
    account; its ``last_used_at`` is updated when older than :data:`TOKEN_TOUCH_EVERY`
    (so most calls write nothing). Else None."""
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    api_token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(token)))
    if api_token is None or api_token.revoked_at is not None or not api_token.user.is_active:
        return None
    if api_token.expires_at is not None and api_token.expires_at <= utcnow():
        return None
    now = utcnow()
    if api_token.last_used_at is None or api_token.last_used_at <= now - TOKEN_TOUCH_EVERY:
        api_token.last_used_at = now
    return api_token


def allows(api_token: ApiToken, method: str) -> bool:
    """A "read" token reads only; a "write" token may use every method."""
    return api_token.scope == "write" or method.upper() in READ_METHODS


def user_for_token(token: str | None) -> User | None:
    api_token = api_token_for(token)
    return api_token.user if api_token is not None else None


def own_token(user: User, token_id: int) -> ApiToken:
    """One of the user's own API tokens (someone else's is not found)."""
    api_token = db.session.get(ApiToken, token_id)
    if api_token is None or api_token.user_id != user.id:
        raise NotFound(_("No such token."))
    return api_token


def revoke_token(user: User, token_id: int, *, actor=None) -> None:
    api_token = own_token(user, token_id)
    api_token.revoked_at = api_token.revoked_at or utcnow()
    db.session.flush()


# ------------------------------------------------------------------ calendar feed tokens

def _feed_token(user: User, nonce: str) -> str:
    key = str(current_app.config["SECRET_KEY"]).encode()
    mac = hmac.new(key, f"anyam-calendar-feed:{user.id}:{nonce}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()).decode().rstrip("=")


def issue_calendar_token(user: User, *, actor=None) -> str:
    """A new secret for the personal feed (the old link stops working). The database keeps
    its digest and a nonce; the token is the nonce's HMAC under SECRET_KEY."""
    nonce = secrets.token_hex(16)
    token = _feed_token(user, nonce)
    user.calendar_feed_nonce, user.calendar_token_hash = nonce, digest(token)
    db.session.flush()
    return token


def calendar_feed_token(user: User) -> str | None:
    """The current feed token, for showing the link again; None without a feed (or for a
    link made before tokens were stored hashed: it works, but only a new one can be shown)."""
    if not user.calendar_token_hash or not user.calendar_feed_nonce:
        return None
    token = _feed_token(user, user.calendar_feed_nonce)
    return token if hmac.compare_digest(digest(token), user.calendar_token_hash) else None


def revoke_calendar_token(user: User, *, actor=None) -> None:
    user.calendar_feed_nonce = user.calendar_token_hash = None
    db.session.flush()


def user_for_calendar_token(token: str | None) -> User | None:
    if not token or len(token) > 100:
        return None
    user = db.session.scalar(select(User).where(User.calendar_token_hash == digest(token)))
    return user if user is not None and user.is_active else None
