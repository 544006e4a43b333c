"""The mail a person gets when their enrolment changes (in their language)."""
from __future__ import annotations

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from ...outbox.services import queue_mail
from ...web import absolute_url
from ..models import Enrolment
from .labels import LANGUAGES


def invitation_days() -> int:
    return int(current_app.config["INVITATION_DAYS"])


def notify(enrolment: Enrolment, token: str | None) -> None:
    """Queue the mail about the enrolment's status; ``token`` adds a set-password link."""
    training = enrolment.training
    lang = enrolment.language if enrolment.language in LANGUAGES else "en"
    with force_locale(lang):
        title = training.title(lang)
        greeting = _("Dear %(name)s,", name=enrolment.name)
        if enrolment.status == "accepted":
            subject = _("You are enrolled: %(title)s", title=title)
            lines = [_("You have a place in the training “%(title)s”.", title=title)]
            if token:
                link = absolute_url("enrolment.invitation", token=token)
                lines += ["", _("Set your password to see your schedule, sessions and "
                                "certificate (the link works once and for %(days)d days):",
                                days=invitation_days()), link]
            else:
                lines += ["", _("Log in with your existing account to see your schedule.")]
            kind = "invitation" if token else "enrolment"
        elif enrolment.status == "waitlisted":
            subject = _("On the waiting list: %(title)s", title=title)
            lines = [_("The training “%(title)s” is full for now, so you are on the waiting "
                       "list. If a place becomes free, you get it in the order of application "
                       "and we write to you.", title=title)]
            kind = "enrolment"
        elif enrolment.status == "applied":
            subject = _("Application received: %(title)s", title=title)
            lines = [_("We have received your application for “%(title)s”. The organisers "
                       "will decide on it and write to you.", title=title)]
            kind = "enrolment"
        elif enrolment.status == "rejected":
            subject = _("Your application: %(title)s", title=title)
            lines = [_("We are sorry: your application for “%(title)s” could not be accepted.",
                       title=title)]
            kind = "enrolment"
        else:  # withdrawn
            subject = _("Enrolment withdrawn: %(title)s", title=title)
            lines = [_("Your enrolment in “%(title)s” is withdrawn.", title=title)]
            kind = "enrolment"
        body = "\n".join([greeting, "", *lines, "", _("Kind regards,"),
                          ", ".join(o.name for o in training.organisations) or "Anyam"])
    queue_mail(enrolment.email, subject, body, to_name=enrolment.name, training=training,
               kind=kind)
