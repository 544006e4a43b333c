"""Participant accounts and invitations: an accepted enrolment gets a user, and a person
without a password gets a one-time set-password link (only its digest is stored)."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from ...auth.models import User
from ...auth.services import set_password
from ...db import utcnow
from ...errors import Conflict, NotFound
from ...extensions import db
from ..models import Enrolment, Invitation
from .mails import invitation_days, notify


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_invitation(user: User, enrolment: Enrolment | None = None) -> str:
    """A one-time set-password token (returned once; only its digest is stored)."""
    token = secrets.token_urlsafe(32)
    db.session.add(Invitation(user_id=user.id, enrolment_id=enrolment.id if enrolment else None,
                              token_hash=_digest(token),
                              expires_at=utcnow() + timedelta(days=invitation_days())))
    db.session.flush()
    return token


def invitation_for_token(token: str | None) -> Invitation | None:
    """The valid (unused, unexpired) invitation of that token, else None."""
    if not token or len(token) > 200:
        return None
    invitation = db.session.scalar(select(Invitation).where(
        Invitation.token_hash == _digest(token)))
    if invitation is None or invitation.used_at is not None or invitation.expires_at <= utcnow():
        return None
    if not invitation.user.is_active:
        return None
    return invitation


def accept_invitation(token: str, password: str) -> User:
    invitation = invitation_for_token(token)
    if invitation is None:
        raise NotFound(_("This link is not valid any more. Ask the organisers for a new one."),
                       code="invalid_invitation")
    organisations = tuple(e.organisation for e in db.session.scalars(
        select(Enrolment).where(Enrolment.user_id == invitation.user_id)) if e.organisation)
    set_password(invitation.user, password, personal=organisations)
    now = utcnow()
    for other in db.session.scalars(select(Invitation).where(
            Invitation.user_id == invitation.user_id, Invitation.used_at.is_(None))):
        other.used_at = now
    db.session.flush()
    return invitation.user


def resend_invitation(enrolment: Enrolment, *, actor=None) -> str:
    """A fresh set-password link for an accepted participant who has not set a password
    (queued to them; returned for the organiser when no mail server delivers it)."""
    if enrolment.status != "accepted":
        raise Conflict(_("Only accepted participants get an invitation."), code="not_accepted")
    user, needs_invitation = link_account(enrolment)
    if not needs_invitation:
        raise Conflict(_("This participant has already set a password."),
                       code="password_already_set")
    notify(enrolment, create_invitation(user, enrolment))
    return enrolment.invitation_link


def link_account(enrolment: Enrolment) -> tuple[User, bool]:
    """The user of an accepted enrolment, created when needed. (user, needs_invitation)"""
    user = enrolment.user
    if user is None:
        user = db.session.scalar(select(User).where(User.email == enrolment.email))
    if user is None:
        user = User(email=enrolment.email, name=enrolment.name, role="participant",
                    language=enrolment.language, timezone=enrolment.timezone)
        db.session.add(user)
        db.session.flush()
    enrolment.user_id = user.id
    enrolment.user = user
    return user, not user.password_hash


def after_status(enrolment: Enrolment, *, notify_person: bool = True) -> None:
    """Link the account of an accepted enrolment; tell the person what happened."""
    token = None
    if enrolment.status == "accepted":
        user, needs_invitation = link_account(enrolment)
        if needs_invitation:
            token = create_invitation(user, enrolment)
    if notify_person:
        notify(enrolment, token)
