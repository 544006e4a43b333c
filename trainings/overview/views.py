"""Pages of the read models that span areas.

Personal pages under ``/me``: my schedule, my sessions, the personal calendar feed
(``overview.my_schedule``, ``overview.my_sessions``, ``overview.my_calendar``) and a
participant's history (``overview.my_history``). Networks: programmes and their dashboards
(with exports), people search and person pages.
"""
from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import Integer, bindparam, select

from ..countries import country_name
from ..db import read_only
from ..errors import NotFound
from ..exports import csv_bytes, xlsx_bytes
from ..extensions import db
from ..i18n import bilingual, current_language
from ..pagecache import kept_page
from ..policy import can, require
from ..programmes import services as programmes
from ..scheduling.calendar import build_calendar
from ..scheduling.models import Training, TrainingStaff
from ..scheduling.services import calendar_feed_token, user_for_calendar_token
from ..scheduling.views import ics_response, training_url
from ..web import absolute_url, form_status, send_download, submit
from . import people
from .attention import attention_for
from .dashboard import cached_dashboard, dashboard_and_key, load_programme
from .dashboard_page import page_html, sector_label
from .forms import PeopleSearchForm, ProgrammeForm
from .schedule import schedule_for, sessions_facilitated_by
from .schedule_body import schedule_body

bp = Blueprint("overview", __name__)


@bp.route("/me/schedule")
@read_only
@login_required
@kept_page
def my_schedule():
    body = schedule_body(current_user, datetime.now(UTC), current_user.timezone,
                         all_past=request.args.get("past") == "all")
    token = calendar_feed_token(current_user)
    return render_template(
        "overview/my_schedule.html", body=body,
        feed_url=absolute_url("overview.my_calendar", token=token) if token else None)


@bp.route("/dashboard")
@login_required
def attention():
    """What needs the organiser's attention across their trainings."""
    if current_user.role not in ("organiser", "admin"):
        raise NotFound()
    return render_template("overview/attention.html", entries=attention_for(current_user),
                           zone=current_user.timezone)


@bp.route("/me/sessions")
@login_required
def my_sessions():
    if current_user.role not in ("facilitator", "organiser", "admin"):
        # a participant facilitates nothing: their sessions are on My schedule
        flash(_("Your sessions are on My schedule."), "info")
        return redirect(url_for(".my_schedule"))
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


# --------------------------------------------------------------------------- networks


_EVERY_TRAINING = (select(Training.id, Training.title_id, Training.title_en)
                   .order_by(Training.created_at.desc(), Training.id.desc()))
_ORGANISED = _EVERY_TRAINING.join(TrainingStaff, TrainingStaff.training_id == Training.id).where(
    TrainingStaff.user_id == bindparam("actor", type_=Integer),
    TrainingStaff.role == "organiser")  # both built once: the programme list asks every time


def _organised_trainings(actor) -> list:
    """Trainings the actor may put into a programme (organisers; admins: every one): rows
    of (id, title_id, title_en), only what the form's choices show (a read on the session's
    connection, not through the ORM's execution path)."""
    if actor.role == "admin":
        return db.session.connection().execute(_EVERY_TRAINING).all()
    return db.session.connection().execute(_ORGANISED, {"actor": actor.id}).all()


def _programme_form(trainings) -> ProgrammeForm:
    """The form with ``trainings`` (rows or trainings: id, title_id, title_en) to choose."""
    form = ProgrammeForm()
    lang = current_language()
    form.trainings.choices = [(t.id, t.title_id if lang == "id" and t.title_id else t.title_en)
                              for t in trainings]
    return form


def _create_programme(form):
    require(current_user, "programme.create")
    return submit(form, lambda: programmes.create_programme(form.values(), actor=current_user),
                  then=lambda p: url_for("overview.programme", programme_id=p.id),
                  message=_("Programme created."))


def _index_page(form):
    return render_template("overview/programmes.html", form=form,
                           programmes=programmes.programme_rows(current_user),
                           may_create=can(current_user, "programme.create")), form_status(form)


@bp.route("/programmes", methods=["GET", "POST"])
@login_required
def programmes_index():
    require(current_user, "programme.list")
    form = _programme_form(_organised_trainings(current_user))
    done = _create_programme(form) if form.is_submitted() else None
    return done or _index_page(form)


def _edit_form(programme) -> ProgrammeForm:
    """The programme's form: the viewer's trainings and the programme's own to choose from,
    filled from the programme until submitted."""
    offered = {t.id: t for t in _organised_trainings(current_user)}
    offered.update({t.id: t for t in programme.trainings})
    form = _programme_form(offered.values())
    if not form.is_submitted():
        form.title_id.data, form.title_en.data = programme.title_id, programme.title_en
        form.trainings.data = [t.id for t in programme.trainings]
        form.managers.data = "\n".join(u.email for u in programme.managers)
        form.organisations.data = "\n".join(o.name for o in programme.organisations)
    return form


@bp.route("/programmes/<int:programme_id>/edit", methods=["GET", "POST"])
@login_required
def programme_edit(programme_id: int):
    programme = programmes.get_programme(programme_id)
    require(current_user, "programme.manage", programme)
    form = _edit_form(programme)
    done = submit(form, lambda: programmes.update_programme(programme, form.values(),
                                                            actor=current_user),
                  then=url_for("overview.programme", programme_id=programme.id),
                  message=_("Programme saved."))
    return done or (render_template("overview/programme_edit.html", form=form,
                                    programme=programme), form_status(form))


def _load(programme_id: int):
    programme = programmes.get_programme(programme_id)
    require(current_user, "programme.view", programme)
    return programme


@bp.route("/programmes/<int:programme_id>")
@login_required
def programme(programme_id: int):
    programme, row = load_programme(programme_id, organisations=True)
    require(current_user, "programme.view", programme)
    key, data = dashboard_and_key(programme, row)
    return render_template("overview/dashboard.html", title=programme.title(current_language()),
                           body=page_html(programme, key, data, current_user))


def _export_rows(programme):
    data = cached_dashboard(programme)
    lang = current_language()
    header = [_("Section"), _("Name"), _("People or enrolments"), _("Completed"),
              _("Certificates"), _("Completion rate")]
    rows = [[_("Programme"), programme.title(lang), data["people"], data["people_completed"],
             data["certificates"], data["completion_rate"]]]
    rows += [[_("Training"), t["title"][lang] or t["title"]["en"], t["accepted"], t["completed"],
              t["certificates"], t["completion_rate"]] for t in data["per_training"]]
    rows += [[_("Country"), country_name(c), n, "", "", ""] for c, n in data["by_country"].items()]
    rows += [[_("Organisation"), o, n, "", "", ""] for o, n in data["by_organisation"].items()]
    rows += [[_("Sector"), sector_label(s), n, "", "", ""] for s, n in data["by_sector"].items()]
    return header, rows


@bp.route("/programmes/<int:programme_id>/dashboard.csv")
@login_required
def dashboard_csv(programme_id: int):
    header, rows = _export_rows(_load(programme_id))
    return send_download(csv_bytes(header, rows), f"programme-{programme_id}.csv",
                         "text/csv; charset=utf-8")


@bp.route("/programmes/<int:programme_id>/dashboard.xlsx")
@login_required
def dashboard_xlsx(programme_id: int):
    header, rows = _export_rows(_load(programme_id))
    return send_download(xlsx_bytes(header, rows, title=_("Programme")),
                         f"programme-{programme_id}.xlsx",
                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.route("/people")
@login_required
def people_search():
    require(current_user, "person.search")
    form = PeopleSearchForm(request.args)
    query = (form.q.data or "").strip() if form.validate() else ""
    results = people.search(current_user, query) if query else []
    return render_template("overview/people.html", form=form, query=query, results=results)


@bp.route("/people/<int:person_id>")
@login_required
def person(person_id: int):
    found = people.person(current_user, person_id)
    return render_template("overview/person.html", person=found, own=found["id"] == current_user.id)


@bp.route("/me/trainings")
@login_required
def my_history():
    found = people.person(current_user, current_user.id)
    return render_template("overview/person.html", person=found, own=True)


@bp.app_context_processor
def _helpers():
    return {"training_title": lambda t: bilingual(t, "title")}
