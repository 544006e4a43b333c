"""Login: the password check, the per-account lockout, and ending every session.

Failed logins are counted on the account (one ``UPDATE ... SET failed_logins =
failed_logins + 1``, so concurrent workers count them all), or in Redis when
``LOGIN_LOCKOUT_REDIS_URL`` is set (``INCR`` with an expiry); after
``LOGIN_LOCKOUT_THRESHOLD`` in a row the account refuses logins for
``LOGIN_LOCKOUT_MINUTES``. A lockout is per account and time-limited, and a reset link
still works (it lifts the lockout), so nobody can lock everybody out.
"""
from __future__ import annotations

import secrets
from datetime import timedelta
from functools import lru_cache

from flask import current_app
from sqlalchemy import select, update
from werkzeug.security import check_password_hash, generate_password_hash

from ...db import utcnow
from ...extensions import db
from ..models import User


class LockedOut(Exception):
    """The account is temporarily locked after too many failed logins."""


REDIS_PREFIX = "anyam:login"


def _redis():
    """The Redis client of LOGIN_LOCKOUT_REDIS_URL (one per app), or None: the database."""
    url = current_app.config["LOGIN_LOCKOUT_REDIS_URL"]
    if not url:
        return None
    cached = current_app.extensions.get("anyam_lockout_redis")
    if cached is None or cached[0] != url:
        import redis  # optional (extra "jobs"): only installations that configure it need it
        cached = current_app.extensions["anyam_lockout_redis"] = (
            url, redis.Redis.from_url(url, socket_timeout=2))
    return cached[1]


def is_locked(user: User) -> bool:
    if (store := _redis()) is not None:
        return bool(store.exists(f"{REDIS_PREFIX}:locked:{user.id}"))
    return user.locked_until is not None and user.locked_until > utcnow()


def clear_failed_logins(user: User) -> None:
    """A successful login or a new password: the count starts again, any lockout ends."""
    user.failed_logins, user.locked_until = 0, None
    if user.id is not None and (store := _redis()) is not None:
        store.delete(f"{REDIS_PREFIX}:failed:{user.id}", f"{REDIS_PREFIX}:locked:{user.id}")


def record_failed_login(user: User) -> None:
    """Count a failure; lock the account when the threshold is reached."""
    threshold = int(current_app.config["LOGIN_LOCKOUT_THRESHOLD"])
    minutes = int(current_app.config["LOGIN_LOCKOUT_MINUTES"])
    if (store := _redis()) is not None:
        failed = f"{REDIS_PREFIX}:failed:{user.id}"
        count = store.incr(failed)
        if count == 1:
            store.expire(failed, minutes * 60)  # failures older than a lockout are forgotten
        if count >= threshold:
            store.set(f"{REDIS_PREFIX}:locked:{user.id}", 1, ex=minutes * 60)
            store.delete(failed)
        return
    db.session.execute(update(User).where(User.id == user.id)
                       .values(failed_logins=User.failed_logins + 1))
    db.session.refresh(user, ["failed_logins"])
    if user.failed_logins >= threshold:
        user.locked_until = utcnow() + timedelta(minutes=minutes)
        user.failed_logins = 0
    db.session.flush()


def record_login(user: User) -> None:
    clear_failed_logins(user)
    user.last_login_at = utcnow()
    db.session.flush()


def authenticate(email: str, password: str) -> User | None:
    """The active user with that email and password, else None (same answer for both cases).
    Raises :class:`LockedOut` for a locked account, without checking the password. The caller
    records the login (:func:`record_login`) once every factor is checked."""
    user = db.session.scalar(select(User).where(User.email == (email or "").strip().lower()))
    if user is None:
        # Spend the time of a real check so that timing does not reveal which accounts exist.
        check_password_hash(_dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]),
                            password or "")
        return None
    if is_locked(user):
        raise LockedOut()
    if not user.is_active or not user.check_password(password or ""):
        record_failed_login(user)
        return None
    return user


def end_all_sessions(user: User, *, actor=None) -> None:
    """Log the account out everywhere: every session and remember cookie carries the old
    session version in its id, which the user loader now refuses."""
    db.session.execute(update(User).where(User.id == user.id)
                       .values(session_version=User.session_version + 1))
    db.session.refresh(user, ["session_version"])


@lru_cache(maxsize=2)
def _dummy_hash(method: str) -> str:
    return generate_password_hash(secrets.token_hex(16), method=method)
