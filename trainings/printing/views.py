"""Gathering pages: groups, check-in (camera or name search), badges, sign-in sheets and
their signed result (docs/gatherings.md)."""
from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from ..attendance import checkin
from ..attendance import services as attendance_services
from ..auth.services import user_for_token
from ..enrolment.groups import services as groups
from ..errors import DomainError, json_error
from ..extensions import db, login_manager
from ..policy import can, require
from ..scheduling import services as scheduling_services
from ..web import EmptyForm, action, form_status, send_download, submit
from . import services
from .forms import AssignForm, GroupForm

bp = Blueprint("printing", __name__)


def _viewer():
    """The logged-in user, or the holder of a Bearer token (scripts, print shops)."""
    if current_user.is_authenticated:
        return current_user
    scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer":
        return user_for_token(token.strip())
    return None


def _pdf(data: bytes, filename: str):
    response = send_download(data, filename, "application/pdf")
    response.headers["Cache-Control"] = "private, max-age=0"
    return response


@bp.route("/trainings/<int:training_id>/badges.pdf")
def badges(training_id: int):
    viewer = _viewer()
    if viewer is None:
        return _unauthorised()
    training = scheduling_services.load_training(training_id)
    require(viewer, "printing.print", training)
    return _pdf(services.badges_pdf(training), f"badges-{training.id}.pdf")


@bp.route("/sessions/<int:session_id>/sign-in-sheet.pdf")
def sign_in_sheet(session_id: int):
    viewer = _viewer()
    if viewer is None:
        return _unauthorised()
    session = scheduling_services.load_session(session_id)
    require(viewer, "printing.print", session)
    number = scheduling_services.session_number(session)
    return _pdf(services.sign_in_sheet_pdf(session),
                f"sign-in-sheet-{session.training_id}-{number}.pdf")


def _unauthorised():
    if request.headers.get("Authorization"):
        return json_error(401, "unauthorized", _("A valid token is needed."))
    return login_manager.unauthorized()


# --------------------------------------------------------------------------- the gathering page

@bp.route("/trainings/<int:training_id>/gathering")
@login_required
def gathering(training_id: int):
    training = scheduling_services.load_training(training_id)
    require(current_user, "group.list", training)
    return _render_gathering(training, GroupForm(), AssignForm())


def _render_gathering(training, group_form, assign_form):
    own = groups.own_enrolment(training.id, current_user)
    own_group = groups.group_of(own.id) if own is not None else None
    rows = [{"group": g, "members": groups.group_dict(g)["members"]
             if can(current_user, "group.members", g) else None,
             "taken": len(g.members)} for g in groups.groups_of(training)]
    return render_template(
        "printing/gathering.html", training=training, groups=rows, own=own,
        own_group=own_group, group_form=group_form, assign_form=assign_form,
        action_form=EmptyForm(), sessions=services.sessions_for_sheets(training),
        may_manage=can(current_user, "group.manage", training),
        may_print=can(current_user, "printing.print", training)), \
        form_status(group_form, assign_form)


def _group_data(form) -> dict:
    return {"name": {"id": form.name_id.data or "", "en": form.name_en.data or ""},
            "capacity": form.capacity.data,
            "facilitators": form.facilitators.data or None}


@bp.route("/trainings/<int:training_id>/groups", methods=["POST"])
@login_required
def create_group(training_id: int):
    training = scheduling_services.load_training(training_id)
    require(current_user, "group.manage", training)
    form = GroupForm()
    done = submit(form, lambda: groups.create_group(training, _group_data(form),
                                                    actor=current_user),
                  then=url_for("printing.gathering", training_id=training.id),
                  message=_("The group is added."),
                  field_map={"name": "name_en", "name.id": "name_id", "name.en": "name_en"})
    return done or _render_gathering(training, form, AssignForm())


def _placed_message(result) -> str:
    return ngettext("%(num)d participant is placed in a group.",
                    "%(num)d participants are placed in groups.", result["assigned"])


@bp.route("/trainings/<int:training_id>/groups/assign", methods=["POST"])
@login_required
def assign_groups(training_id: int):
    training = scheduling_services.load_training(training_id)
    require(current_user, "group.manage", training)
    form = AssignForm()
    by = [name for name, on in (("country", form.by_country.data),
                                ("organisation", form.by_organisation.data)) if on]
    done = submit(form, lambda: groups.assign(training, by, actor=current_user,
                                              reset=bool(form.reset.data)),
                  then=url_for("printing.gathering", training_id=training.id),
                  message=_placed_message)
    return done or _render_gathering(training, GroupForm(), form)


@bp.route("/groups/<int:group_id>/join", methods=["POST"])
@login_required
def join_group(group_id: int):
    group = groups.load_group(group_id)
    require(current_user, "group.join", group)
    enrolment = groups.own_enrolment(group.training_id, current_user)
    return action(lambda: groups.join(group, enrolment, actor=current_user),
                  then=url_for("printing.gathering", training_id=group.training_id),
                  message=_("You are in the group %(name)s.", name=group.name(
                      current_user.language or "en")))


# --------------------------------------------------------------------------- check-in

@bp.route("/sessions/<int:session_id>/checkin", methods=["GET", "POST"])
@login_required
def checkin_page(session_id: int):
    session = attendance_services.get_session(session_id)
    require(current_user, "attendance.checkin", session)
    query = (request.args.get("q") or "").strip()[:100]
    if request.method == "POST":
        return _check_in(session, query)
    return render_template(
        "printing/checkin.html", session=session, training=session.training, form=EmptyForm(),
        number=scheduling_services.session_number(session), query=query,
        results=checkin.search(session, query) if query else None)


def _check_in(session, query: str):
    """The search page's "check in" button for one enrolment; back to the same search."""
    raw = request.form.get("enrolment", "")
    enrolment_id = int(raw) if raw.isdigit() else None
    then = url_for("printing.checkin_page", session_id=session.id, q=query or None)
    return action(lambda: checkin.check_in_enrolment(session, enrolment_id, actor=current_user),
                  then=then, message=_checkin_message)


def _checkin_message(result) -> str:
    if result.already:
        return _("%(name)s had already checked in: nothing changed.", name=result.name)
    return _("%(name)s is checked in.", name=result.name)


@bp.route("/sessions/<int:session_id>/checkin.json", methods=["POST"])
@login_required
def checkin_json(session_id: int):
    """The camera page's check-in (cookie session + CSRF header); scans queued offline
    arrive here later, each one on its own (a repeat changes nothing)."""
    session = attendance_services.get_session(session_id)
    require(current_user, "attendance.checkin", session)
    data = request.get_json(silent=True) or {}
    try:
        result = checkin.check_in_code(session, data.get("code"), actor=current_user)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        return json_error(error.status, error.code, error.message)
    return jsonify({**result.as_dict(), "message": _checkin_message(result)})


# --------------------------------------------------------------------------- the signed sheet

@bp.route("/sessions/<int:session_id>/sign-in-sheet", methods=["GET", "POST"])
@login_required
def sheet_result(session_id: int):
    session = attendance_services.get_session(session_id)
    require(current_user, "attendance.mark", session)
    if request.method == "POST":
        return _record_sheet(session)
    return render_template(
        "printing/sheet_result.html", session=session, training=session.training,
        form=EmptyForm(), number=scheduling_services.session_number(session),
        rows=attendance_services.roll_call(session))


def _record_sheet(session):
    """The ticked names of a signed sheet, recorded as present."""
    signed = [int(v) for v in request.form.getlist("signed") if v.isdigit()]
    return action(lambda: checkin.record_sheet(session, signed, actor=current_user),
                  then=url_for("printing.sheet_result", session_id=session.id),
                  message=lambda n: ngettext("%(num)d participant recorded as present.",
                                             "%(num)d participants recorded as present.", n))
