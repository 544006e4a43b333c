"""iCalendar feeds (RFC 5545) of a training and of a person, built with ``icalendar``.

Each session is one VEVENT with a stable UID (``session-<id>@anyam``), DTSTAMP,
DTSTART/DTEND in UTC, SEQUENCE = ``TrainingSession.sequence`` (raised on every change)
and STATUS:CANCELLED for cancelled sessions. The meeting link only goes to people who
may join (accepted participants and staff).
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from flask_babel import force_locale
from flask_babel import gettext as _
from icalendar import Calendar, Event

from .services.venues import gathering_lines, venue_location

UID_DOMAIN = "anyam"


def session_uid(session) -> str:
    return f"session-{session.id}@{UID_DOMAIN}"


def _title(obj, lang: str, field: str = "title") -> str:
    first, second = ("id", "en") if lang == "id" else ("en", "id")
    return getattr(obj, f"{field}_{first}", "") or getattr(obj, f"{field}_{second}", "") or ""


def build_calendar(entries: Iterable[tuple], *, name: str, lang: str, url_for_training=None) -> bytes:
    """``entries``: (session, training, number, may_join) tuples → the .ics bytes."""
    now = datetime.now(UTC)
    with force_locale(lang):
        cal = Calendar()
        cal.add("prodid", "-//Anyam//Training schedule//EN")
        cal.add("version", "2.0")
        cal.add("calscale", "GREGORIAN")
        cal.add("method", "PUBLISH")
        cal.add("x-wr-calname", name)
        cal.add("x-wr-timezone", "UTC")
        for session, training, number, may_join in entries:
            event = Event()
            event.add("uid", session_uid(session))
            event.add("dtstamp", now)
            event.add("created", session.created_at or now)
            event.add("last-modified", session.updated_at or now)
            event.add("dtstart", session.starts_at.astimezone(UTC))
            event.add("dtend", session.ends_at.astimezone(UTC))
            event.add("sequence", int(session.sequence or 0))
            summary = _("%(training)s — session %(number)d: %(title)s",
                        training=_title(training, lang), number=number, title=_title(session, lang))
            if session.status == "cancelled":
                summary = _("Cancelled: %(summary)s", summary=summary)
            event.add("summary", summary)
            lines = []
            description = _title(session, lang, "description")
            if description:
                lines.append(description)
            if session.status == "cancelled":
                event.add("status", "CANCELLED")
                lines.append(_("This session is cancelled."))
            else:
                event.add("status", "CONFIRMED")
                if may_join and session.meeting_url:
                    lines.append(_("Join the meeting: %(url)s", url=session.meeting_url))
            lines.extend(gathering_lines(session, lang))
            venue = venue_location(session)
            if venue:
                event.add("location", venue)
                if may_join and session.meeting_url:
                    event.add("url", session.meeting_url)
            elif may_join and session.meeting_url:
                event.add("url", session.meeting_url)
                event.add("location", session.meeting_url)
            elif url_for_training is not None:
                event.add("url", url_for_training(training))
            if url_for_training is not None:
                lines.append(_("Training page: %(url)s", url=url_for_training(training)))
            if lines:
                event.add("description", "\n\n".join(lines))
            cal.add_component(event)
        return cal.to_ical()
