"""My schedule's content but its calendar links, rendered once per different page and kept.

The page is a function of its statement's rows (``schedule_page.schedule_rows``: the
person's enrolments, team places, trainings, sessions, attendance and certificate codes, as
text), of the instant (which sessions are over, which can be joined now), the language, the
zone and its name at this instant, whether all past sessions are asked for and the URL root.
The content is kept under all of them and the person's id (it is never shared with another
person), so a kept one is never stale and nothing has to be told of changes: the next
request reads the rows again and a change of any of them is another key. Kept in the
bounded per-app fragments of ``web.fragments`` (least recently used first).

A page whose content depends on more than its rows is rendered each time and not kept: one
with check-in cards (a training meeting in person, or with groups: the cards are read by
their own statement) or with surveys required for a certificate (the answers are read by
their own statement).
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import render_template, request
from markupsafe import Markup

from ..i18n import current_language
from ..pagecache import do_not_keep, keep_until
from ..timezones import zone_label
from ..web import fragments
from .gatherings import checkin_cards
from .schedule_page import JOIN_OPENS_BEFORE, PAST_SHOWN, schedule_page, schedule_rows

# positions in a row of schedule_page._page_statement
_SURVEYS, _GROUPED, _STARTS, _DURATION, _MODE = 6, 7, 12, 13, 20


def _moments(rows, now: datetime) -> tuple | None:
    """For each session, whether it is over and whether it can be joined at ``now`` (what
    the instant changes on the page); None when the page depends on more than its rows."""
    passed = []
    for row in rows:
        if row[_SURVEYS] or row[_GROUPED] or (row[_MODE] or "online") != "online":
            return None
        starts = row[_STARTS]
        if starts is not None:
            passed.append(now >= starts + timedelta(minutes=row[_DURATION]))
            passed.append(now >= starts - JOIN_OPENS_BEFORE)
    return tuple(passed)


def _next_moment(rows, now: datetime) -> datetime | None:
    """The next instant at which :func:`_moments` changes (a session ends, or can be
    joined), or None."""
    coming = []
    for row in rows:
        starts = row[_STARTS]
        if starts is not None:
            coming += [t for t in (starts - JOIN_OPENS_BEFORE,
                                   starts + timedelta(minutes=row[_DURATION])) if t > now]
    return min(coming, default=None)


def schedule_body(user, now: datetime, zone: str, *, all_past: bool = False) -> Markup:
    """The page's content (``overview/_schedule_body.html``) for ``user`` at ``now``."""
    rows = schedule_rows(user)
    moments, zone_text = _moments(rows, now), zone_label(zone, now)
    if moments is None:  # the whole page is kept as this content is (trainings/pagecache.py)
        do_not_keep()
    else:
        keep_until(_next_moment(rows, now))
    key = None if moments is None else (
        user.id, tuple(rows), moments, current_language(), zone, zone_text, all_past,
        request.script_root, request.host)
    kept = fragments("schedule_body")
    html = kept.get(key) if key is not None else None
    if html is None:
        page = schedule_page(user, now, zone, all_past=all_past, rows=rows)
        html = render_template(
            "overview/_schedule_body.html", page=page, zone=zone, zone_text=zone_text,
            all_past=all_past, past_shown=PAST_SHOWN,
            checkins=checkin_cards(user) if page.checks_in else [])
        if key is not None:
            kept.put(key, html)
    return Markup(html)  # noqa: S704 - our autoescaped template's output, not user text
