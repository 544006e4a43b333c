"""iCalendar feeds (RFC 5545) of a training and of a person, built with ``icalendar``.

Each session is one VEVENT with a stable UID unique to the installation
(``session-<id>@<host of the public base URL>``), DTSTAMP, DTSTART/DTEND in UTC,
SEQUENCE = ``TrainingSession.sequence`` (raised on every change), a VALARM 30 minutes
before the start, and STATUS:CANCELLED (no alarm) for cancelled sessions. The meeting link only goes to people who
may join (accepted participants and staff).
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from urllib.parse import quote_plus, urlsplit

from flask_babel import force_locale
from flask_babel import gettext as _

from ..web import base_url
from .services.venues import gathering_lines, venue_location

UID_DOMAIN = "anyam"  # when no host is known
REMINDER_BEFORE = timedelta(minutes=30)


def uid_host() -> str:
    return urlsplit(base_url()).hostname or UID_DOMAIN


def session_uid(session, host: str | None = None) -> str:
    """Unique to this installation: two Anyam hosts never share an event's UID."""
    return f"session-{session.id}@{host or uid_host()}"


def webcal_url(url: str) -> str:
    """The same feed as a ``webcal://`` link: calendar apps open it as a subscription."""
    parts = urlsplit(url)
    return "webcal://" + url[len(parts.scheme) + 3:] if parts.scheme in ("http", "https") else url


_GOOGLE_TEMPLATE = "https://calendar.google.com/calendar/render?action=TEMPLATE&text="


def _stamp(instant) -> str:
    """``20231205T070000Z``: digits, T and Z only (nothing to quote in a URL)."""
    return instant.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def google_calendar_url(session, training, lang: str) -> str:
    """"Add to Google Calendar" for one session (Google's event template link): the same
    query ``urlencode`` writes, the constant parts written once (a page lists many)."""
    text = quote_plus(f"{_title(training, lang)}: {_title(session, lang)}")
    details = quote_plus(_title(session, lang, "description"))
    return (f"{_GOOGLE_TEMPLATE}{text}&dates={_stamp(session.starts_at)}%2F"
            f"{_stamp(session.ends_at)}&details={details}")


def _title(obj, lang: str, field: str = "title") -> str:
    first, second = ("id", "en") if lang == "id" else ("en", "id")
    return getattr(obj, f"{field}_{first}", "") or getattr(obj, f"{field}_{second}", "") or ""


def build_calendar(entries: Iterable[tuple], *, name: str, lang: str, url_for_training=None) -> bytes:
    """``entries``: (session, training, number, may_join) tuples → the .ics bytes."""
    from icalendar import Alarm, Calendar, Event  # imported on first use (start-up memory)
    now = datetime.now(UTC)
    host = uid_host()
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
            event.add("uid", session_uid(session, host))
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
                alarm = Alarm()
                alarm.add("action", "DISPLAY")
                alarm.add("description", summary)
                alarm.add("trigger", -REMINDER_BEFORE)
                event.add_component(alarm)
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
