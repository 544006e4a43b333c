"""Mails about session changes: a held session moved, was cancelled or is back on.

Scheduling does not know who the participants are (enrolment sits above it), so
:func:`notify_participants` announces the change with the ``session_changed`` signal;
the enrolment area's receiver finds the accepted participants and hands them to
:func:`mail_session_change`, which writes each mail in the person's language and zone and
queues it in the outbox.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from flask_babel import force_locale
from flask_babel import gettext as _

from ...outbox.services import queue_mail
from ...timezones import format_datetime
from ..models import TrainingSession
from ..signals import session_changed
from .loaders import session_number
from .venues import gathering_lines

CHANGES = ("rescheduled", "cancelled", "reinstated")


def notify_participants(session: TrainingSession, change: str) -> int:
    """Tell the people of an upcoming session that it moved, was cancelled or is back on.
    Returns the number of mails queued."""
    if session.ends_at < datetime.now(UTC):
        return 0  # the past does not change anybody's plans
    return sum(int(sent or 0) for _receiver, sent in session_changed.send(session, change=change))


def _mail(session: TrainingSession, change: str, number: int, person) -> tuple[str, str]:
    training = session.training
    lang = person.language if person.language in ("id", "en") else "en"
    zone = person.timezone if person.timezone else training.timezone
    with force_locale(lang):
        names = {"training": training.title(lang), "number": number,
                 "title": session.title(lang),
                 "when": format_datetime(session.starts_at, zone, locale=lang)}
        subject = {
            "rescheduled": _("Session %(number)d of %(training)s has a new time", **names),
            "cancelled": _("Session %(number)d of %(training)s is cancelled", **names),
            "reinstated": _("Session %(number)d of %(training)s takes place after all", **names),
        }[change]
        lines = [_("Hello %(name)s,", name=person.name), ""]
        lines.append({
            "rescheduled": _("Session %(number)d (%(title)s) of %(training)s now starts on "
                             "%(when)s.", **names),
            "cancelled": _("Session %(number)d (%(title)s) of %(training)s, planned for "
                           "%(when)s, is cancelled.", **names),
            "reinstated": _("Session %(number)d (%(title)s) of %(training)s takes place after "
                            "all, on %(when)s.", **names),
        }[change])
        where = gathering_lines(session, lang) if change != "cancelled" else []
        if where:
            lines += [""] + where
        lines += ["", _("Calendars subscribed to your Anyam calendar link update by themselves.")]
    return subject, "\n".join(lines)


def mail_session_change(session: TrainingSession, change: str, people: Iterable) -> int:
    """Queue the mail about ``change`` for each person (anything with ``name``, ``email``,
    ``language`` and ``timezone``). Returns the count."""
    if change not in CHANGES:
        raise ValueError(change)
    number = session_number(session)
    sent = 0
    for person in people:
        subject, body = _mail(session, change, number, person)
        queue_mail(person.email, subject, body, to_name=person.name, training=session.training,
                   kind=f"session_{change}")
        sent += 1
    return sent
