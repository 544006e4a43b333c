"""Personal pages that span areas: my schedule, my sessions and the personal calendar feed.

URLs stay under ``/me``; the endpoints are ``overview.my_schedule``, ``overview.my_sessions``
and ``overview.my_calendar``.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Blueprint, render_template, request
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..attendance.eligibility import progress_for_enrolments
from ..errors import NotFound
from ..scheduling.calendar import build_calendar
from ..scheduling.services import calendar_feed_token, user_for_calendar_token
from ..scheduling.views import ics_response, training_url
from ..web import EmptyForm, absolute_url
from .schedule import schedule_for, sessions_facilitated_by

bp = Blueprint("overview", __name__)

JOIN_OPENS_BEFORE = timedelta(minutes=30)


def _trainings_with_progress(items) -> list[dict]:
    """One entry per training of the schedule, with the enrolment and attendance progress."""
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
    return list(trainings.values())


@bp.route("/me/schedule")
@login_required
def my_schedule():
    now = datetime.now(UTC)
    items = schedule_for(current_user)
    token = calendar_feed_token(current_user)
    return render_template(
        "overview/my_schedule.html", upcoming=[i for i in items if i.session.ends_at >= now],
        past=[i for i in reversed(items) if i.session.ends_at < now],
        trainings=_trainings_with_progress(items), zone=current_user.timezone, now=now,
        join_opens=JOIN_OPENS_BEFORE, token_form=EmptyForm(),
        feed_url=absolute_url("overview.my_calendar", token=token) if token else None)


@bp.route("/me/sessions")
@login_required
def my_sessions():
    if current_user.role not in ("facilitator", "organiser", "admin"):
        raise NotFound()
    rows = sessions_facilitated_by(current_user, upcoming_from=datetime.now(UTC))
    return render_template("overview/my_sessions.html", rows=rows, zone=current_user.timezone)


@bp.route("/me/calendar.ics")
def my_calendar():
    user = user_for_calendar_token(request.args.get("token"))
    if user is None:
        raise NotFound()
    lang = user.language if user.language in ("id", "en") else "en"
    entries = [(i.session, i.training, i.number, i.may_join) for i in schedule_for(user)]
    with force_locale(lang):
        name = _("Anyam: my trainings")
    body = build_calendar(entries, name=name, lang=lang, url_for_training=training_url)
    return ics_response(body, "anyam.ics", private_link=True)
