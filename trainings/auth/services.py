"""Accounts and API tokens."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from functools import lru_cache
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from ..db import utcnow
from ..errors import Conflict, NotFound, ValidationError
from ..extensions import db
from ..messages import TOO_LONG, text
from ..timezones import is_valid_timezone
from .models import ROLES, ApiToken, User

TOKEN_PREFIX = "anyam_"  # noqa: S105 - a prefix, not a secret
MIN_PASSWORD_LENGTH = 10


def normalise_email(value: str | None, field: str = "email") -> str:
    """A syntactically valid address, lower-cased (addresses are unique case-insensitively)."""
    try:
        result = validate_email((value or "").strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValidationError(_("Not a valid email address."), field=field,
                              code="invalid_email") from exc
    return result.normalized.lower()


def get_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def create_user(email: str, name: str, *, role: str = "participant", password: str | None = None,
                language: str = "en", timezone: str = "Asia/Jakarta") -> User:
    email = normalise_email(email)
    if role not in ROLES:
        raise ValidationError(_("Unknown role: %(role)s", role=role), field="role")
    if language not in ("id", "en"):
        raise ValidationError(_("Unknown language: %(lang)s", lang=language), field="language")
    if not is_valid_timezone(timezone):
        raise ValidationError(_("Unknown time zone: %(zone)s", zone=timezone), field="timezone")
    if not (name or "").strip():
        raise ValidationError(_("A name is required."), field="name")
    if get_user_by_email(email):
        raise Conflict(_("A user with this email already exists."), field="email",
                       code="duplicate_email")
    user = User(email=email, name=name.strip(), role=role, language=language, timezone=timezone)
    if password is not None:
        set_password(user, password)
    db.session.add(user)
    db.session.flush()
    return user


def set_password(user: User, password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ValidationError(
            _("The password must have at least %(n)d characters.", n=MIN_PASSWORD_LENGTH),
            field="password", code="weak_password")
    user.set_password(password)


def update_profile(user: User, *, name: str | None, language: str | None, timezone: str | None,
                   actor=None) -> User:
    """A person's own settings: name, language, time zone."""
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("A name is required."), field="name")
    if len(name) > 200:
        raise ValidationError(text(TOO_LONG, num=200), field="name")
    if language not in ("id", "en"):
        raise ValidationError(_("Unknown language: %(lang)s", lang=language), field="language")
    if not is_valid_timezone(timezone):
        raise ValidationError(_("Unknown time zone: %(zone)s", zone=timezone), field="timezone")
    user.name, user.language, user.timezone = name, language, timezone
    db.session.flush()
    return user


def set_language(user: User, language: str, *, actor=None) -> None:
    """The language a person reads Anyam in."""
    if language not in ("id", "en"):
        raise ValidationError(_("Unknown language: %(lang)s", lang=language), field="language")
    user.language = language
    db.session.flush()


def change_password(user: User, *, current: str | None, new: str | None, actor=None) -> None:
    """A new password, after the current one (when the account has one)."""
    if user.password_hash and not user.check_password(current or ""):
        raise ValidationError(_("The current password is wrong."), field="current_password")
    set_password(user, new)
    db.session.flush()


def authenticate(email: str, password: str) -> User | None:
    """The active user with that email and password, else None (same answer for both cases)."""
    user = get_user_by_email(email or "")
    if user is None:
        # Spend the time of a real check so that timing does not reveal which accounts exist.
        check_password_hash(_dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]),
                            password or "")
        return None
    if not user.is_active or not user.check_password(password or ""):
        return None
    user.last_login_at = utcnow()
    return user



@lru_cache(maxsize=2)
def _dummy_hash(method: str) -> str:
    return generate_password_hash(secrets.token_hex(16), method=method)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User, name: str = "") -> str:
    """Create a personal API token; the plain value is returned once and never stored."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user=user, name=name[:100], token_hash=_digest(token),
                            prefix=token[:12]))
    db.session.flush()
    return token


#: ``last_used_at`` of an API token is written at most this often (not on every call).
TOKEN_TOUCH_EVERY = timedelta(minutes=5)


def user_for_token(token: str | None) -> User | None:
    """The active user of a valid token. Marks the token used (``last_used_at``) when it was
    last marked more than :data:`TOKEN_TOUCH_EVERY` ago, so most API calls write nothing."""
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    api_token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
    if api_token is None or api_token.revoked_at is not None or not api_token.user.is_active:
        return None
    now = utcnow()
    if api_token.last_used_at is None or api_token.last_used_at <= now - TOKEN_TOUCH_EVERY:
        api_token.last_used_at = now
    return api_token.user


def own_token(user: User, token_id: int) -> ApiToken:
    """One of the user's own API tokens (someone else's is not found)."""
    api_token = db.session.get(ApiToken, token_id)
    if api_token is None or api_token.user_id != user.id:
        raise NotFound(_("No such token."))
    return api_token


def revoke_token(user: User, token_id: int) -> None:
    api_token = own_token(user, token_id)
    api_token.revoked_at = api_token.revoked_at or utcnow()
    db.session.flush()


def is_safe_next(target: str | None) -> bool:
    """Only local paths: '/trainings/1'. Refuses '//evil', '/\\evil', 'https:evil', 'http://x'."""
    if not target or not isinstance(target, str):
        return False
    if any(c in target for c in "\\\r\n\t") or not target.startswith("/") or target.startswith("//"):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc
