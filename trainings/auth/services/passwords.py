"""Passwords: the strength rule, changes, and the forgotten-password reset link."""
from __future__ import annotations

import re
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from ...db import utcnow
from ...errors import ValidationError
from ...extensions import db
from ..models import PasswordReset, User
from ..signals import password_reset_requested
from .login import clear_failed_logins, end_all_sessions
from .tokens import digest

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200  # longer ones only cost hashing time
MIN_SCORE = 3  # zxcvbn: 3 "safely unguessable" (about 10^8 guesses), 4 very unguessable
# Reset mails to one account per hour: more asks answer the same page and send nothing
# (nobody can flood someone's inbox through the form).
MAX_RESETS_PER_HOUR = 3
# zxcvbn looks at this many characters (its matching grows fast with the length)
STRENGTH_CHECK_CHARS = 64

# zxcvbn speaks English only: its warnings mapped to sentences of our own, translated.
WARNINGS = (
    ("common", _l("This is one of the most common passwords.")),
    ("similar to a commonly used", _l("This is very close to a common password.")),
    ("keyboard", _l("Keys next to each other on the keyboard are easy to guess.")),
    ("repeats", _l("Repeated characters such as \"aaa\" or \"abcabc\" are easy to guess.")),
    ("sequences", _l("Sequences such as \"abc\" or \"6543\" are easy to guess.")),
    ("recent years", _l("Years and dates are easy to guess.")),
    ("dates", _l("Years and dates are easy to guess.")),
    ("names", _l("Names on their own are easy to guess.")),
    ("single word", _l("A single word is easy to guess.")),
)
GENERIC = _l("This password is too easy to guess. Use a few unrelated words or a longer phrase.")


def _personal_words(user: User | None, extra: tuple[str, ...] = ()) -> list[str]:
    words: list[str] = []
    for value in (user.email if user else None, user.name if user else None, *extra):
        if not value:
            continue
        value = value.strip().lower()
        words.append(value)
        words += [w for w in re.split(r"[\s@._+\-]+", value) if len(w) >= 3]
    return words


def check_strength(password: str | None, user: User | None = None, *,
                   extra: tuple[str, ...] = (), field: str = "password") -> None:
    """Refuse short, common or guessable passwords (the person's own email or name among
    them) with a ``422 weak_password`` saying why, in the person's language."""
    password = password or ""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(
            _("The password must have at least %(n)d characters.", n=MIN_PASSWORD_LENGTH),
            field=field, code="weak_password")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ValidationError(
            _("The password may have at most %(n)d characters.", n=MAX_PASSWORD_LENGTH),
            field=field, code="weak_password")
    personal = _personal_words(user, extra)
    lowered = password.lower()
    if any(lowered == w or (len(w) >= 4 and w in lowered and len(lowered) - len(w) < 6)
           for w in personal):
        raise ValidationError(_("The password must not be your email address or your name."),
                              field=field, code="weak_password")
    from zxcvbn import zxcvbn  # 13 MB of dictionaries: loaded on first use
    result = zxcvbn(password[:STRENGTH_CHECK_CHARS], user_inputs=personal)
    if result["score"] >= MIN_SCORE:
        return
    warning = (result.get("feedback") or {}).get("warning") or ""
    reason = next((message for key, message in WARNINGS if key in warning.lower()), GENERIC)
    hint = _("Use at least %(n)d characters: a few unrelated words work well.",
             n=MIN_PASSWORD_LENGTH)
    raise ValidationError(f"{reason} {hint}", field=field, code="weak_password")


def set_password(user: User, password: str | None, *, personal: tuple[str, ...] = ()) -> None:
    """A new password after the strength check (``personal``: more words of the person's
    own, e.g. their organisation). An account that had one: every other session and
    remember cookie ends (the caller logs the current session in again)."""
    check_strength(password, user, extra=personal)
    had_password = bool(user.password_hash)
    user.set_password(password)
    clear_failed_logins(user)
    if had_password and user.id is not None:
        end_all_sessions(user)


def change_password(user: User, *, current: str | None, new: str | None, actor=None) -> None:
    """A new password, after the current one (when the account has one)."""
    if user.password_hash and not user.check_password(current or ""):
        raise ValidationError(_("The current password is wrong."), field="current_password")
    set_password(user, new)
    db.session.flush()


def request_password_reset(email: str | None) -> PasswordReset | None:
    """A one-time reset link for a known, active account (mailed through the outbox by a
    receiver of ``password_reset_requested``); None, silently, for an unknown address."""
    user = db.session.scalar(select(User).where(User.email == (email or "").strip().lower()))
    if user is None or not user.is_active:
        return None
    recent = db.session.scalar(select(func.count()).select_from(PasswordReset).where(
        PasswordReset.user_id == user.id, PasswordReset.created_at > utcnow() - timedelta(hours=1)))
    if recent >= MAX_RESETS_PER_HOUR:
        return None
    token = secrets.token_urlsafe(32)
    minutes = int(current_app.config["PASSWORD_RESET_MINUTES"])
    now = utcnow()
    reset = PasswordReset(user=user, token_hash=digest(token), created_at=now,
                          expires_at=now + timedelta(minutes=minutes))
    db.session.add(reset)
    db.session.flush()
    password_reset_requested.send(user, token=token)
    return reset


def reset_for_token(token: str | None) -> PasswordReset | None:
    """The unused, unexpired reset of that token, else None."""
    if not token or len(token) > 200:
        return None
    reset = db.session.scalar(select(PasswordReset).where(PasswordReset.token_hash == digest(token)))
    if reset is None or reset.used_at is not None or reset.expires_at <= utcnow():
        return None
    return reset if reset.user.is_active else None


def reset_password(token: str | None, password: str | None) -> User:
    """Set the password of a reset link's account; the link (and every other open link of
    that account) is used up, every session ends and the lockout is lifted."""
    reset = reset_for_token(token)
    if reset is None:
        raise ValidationError(_("This link is not valid any more. Ask for a new one."),
                              code="invalid_reset")
    user = reset.user
    set_password(user, password)
    end_all_sessions(user)  # also for an account that had no password yet
    db.session.execute(update(PasswordReset).where(
        PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None)).values(used_at=utcnow()))
    db.session.flush()
    return user
