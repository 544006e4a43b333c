"""Administration of accounts (admins only): list, create, change a role, deactivate and
reactivate. Services take plain values and an ``actor``; the caller commits."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from ..errors import Conflict, NotFound, ValidationError
from ..extensions import db
from ..policy import require
from .models import ROLES, User
from .services import create_user

PAGE_SIZE = 50


def list_users(*, actor, search: str | None = None, role: str | None = None) -> list[User]:
    require(actor, "user.manage")
    query = select(User).order_by(func.lower(User.name), User.id)
    if role:
        if role not in ROLES:
            raise ValidationError(_l("Unknown role: %(role)s", role=role), field="role")
        query = query.where(User.role == role)
    if search and search.strip():
        like = "%" + search.strip().lower().replace("%", "").replace("_", "") + "%"
        query = query.where(or_(func.lower(User.name).like(like), User.email.like(like)))
    return list(db.session.scalars(query))


def get_user(user_id: int, *, actor) -> User:
    require(actor, "user.manage")
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_l("No such account."))
    return user


def add_user(*, actor, email: str, name: str, role: str, language: str, timezone: str) -> User:
    """A new account without a password: the person sets one through "Forgot password"
    (or an invitation when they are enrolled)."""
    require(actor, "user.manage")
    return create_user(email, name, role=role, language=language, timezone=timezone)


def update_user(user: User, *, actor, role: str, is_active: bool) -> User:
    require(actor, "user.manage", user)
    if role not in ROLES:
        raise ValidationError(_l("Unknown role: %(role)s", role=role), field="role")
    if user.id == actor.id and (role != "admin" or not is_active):
        raise Conflict(_l("You cannot take away your own administration rights or "
                          "deactivate your own account."), field="role", code="own_account")
    if user.role == "admin" and (role != "admin" or not is_active):
        admins = db.session.scalar(select(func.count()).select_from(User).where(
            User.role == "admin", User.is_active_account.is_(True)))
        if admins <= 1:
            raise Conflict(_l("Anyam needs at least one active administrator."), field="role",
                           code="last_admin")
    user.role, user.is_active_account = role, bool(is_active)
    db.session.flush()
    return user
