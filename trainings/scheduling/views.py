"""Scheduling pages: trainings, sessions and series, personal schedules, calendar feeds."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..auth import accepts_token
from ..auth.forms import EmptyForm
from ..errors import DomainError, NotFound, ValidationError
from ..extensions import db
from ..i18n import current_language, viewer_timezone
from ..policy import can, require
from ..timezones import format_date, format_time, get_zone, to_zone
from . import services
from .calendar import build_calendar
from .forms import SeriesForm, SessionForm, StaffForm, TrainingForm

bp = Blueprint("scheduling", __name__)

JOIN_OPENS_BEFORE = timedelta(minutes=30)


load_training = services.load_training
load_session = services.load_session


def _apply_error(form, error: DomainError, mapping: dict[str, str]) -> None:
    """Put a service error next to the form field it is about (``country_quotas.PK`` → quotas)."""
    details = []
    for detail in error.details or [{"field": error.field, "message": str(error.message)}]:
        name = (detail.get("field") or "").split(".")[0]
        details.append({**detail, "field": mapping.get(name, name)})
    form.apply_error(DomainError(error.message, details=details))


# --------------------------------------------------------------------------- trainings

@bp.route("/trainings")
@login_required
def index():
    trainings = services.visible_trainings(current_user)
    return render_template("scheduling/index.html", trainings=trainings,
                           summaries=services.session_summaries(trainings),
                           may_create=can(current_user, "training.create"))


def _zone_line(instant: datetime, home: str, zones: list[str]) -> list[dict]:
    """The session in the home zone and each participant zone, flagging another date."""
    home_day = to_zone(instant, home).date()
    entries, shown = [], set()
    for zone in [home] + [z for z in zones if z != home]:
        local = to_zone(instant, zone)
        text = format_time(instant, zone)
        if text in shown:  # Asia/Kuala_Lumpur and Asia/Kuching are both "15:00 MYT"
            continue
        shown.add(text)
        shift = (local.date() - home_day).days
        entries.append({"zone": zone, "time": text, "shift": shift,
                        "date": format_date(instant, zone, fmt="EEE d MMM") if shift else ""})
    return entries


@bp.route("/trainings/<int:training_id>")
@login_required
def detail(training_id: int):
    training = load_training(training_id)
    require(current_user, "training.view", training)
    zones = services.participant_zones(training)
    sessions = services.numbered_sessions(training)
    zone = viewer_timezone(training.timezone)
    lines = {s.id: _zone_line(s.starts_at, training.timezone, zones) for _n, s in sessions}
    return render_template(
        "scheduling/detail.html", training=training, sessions=sessions, zone=zone,
        zone_lines=lines if zones else {},
        organisers=services.staff_of(training, "organiser"),
        facilitators=services.staff_of(training, "facilitator"),
        may_join=can(current_user, "training.join", training),
        subscribe_url=(url_for("scheduling.calendar", training_id=training.id,
                               token=services.calendar_feed_token(current_user), _external=True)
                       if services.calendar_feed_token(current_user) else None),
        may_edit=can(current_user, "training.edit", training))


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
    }


@bp.route("/trainings/new", methods=["GET", "POST"])
@login_required
def create():
    require(current_user, "training.create")
    form = TrainingForm()
    status = 200
    if request.method == "POST":
        if form.validate():
            try:
                training = services.create_training(_training_data(form), actor=current_user)
            except DomainError as error:
                db.session.rollback()
                _apply_error(form, error, TRAINING_FIELD_MAP)
            else:
                db.session.commit()
                flash(_("The training is created. Now add its sessions."), "success")
                return redirect(url_for("scheduling.sessions", training_id=training.id))
        status = 422
    elif not form.timezone.data or form.timezone.data == "Asia/Jakarta":
        form.timezone.data = viewer_timezone("Asia/Jakarta")
    return render_template("scheduling/create.html", form=form), status


@bp.route("/trainings/<int:training_id>/edit", methods=["GET", "POST"])
@login_required
def edit(training_id: int):
    training = load_training(training_id)
    require(current_user, "training.edit", training)
    form = TrainingForm(obj=None if request.method == "POST" else training)
    status = 200
    if request.method == "GET":
        form.quotas.data = "\n".join(f"{code}: {places}" for code, places in training.country_quotas.items())
        form.min_sessions.data = (training.certificate_rule or {}).get("min_sessions")
        form.organisations.data = "\n".join(o.name for o in training.organisations)
    elif form.validate():
        try:
            services.update_training(training, _training_data(form, training), actor=current_user)
        except DomainError as error:
            db.session.rollback()
            _apply_error(form, error, TRAINING_FIELD_MAP)
            status = 422
        else:
            db.session.commit()
            flash(_("The settings are saved."), "success")
            return redirect(url_for("scheduling.edit", training_id=training.id))
    else:
        status = 422
    return _render_edit(training, form, StaffForm(prefix="staff"), status)


def _render_edit(training, form, staff_form, status):
    return render_template("scheduling/edit.html", training=training, form=form,
                           staff_form=staff_form, remove_form=EmptyForm(),
                           staff=sorted(training.staff, key=lambda s: (s.role, s.user.name))), status


@bp.route("/trainings/<int:training_id>/staff", methods=["POST"])
@login_required
def add_staff(training_id: int):
    training = load_training(training_id)
    require(current_user, "training.manage_staff", training)
    staff_form = StaffForm(prefix="staff")
    if staff_form.validate():
        try:
            staff = services.add_staff(training, staff_form.email.data, staff_form.role.data,
                                       actor=current_user)
        except DomainError as error:
            db.session.rollback()
            staff_form.apply_error(error)
        else:
            db.session.commit()
            flash(_("%(name)s is now on the team.", name=staff.user.name), "success")
            return redirect(url_for("scheduling.edit", training_id=training.id) + "#staff-heading")
    form = TrainingForm(obj=training)
    form.quotas.data = "\n".join(f"{c}: {p}" for c, p in training.country_quotas.items())
    form.min_sessions.data = (training.certificate_rule or {}).get("min_sessions")
    form.organisations.data = "\n".join(o.name for o in training.organisations)
    return _render_edit(training, form, staff_form, 422)


@bp.route("/trainings/<int:training_id>/staff/<int:staff_id>/remove", methods=["POST"])
@login_required
def remove_staff(training_id: int, staff_id: int):
    training = load_training(training_id)
    require(current_user, "training.manage_staff", training)
    if EmptyForm().validate_on_submit():
        try:
            services.remove_staff(training, staff_id, actor=current_user)
        except DomainError as error:
            db.session.rollback()
            flash(str(error.message), "error")
        else:
            db.session.commit()
            flash(_("Removed from the team."), "success")
    return redirect(url_for("scheduling.edit", training_id=training.id) + "#staff-heading")


# --------------------------------------------------------------------------- sessions

SESSION_FIELD_MAP = {"title": "title_en", "description": "description_en", "starts_at": "starts_at",
                     "first_starts_at": "first_starts_at", "duration_minutes": "duration_minutes",
                     "meeting_url": "meeting_url", "facilitators": "facilitators", "module": "module",
                     "count": "count", "interval_days": "interval_days", "weekdays": "weekdays",
                     "title_prefix": "title_prefix_en"}


def _facilitator_choices(training) -> list[tuple[str, str]]:
    people = {}
    for staff in training.staff:
        people[staff.user.email] = staff.user.name
    return sorted(people.items(), key=lambda item: item[1].lower())


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
    }
    if form.mode.data == "weekly":
        data["weekdays"] = [int(d) for d in form.weekdays.data or []]
    else:
        data["interval_days"] = form.interval_days.data
    return data


def _flash_warnings(warnings: list[dict]) -> None:
    for warning in warnings:
        flash(_("Check the timing: %(message)s", message=warning["message"]), "warning")


@bp.route("/trainings/<int:training_id>/sessions", methods=["GET", "POST"])
@login_required
def sessions(training_id: int):
    training = load_training(training_id)
    require(current_user, "session.create", training)
    one = SessionForm(prefix="one")
    series = SeriesForm(prefix="series")
    choices = _facilitator_choices(training)
    one.facilitators.choices = series.facilitators.choices = choices
    status = 200
    action = request.form.get("action") if request.method == "POST" else None
    for form in (one, series):
        if action != ("one" if form is one else "series"):
            form.zone.data = training.timezone
    if request.method == "POST":
        form = one if action == "one" else series
        if action not in ("one", "series"):
            abort(400)
        if form.validate():
            try:
                if action == "one":
                    session, warnings = services.create_session(training, _session_data(one),
                                                                actor=current_user)
                    message = _("The session is added.")
                else:
                    made, warnings = services.create_series(training, _series_data(series),
                                                            actor=current_user)
                    message = _("%(num)d sessions are added.", num=len(made))
            except DomainError as error:
                db.session.rollback()
                _apply_error(form, error, SESSION_FIELD_MAP)
            else:
                db.session.commit()
                flash(message, "success")
                _flash_warnings(warnings)
                return redirect(url_for("scheduling.sessions", training_id=training.id))
        status = 422
    numbered = services.numbered_sessions(training)
    return render_template(
        "scheduling/sessions.html", training=training, one=one, series=series,
        sessions=numbered, zone=viewer_timezone(training.timezone),
        conflicts=services.training_conflicts([s for _n, s in numbered]),
        action_form=EmptyForm()), status


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@login_required
def edit_session(session_id: int):
    session = load_session(session_id)
    training = session.training
    require(current_user, "session.edit", session)
    form = SessionForm(prefix="s")
    form.facilitators.choices = _facilitator_choices(training)
    status = 200
    if request.method == "GET":
        form.title_id.data, form.title_en.data = session.title_id, session.title_en
        form.description_id.data, form.description_en.data = session.description_id, session.description_en
        form.zone.data = training.timezone
        form.starts_at.data = to_zone(session.starts_at, training.timezone).replace(tzinfo=None)
        form.duration_minutes.data = session.duration_minutes
        form.meeting_url.data = session.meeting_url
        form.facilitators.data = [u.email for u in session.facilitators]
        form.module.data = session.module_slug
    elif form.validate():
        try:
            warnings = services.update_session(session, _session_data(form), actor=current_user)
        except DomainError as error:
            db.session.rollback()
            _apply_error(form, error, SESSION_FIELD_MAP)
            status = 422
        else:
            db.session.commit()
            flash(_("The session is saved."), "success")
            _flash_warnings(warnings)
            return redirect(url_for("scheduling.sessions", training_id=training.id))
    else:
        status = 422
    return render_template("scheduling/edit_session.html", training=training, session=session,
                           number=services.session_number(session), form=form,
                           warnings=services.facilitator_conflicts(session),
                           action_form=EmptyForm()), status


@bp.route("/sessions/<int:session_id>/cancel", methods=["POST"])
@login_required
def cancel_session(session_id: int):
    session = load_session(session_id)
    require(current_user, "session.edit", session)
    if EmptyForm().validate_on_submit():
        services.cancel_session(session, actor=current_user)
        db.session.commit()
        flash(_("The session is cancelled. Participants still see it, marked as cancelled."), "success")
    return redirect(url_for("scheduling.sessions", training_id=session.training_id))


@bp.route("/sessions/<int:session_id>/reinstate", methods=["POST"])
@login_required
def reinstate_session(session_id: int):
    session = load_session(session_id)
    require(current_user, "session.edit", session)
    if EmptyForm().validate_on_submit():
        services.reinstate_session(session, actor=current_user)
        db.session.commit()
        flash(_("The session is scheduled again."), "success")
    return redirect(url_for("scheduling.sessions", training_id=session.training_id))


# --------------------------------------------------------------------------- personal pages

@bp.route("/me/schedule")
@login_required
def my_schedule():
    from ..attendance.eligibility import progress_for_enrolments
    now = datetime.now(UTC)
    items = services.schedule_for(current_user)
    upcoming = [i for i in items if i.session.ends_at >= now]
    past = [i for i in items if i.session.ends_at < now]
    trainings: dict[int, dict] = {}
    for item in items:
        entry = trainings.setdefault(item.training.id, {"training": item.training,
                                                        "enrolment": item.enrolment, "progress": None})
        if item.enrolment is not None:
            entry["enrolment"] = item.enrolment
    accepted = [entry["enrolment"] for entry in trainings.values()
                if entry["enrolment"] is not None and entry["enrolment"].status == "accepted"]
    progress = progress_for_enrolments(accepted)
    for entry in trainings.values():
        if entry["enrolment"] is not None:
            entry["progress"] = progress.get(entry["enrolment"].id)
    feed_url = (url_for("scheduling.my_calendar", token=services.calendar_feed_token(current_user),
                        _external=True) if services.calendar_feed_token(current_user) else None)
    return render_template("scheduling/my_schedule.html", upcoming=upcoming,
                           past=list(reversed(past)), trainings=list(trainings.values()),
                           zone=current_user.timezone, now=now, join_opens=JOIN_OPENS_BEFORE,
                           feed_url=feed_url, token_form=EmptyForm())


@bp.route("/me/calendar-token", methods=["POST"])
@login_required
def calendar_token():
    if EmptyForm().validate_on_submit():
        if request.form.get("action") == "revoke":
            services.revoke_calendar_token(current_user, actor=current_user)
            flash(_("The calendar link is switched off. Calendars using it get no more updates."),
                  "success")
        else:
            services.issue_calendar_token(current_user, actor=current_user)
            flash(_("Your calendar link is ready. Any older link no longer works."), "success")
        db.session.commit()
    return redirect(url_for("scheduling.my_schedule") + "#calendar-heading")


@bp.route("/me/sessions")
@login_required
def my_sessions():
    if current_user.role not in ("facilitator", "organiser", "admin"):
        raise NotFound()
    rows = services.sessions_facilitated_by(current_user, upcoming_from=datetime.now(UTC))
    return render_template("scheduling/my_sessions.html", rows=rows, zone=current_user.timezone)


# --------------------------------------------------------------------------- calendar feeds

def _ics(body: bytes, filename: str) -> Response:
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


def _training_url(training) -> str:
    return url_for("scheduling.detail", training_id=training.id, _external=True)


@bp.route("/trainings/<int:training_id>/calendar.ics")
@accepts_token
def calendar(training_id: int):
    """The training's sessions. Logged in, or with the personal feed token so that calendar
    apps (which carry no session cookie) can subscribe to one training."""
    token = request.args.get("token")
    if token is not None:
        viewer = services.user_for_calendar_token(token)
        if viewer is None:
            raise NotFound()
        lang = viewer.language if viewer.language in ("id", "en") else "en"
    elif current_user.is_authenticated:
        viewer, lang = current_user, current_language()
    else:
        from ..extensions import login_manager
        return login_manager.unauthorized()
    training = load_training(training_id)
    require(viewer, "training.view", training)
    may_join = can(viewer, "training.join", training)
    entries = [(s, training, n, may_join) for n, s in services.numbered_sessions(training)]
    body = build_calendar(entries, name=training.title(lang), lang=lang,
                          url_for_training=_training_url)
    response = _ics(body, f"training-{training.id}.ics")
    if token is not None:
        response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.route("/me/calendar.ics")
def my_calendar():
    user = services.user_for_calendar_token(request.args.get("token"))
    if user is None:
        raise NotFound()
    lang = user.language if user.language in ("id", "en") else "en"
    entries = [(i.session, i.training, i.number, i.may_join) for i in services.schedule_for(user)]
    from flask_babel import force_locale
    with force_locale(lang):
        name = _("Anyam: my trainings")
    body = build_calendar(entries, name=name, lang=lang, url_for_training=_training_url)
    response = _ics(body, "anyam.ics")
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
