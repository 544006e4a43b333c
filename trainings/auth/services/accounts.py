"""Accounts and profiles."""
from __future__ import annotations

from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from sqlalchemy import select

from ...errors import Conflict, ValidationError
from ...extensions import db
from ...messages import TOO_LONG, text
from ...timezones import is_valid_timezone
from ..models import ROLES, User
from .passwords import set_password


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


def is_safe_next(target: str | None) -> bool:
    """Only local paths: '/trainings/1'. Refuses '//evil', '/\\evil', 'https:evil', 'http://x'."""
    if not target or not isinstance(target, str):
        return False
    if any(c in target for c in "\\\r\n\t") or not target.startswith("/") or target.startswith("//"):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc
