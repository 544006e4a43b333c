"""The training page (``/trainings/<id>``): what it shows, decided once per request.

Its sessions come as plain rows with the training, in its one statement
(:func:`services.training_page`, as :func:`services.page_sessions` reads them), who may
run which session is decided once for the page (:func:`rules.facilitated_sessions`, not a
policy look-up per row), and the sessions table is rendered once per different table and
shared: by every participant of a training who reads it in the same language and zone, and
by its organisers.

The table is kept under a key made of everything it shows, read in the request: the rows'
columns, the numbering (their order), the language, the viewer's and the home zone, the
zones of the accepted participants, which sessions are over (now, to the second), whether
the viewer sees the meeting links and which sessions they run, and the URL root. A change of
any of them is another key, so a kept table is never stale and nothing has to be told of
changes; the tables kept are bounded (``TRAINING_PAGE_FRAGMENTS_CHARS``, least recently used
dropped first) and belong to one app (``app.extensions``). The training's description and
facts above the table are kept the same way (:func:`training_facts`): under the columns and
names they show, the language, the viewer's zone and the zones' names at this instant.
"""
from __future__ import annotations

from datetime import datetime

from flask import current_app, render_template, request
from flask_login import current_user
from markupsafe import Markup

from ..db import utcnow
from ..i18n import current_language, viewer_timezone
from ..pagecache import keep_until
from ..policy import can
from ..timezones import format_date, format_time, to_zone, zone_label
from ..web import Tables, absolute_url, fragments  # noqa: F401 - Tables: kept fragments' store
from . import services
from .rules import facilitated_sessions


def zone_line(instant: datetime, home: str, zones: list[str]) -> list[dict]:
    """The session in the home zone, then each participant zone from west to east (by UTC
    offset at that instant), flagging another date."""
    home_day = to_zone(instant, home).date()
    entries, shown = [], set()
    others = sorted((z for z in zones if z != home),
                    key=lambda z: (to_zone(instant, z).utcoffset(), z))
    for zone in [home] + others:
        local = to_zone(instant, zone)
        text = format_time(instant, zone)
        if text in shown:  # Asia/Kuala_Lumpur and Asia/Kuching are both "15:00 MYT"
            continue
        shown.add(text)
        shift = (local.date() - home_day).days
        entries.append({"zone": zone, "time": text, "shift": shift,
                        "date": format_date(instant, zone, fmt="EEE d MMM") if shift else ""})
    return entries


def kept_tables() -> Tables:
    """This app's kept sessions tables."""
    return fragments("sessions_table")


def sessions_table(training, sessions, *, zone: str, zones: list[str], may_join: bool,
                   runs: frozenset[int], module_links: bool) -> Markup:
    """The sessions table (``scheduling/_sessions_table.html``), rendered or kept."""
    now = utcnow()
    held = frozenset(s.id for _n, s in sessions if s.taken_place_by(now))
    # the page changes by itself when the next session ends (it is shown as held)
    keep_until(min((s.ends_at for _n, s in sessions if not s.is_cancelled and s.ends_at > now),
                   default=None))
    key = (tuple(s.facts for _n, s in sessions), current_language(), zone, training.timezone,
           tuple(zones), held, may_join, runs, module_links, request.script_root, request.host)
    tables = kept_tables()
    html = tables.get(key)
    if html is None:
        html = render_template(
            "scheduling/_sessions_table.html", sessions=sessions, zone=zone, held=held,
            may_join=may_join, runs=runs, module_links=module_links,
            zone_lines={s.id: zone_line(s.starts_at, training.timezone, zones)
                        for _n, s in sessions} if zones else {})
        tables.put(key, html)
    return Markup(html)  # noqa: S704 - our autoescaped template's output, not user text


def training_facts(training, *, zone: str, zone_note: bool) -> Markup:
    """The training's description, facts and the sessions' heading
    (``scheduling/_training_facts.html``), rendered or kept: the same for every viewer who
    reads them in the same language and zone."""
    home_label, zone_text = zone_label(training.timezone), zone_label(zone)
    key = (training.id, training.title_id, training.title_en, training.description_id,
           training.description_en, training.timezone, training.capacity,
           tuple(training.organisations), tuple(training.country_quotas.items()),
           tuple(training.organisers), tuple(training.facilitators), current_language(),
           zone, home_label, zone_text, zone_note)
    kept = fragments("training_facts")
    html = kept.get(key)
    if html is None:
        html = render_template("scheduling/_training_facts.html", training=training,
                               zone=zone, zone_note=zone_note, home_label=home_label,
                               zone_text=zone_text)
        kept.put(key, html)
    return Markup(html)  # noqa: S704 - our autoescaped template's output, not user text


def detail_context(training) -> dict:
    """The template's context for the training page of ``training`` (a
    :class:`services.TrainingPage`)."""
    actor = current_user._get_current_object()
    zones = training.participant_zones
    sessions = training.sessions  # read with the training, for this viewer
    token = services.calendar_feed_token(actor)
    views = current_app.view_functions
    zone, may_join = viewer_timezone(training.timezone), can(actor, "training.join", training)
    # the roll call and report import of a session ("attendance.mark"), when that area is on
    runs = (facilitated_sessions(actor, training, sessions)
            if "attendance.roll_call" in views else frozenset())
    zone_note = bool(zones and sessions)
    return dict(
        training=training, sessions=sessions, zone=zone,
        training_facts=training_facts(training, zone=zone, zone_note=zone_note),
        sessions_table=sessions_table(training, sessions, zone=zone, zones=zones,
                                      may_join=may_join, runs=runs,
                                      module_links="modules.detail" in views),
        subscribe_url=(absolute_url("scheduling.calendar", training_id=training.id, token=token)
                       if token else None),
        may_edit=can(actor, "training.edit", training))
