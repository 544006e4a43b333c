"""Scheduling pages: trainings, their team, sessions and series, calendar feeds.

The personal pages (my schedule, my sessions, the personal feed) read enrolments and
attendance too, so they live in :mod:`trainings.overview.views`.
"""
from __future__ import annotations

import re
from datetime import datetime

from flask import Blueprint, abort, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..auth import accepts_token
from ..db import read_only, utcnow
from ..errors import NotFound, ValidationError
from ..extensions import login_manager
from ..i18n import current_language, viewer_timezone
from ..pagecache import kept_page
from ..policy import can, require
from ..timezones import get_zone, to_zone
from ..web import EmptyForm, absolute_url, action, form_status, send_download, submit
from . import services
from .calendar import build_calendar, google_calendar_url, webcal_url
from .forms import SeriesForm, SessionForm, StaffForm, TrainingForm
from .page import detail_context
from .signals import module_choices

bp = Blueprint("scheduling", __name__)


@bp.app_template_filter("interpretation")
def _interpretation_filter(code: str) -> str:
    """``id-en`` → "Interpretation Indonesian–English", ``sign:BISINDO`` → its label."""
    return services.interpretation_label(code)


@bp.app_context_processor
def _calendar_links():
    return {"webcal_url": webcal_url,
            "google_calendar_url": lambda session, training: google_calendar_url(
                session, training, current_language())}

load_training = services.load_training
load_session = services.load_session


# --------------------------------------------------------------------------- trainings

@bp.route("/trainings")
@login_required
def index():
    trainings = services.visible_trainings(current_user)
    return render_template("scheduling/index.html", trainings=trainings,
                           summaries=services.session_summaries(trainings),
                           may_create=can(current_user, "training.create"))


@bp.route("/trainings/<int:training_id>")
@read_only
@login_required
@kept_page
def detail(training_id: int):
    viewer = current_user._get_current_object()  # the user, not the proxy, read many times
    training = services.training_page(training_id, viewer)  # with the viewer's ties
    require(viewer, "training.view", training)
    return render_template("scheduling/detail.html", **detail_context(training))


TRAINING_FIELD_MAP = {"title": "title_en", "description": "description_en", "capacity": "capacity",
                      "country_quotas": "quotas", "certificate_rule": "min_sessions",
                      "organisations": "organisations", "timezone": "timezone"}


def _parse_quotas(text: str) -> dict:
    """``ID: 10`` / ``Pakistan = 5`` lines → {"ID": 10, "Pakistan": 5} (names normalised later)."""
    quotas: dict = {}
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        match = re.match(r"^\s*(.+?)\s*[:=]\s*(\S+)\s*$", line)
        if not match:
            raise ValidationError(_("Line %(line)d: write a country and a number, e.g. “ID: 10”.",
                                    line=number), field="quotas")
        places = match.group(2)
        quotas[match.group(1)] = int(places) if places.isdigit() else places
    return quotas


def _training_data(form: TrainingForm, training=None) -> dict:
    rule = dict(training.certificate_rule or {}) if training is not None else {}
    rule.pop("min_sessions", None)
    if form.min_sessions.data is not None:
        rule["min_sessions"] = form.min_sessions.data
    return {
        "title": {"id": form.title_id.data or "", "en": form.title_en.data or ""},
        "description": {"id": form.description_id.data or "", "en": form.description_en.data or ""},
        "timezone": form.timezone.data,
        "capacity": form.capacity.data,
        "country_quotas": _parse_quotas(form.quotas.data),
        "certificate_rule": rule,
        "organisations": (form.organisations.data or "").splitlines(),
        "applications_open": bool(form.applications_open.data),
        "requires_approval": bool(form.requires_approval.data),
    }


def _fill_training_form(form: TrainingForm, training) -> TrainingForm:
    """The fields a training object does not fill by itself (quotas, rule, organisations)."""
    form.quotas.data = "\n".join(f"{code}: {places}" for code, places in training.country_quotas.items())
    form.min_sessions.data = (training.certificate_rule or {}).get("min_sessions")
    form.organisations.data = "\n".join(o.name for o in training.organisations)
    return form


@bp.route("/trainings/new", methods=["GET", "POST"])
@login_required
def create():
    require(current_user, "training.create")
    form = TrainingForm()
    if request.method == "GET" and form.timezone.data in (None, "", "Asia/Jakarta"):
        form.timezone.data = viewer_timezone("Asia/Jakarta")
    done = submit(form, lambda: services.create_training(_training_data(form), actor=current_user),
                  then=lambda training: url_for("scheduling.sessions", training_id=training.id),
                  message=_("The training is created. Now add its sessions."),
                  field_map=TRAINING_FIELD_MAP)
    return done or (render_template("scheduling/create.html", form=form), form_status(form))


@bp.route("/trainings/<int:training_id>/edit", methods=["GET", "POST"])
@login_required
def edit(training_id: int):
    training = load_training(training_id)
    require(current_user, "training.edit", training)
    form = TrainingForm() if request.method == "POST" else _fill_training_form(
        TrainingForm(obj=training), training)
    done = submit(form, lambda: services.update_training(
        training, _training_data(form, training), actor=current_user),
        then=url_for("scheduling.edit", training_id=training.id),
        message=_("The settings are saved."), field_map=TRAINING_FIELD_MAP)
    return done or _render_edit(training, form, StaffForm(prefix="staff"), form_status(form))


def _render_edit(training, form, staff_form, status):
    return render_template("scheduling/edit.html", training=training, form=form,
                           staff_form=staff_form, remove_form=EmptyForm(),
                           staff=sorted(training.staff, key=lambda s: (s.role, s.user.name))), status


def _staff_url(training) -> str:
    return url_for("scheduling.edit", training_id=training.id) + "#staff-heading"


@bp.route("/trainings/<int:training_id>/staff", methods=["POST"])
@login_required
def add_staff(training_id: int):
    training = load_training(training_id)
    require(current_user, "training.manage_staff", training)
    staff_form = StaffForm(prefix="staff")
    done = submit(staff_form, lambda: services.add_staff(
        training, staff_form.email.data, staff_form.role.data, actor=current_user),
        then=_staff_url(training),
        message=lambda staff: _("%(name)s is now on the team.", name=staff.user.name))
    return done or _render_edit(training, _fill_training_form(TrainingForm(obj=training), training),
                                staff_form, 422)


@bp.route("/trainings/<int:training_id>/staff/<int:staff_id>/remove", methods=["POST"])
@login_required
def remove_staff(training_id: int, staff_id: int):
    training = load_training(training_id)
    require(current_user, "training.manage_staff", training)
    return action(lambda: services.remove_staff(training, staff_id, actor=current_user),
                  then=_staff_url(training), message=_("Removed from the team."))


# --------------------------------------------------------------------------- sessions

SESSION_FIELD_MAP = {"title": "title_en", "description": "description_en", "starts_at": "starts_at",
                     "first_starts_at": "first_starts_at", "duration_minutes": "duration_minutes",
                     "meeting_url": "meeting_url", "facilitators": "facilitators", "module": "module",
                     "count": "count", "interval_days": "interval_days", "weekdays": "weekdays",
                     "title_prefix": "title_prefix_en", "mode": "session_mode",
                     "venue": "venue_name", "venue.name": "venue_name",
                     "venue.address": "venue_address", "interpretation": "interpretation"}


def _gathering_data(form) -> dict:
    """Mode, venue and interpretation from a session or series form (service shapes)."""
    venue = None
    if form.venue_name.data or form.venue_address.data:
        venue = {"name": form.venue_name.data or "", "address": form.venue_address.data or "",
                 "accessibility": {"id": form.venue_accessibility_id.data or "",
                                   "en": form.venue_accessibility_en.data or ""}}
    codes = (form.interpretation.data or "").replace(",", " ").split()
    return {"mode": form.session_mode.data or "online", "venue": venue, "interpretation": codes}


def _facilitator_choices(training) -> list[tuple[str, str]]:
    """The training's team and every active facilitator account (choosing one makes them
    a facilitator of the training)."""
    people = {}
    for staff in training.staff:
        people[staff.user.email] = staff.user.name
    for user in services.facilitator_accounts():
        people.setdefault(user.email, user.name)
    return sorted(people.items(), key=lambda item: item[1].lower())


def _module_choices(current: str | None = None) -> list[tuple[str, str]]:
    """The published modules (announced by the modules area), and a session's current one."""
    lang = current_language()
    choices = [("", _("— no module —"))]
    for _receiver, modules in module_choices.send(None):
        choices += [(slug, f"{titles.get(lang) or slug} ({slug})") for slug, titles in modules or []]
    if current and current not in {c[0] for c in choices}:
        choices.append((current, current))
    return choices


def _aware(local: datetime | None, zone: str | None) -> datetime | None:
    if local is None or not zone:
        return None
    return local.replace(tzinfo=get_zone(zone))


def _session_data(form: SessionForm) -> dict:
    return {
        "title": {"id": form.title_id.data or "", "en": form.title_en.data or ""},
        "description": {"id": form.description_id.data or "", "en": form.description_en.data or ""},
        "starts_at": _aware(form.starts_at.data, form.zone.data),
        "duration_minutes": form.duration_minutes.data,
        "meeting_url": form.meeting_url.data or None,
        "facilitators": list(form.facilitators.data or []),
        "module": form.module.data or None,
        **_gathering_data(form),
    }


def _series_data(form: SeriesForm) -> dict:
    data = {
        "first_starts_at": _aware(form.first_starts_at.data, form.zone.data),
        "count": form.count.data,
        "duration_minutes": form.duration_minutes.data,
        "title_prefix": {"id": form.title_prefix_id.data or "", "en": form.title_prefix_en.data or ""},
        "meeting_url": form.meeting_url.data or None,
        "facilitators": list(form.facilitators.data or []),
        "module": form.module.data or None,
        **_gathering_data(form),
    }
    if form.mode.data == "weekly":
        data["weekdays"] = [int(d) for d in form.weekdays.data or []]
    else:
        data["interval_days"] = form.interval_days.data
    return data


def _then_warn(url: str):
    """A ``then=`` for :func:`submit` that also shows the facilitator-conflict warnings of
    the result (``(made, warnings)`` or ``warnings``) after the success message."""
    def then(result) -> str:
        for warning in result[1] if isinstance(result, tuple) else result:
            flash(_("Check the timing: %(message)s", message=warning["message"]), "warning")
        return url
    return then


def _session_forms(training, submitted: str | None) -> tuple[SessionForm, SeriesForm]:
    one, series = SessionForm(prefix="one"), SeriesForm(prefix="series")
    one.facilitators.choices = series.facilitators.choices = _facilitator_choices(training)
    one.module.choices = series.module.choices = _module_choices()
    for name, form in (("one", one), ("series", series)):
        if submitted != name:
            form.zone.data = training.timezone
    return one, series


def _add(training, which: str, one: SessionForm, series: SeriesForm):
    """The submitted form and its operation: one session, or a series."""
    if which == "one":
        return one, lambda: services.create_session(training, _session_data(one), actor=current_user)
    return series, lambda: services.create_series(training, _series_data(series), actor=current_user)


def _added_message(which: str | None):
    return lambda made: (_("The session is added.") if which == "one"
                         else _("%(num)d sessions are added.", num=len(made[0])))


@bp.route("/trainings/<int:training_id>/sessions", methods=["GET", "POST"])
@login_required
def sessions(training_id: int):
    training = load_training(training_id)
    require(current_user, "session.create", training)
    which = request.form.get("action") if request.method == "POST" else None
    if request.method == "POST" and which not in ("one", "series"):
        abort(400)
    one, series = _session_forms(training, which)
    done = which and submit(*_add(training, which, one, series), field_map=SESSION_FIELD_MAP,
                            then=_then_warn(url_for("scheduling.sessions", training_id=training.id)),
                            message=_added_message(which))
    return done or _render_sessions(training, one, series)


def _render_sessions(training, one, series):
    numbered = services.numbered_sessions(training)
    return render_template(
        "scheduling/sessions.html", training=training, one=one, series=series,
        sessions=numbered, zone=viewer_timezone(training.timezone),
        conflicts=services.training_conflicts([s for _n, s in numbered]),
        action_form=EmptyForm()), form_status(one, series)


def _fill_session_form(form: SessionForm, session) -> SessionForm:
    zone = session.training.timezone
    form.title_id.data, form.title_en.data = session.title_id, session.title_en
    form.description_id.data, form.description_en.data = session.description_id, session.description_en
    form.zone.data = zone
    form.starts_at.data = to_zone(session.starts_at, zone).replace(tzinfo=None)
    form.duration_minutes.data = session.duration_minutes
    form.meeting_url.data = session.meeting_url
    form.facilitators.data = [u.email for u in session.facilitators]
    form.module.data = session.module_slug
    form.session_mode.data = session.mode or "online"
    form.venue_name.data, form.venue_address.data = session.venue_name, session.venue_address
    form.venue_accessibility_id.data = session.venue_accessibility_id
    form.venue_accessibility_en.data = session.venue_accessibility_en
    form.interpretation.data = " ".join(session.interpretation or [])
    return form


def _edit_session_form(session) -> SessionForm:
    form = SessionForm(prefix="s")
    form.facilitators.choices = _facilitator_choices(session.training)
    form.module.choices = _module_choices(session.module_slug)
    if request.method == "GET":
        _fill_session_form(form, session)
    return form


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@login_required
def edit_session(session_id: int):
    session = load_session(session_id)
    require(current_user, "session.edit", session)
    form = _edit_session_form(session)
    done = submit(form, lambda: services.update_session(session, _session_data(form), actor=current_user),
                  then=_then_warn(url_for("scheduling.sessions", training_id=session.training_id)),
                  message=_("The session is saved."), field_map=SESSION_FIELD_MAP)
    return done or _render_edit_session(session, form)


def _render_edit_session(session, form):
    return render_template(
        "scheduling/edit_session.html", training=session.training, session=session,
        number=services.session_number(session), form=form,
        warnings=services.facilitator_conflicts(session), action_form=EmptyForm()), form_status(form)


def _confirm_cancel_page(session):
    """What cancelling does and who gets a mail."""
    return render_template(
        "scheduling/confirm_cancel.html", session=session, training=session.training,
        number=services.session_number(session), form=EmptyForm(),
        zone=viewer_timezone(session.training.timezone),
        mailed=session.ends_at > utcnow() and not session.is_cancelled)


@bp.route("/sessions/<int:session_id>/cancel", methods=["GET", "POST"])
@login_required
def cancel_session(session_id: int):
    """GET (or a POST without ``confirmed``): what cancelling does and who gets a mail;
    POST with ``confirmed``: cancel, mailing the participants when ``notify`` is ticked."""
    session = load_session(session_id)
    require(current_user, "session.edit", session)
    if request.method == "GET" or not request.form.get("confirmed"):
        return _confirm_cancel_page(session)
    notify = request.form.get("notify") == "1"
    return action(lambda: services.cancel_session(session, actor=current_user, notify=notify),
                  then=url_for("scheduling.sessions", training_id=session.training_id),
                  message=_("The session is cancelled. Participants still see it, marked as cancelled."))


@bp.route("/sessions/<int:session_id>/reinstate", methods=["POST"])
@login_required
def reinstate_session(session_id: int):
    session = load_session(session_id)
    require(current_user, "session.edit", session)
    return action(lambda: services.reinstate_session(session, actor=current_user),
                  then=url_for("scheduling.sessions", training_id=session.training_id),
                  message=_("The session is scheduled again."))


# --------------------------------------------------------------------------- calendar feeds

@bp.route("/me/calendar-token", methods=["POST"])
@login_required
def calendar_token():
    """Issue a new personal feed link (the old one stops working), or switch it off."""
    revoke = request.form.get("action") == "revoke"
    change = services.revoke_calendar_token if revoke else services.issue_calendar_token
    return action(lambda: change(current_user, actor=current_user),
                  then=url_for("overview.my_schedule") + "#calendar-heading",
                  message=_("The calendar link is switched off. Calendars using it get no more updates.")
                  if revoke else _("Your calendar link is ready. Any older link no longer works."))


def ics_response(body: bytes, filename: str, *, private_link: bool = False):
    """An iCalendar answer, shown inline; a link carrying a secret token sends no referrer."""
    response = send_download(body, filename, "text/calendar", inline=True)
    response.headers["Cache-Control"] = "private, max-age=300"
    if private_link:
        response.headers["Referrer-Policy"] = "no-referrer"
    return response


def training_url(training) -> str:
    return absolute_url("scheduling.detail", training_id=training.id)


def _feed_viewer(token: str | None):
    """Who reads a training feed and in which language: the holder of a personal feed token
    (calendar apps carry no session cookie), else the logged-in user; ``(None, None)`` when
    nobody is logged in. A wrong token is 404."""
    if token is not None:
        viewer = services.user_for_calendar_token(token)
        if viewer is None:
            raise NotFound()
        return viewer, viewer.language if viewer.language in ("id", "en") else "en"
    if current_user.is_authenticated:
        return current_user, current_language()
    return None, None


@bp.route("/trainings/<int:training_id>/calendar.ics")
@accepts_token
def calendar(training_id: int):
    """The training's sessions, for a logged-in viewer or the holder of a feed token."""
    token = request.args.get("token")
    viewer, lang = _feed_viewer(token)
    if viewer is None:
        return login_manager.unauthorized()
    training = load_training(training_id)
    require(viewer, "training.view", training)
    may_join = can(viewer, "training.join", training)
    entries = [(s, training, n, may_join) for n, s in services.numbered_sessions(training)]
    body = build_calendar(entries, name=training.title(lang), lang=lang, url_for_training=training_url)
    return ics_response(body, f"training-{training.id}.ics", private_link=token is not None)
