"""Mail for accounts: the forgotten-password link (a receiver of the auth area's signal)."""
from __future__ import annotations

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from ..auth.signals import password_reset_requested
from ..web import absolute_url
from .services import queue_mail


@password_reset_requested.connect
def _mail_reset_link(user, *, token: str, **extra) -> None:
    minutes = int(current_app.config["PASSWORD_RESET_MINUTES"])
    link = absolute_url("auth.reset_password", token=token)
    with force_locale(user.language or "en"):
        subject = _("Set a new password for Anyam")
        body = _("Hello %(name)s,\n\nsomeone (probably you) asked to set a new password for "
                 "your Anyam account. Open this link within %(minutes)d minutes to do so:\n\n"
                 "%(link)s\n\nThe link works once. If you did not ask for it, ignore this "
                 "message: your password stays as it is.\n", name=user.name, minutes=minutes,
                 link=link)
    queue_mail(user.email, subject, body, to_name=user.name, kind="password_reset")
