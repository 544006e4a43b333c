"""Web pages of the attendance area: roll call, report import, audit trail, matrix, exports."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from markupsafe import Markup

from ..audit.services import exported
from ..auth import accepts_token
from ..exports import XLSX_MIMETYPE, csv_bytes, xlsx_bytes
from ..i18n import current_language, viewer_timezone
from ..policy import can, require
from ..timezones import format_datetime
from ..web import EmptyForm, action, attempt, send_download, submit
from . import reports, services
from .forms import ApplyForm, SettingsForm, UploadForm
from .models import STATUSES

bp = Blueprint("attendance", __name__)


def status_labels() -> dict:
    return {"present": _("Present"), "late": _("Late"), "absent": _("Absent"),
            "excused": _("Excused"), None: _("Not marked")}


def _session_page(template: str, session, status=200, **context):
    return render_template(
        f"attendance/{template}", session=session, training=session.training,
        number=services.session_number(session), zone=viewer_timezone(session.training.timezone),
        labels=status_labels(), statuses=STATUSES, platform_names=reports.PLATFORM_NAMES,
        match_labels={"email": _("email"), "name": _("name"), "manual": _("by hand")},
        **context), status


# ---------------------------------------------------------------- roll call

def _submitted_changes(rows) -> list[services.Change]:
    """Only what this person changed on the page: unchanged records are never sent on."""
    changes = []
    for row in rows:
        eid = row.enrolment
        status = request.form.get(f"status-{eid}") or None
        original = request.form.get(f"orig-status-{eid}") or None
        note = request.form.get(f"note-{eid}")
        original_note = request.form.get(f"orig-note-{eid}", "")
        change = services.Change(enrolment=eid)
        if status is not None and status != original:
            change.status = status
        if note is not None and note.strip() != original_note.strip():
            change.note = note.strip()
        if change.status is not None or change.note is not None:
            changes.append(change)
    return changes


def _last_change_text(row) -> str:
    if row.updated_at is None:
        return str(status_labels()[None])
    zone = viewer_timezone()
    return (f"{status_labels()[row.status]} — {row.updated_by or _('an import')}, "
            f"{format_datetime(row.updated_at, zone)}")


@bp.route("/sessions/<int:session_id>/attendance", methods=["GET", "POST"])
@login_required
def roll_call(session_id: int):
    """The roll call. Without JavaScript the whole form is posted and only changed records
    are applied; with it (static/js/attendance.js) each person is saved on change, and
    this view answers JSON to requests marked ``X-Requested-With: fetch``."""
    session = services.get_session(session_id)
    require(current_user, "attendance.mark", session)
    form = EmptyForm()
    rows = services.roll_call(session)
    wants_json = request.headers.get("X-Requested-With") == "fetch"
    if request.method == "POST":
        save = _save_roll_call if form.validate_on_submit() else _not_saved
        return save(session, form, rows, wants_json)
    return _roll_call_page(session, form=form, rows=rows,
                           may_view_matrix=can(current_user, "attendance.view_matrix", session.training))


def _roll_call_page(session, status=200, **context):
    return _session_page("roll_call.html", session, status, is_open=services.roll_call_open(session),
                         opens_before=services.OPENS_BEFORE, **context)


def _not_saved(session, form, rows, wants_json: bool):
    """A roll call post whose form did not validate (an expired page, a missing token)."""
    if wants_json:
        return {"error": {"code": "invalid_form", "details": [],
                          "message": _("The page has expired. Reload it and try again.")}}, 400
    return _roll_call_page(session, 422, form=form, rows=rows)


def _save_roll_call(session, form, rows, wants_json: bool):
    changes = _submitted_changes(rows)
    if not changes:
        if wants_json:
            return {"changed": 0, "records": [], "message": _("Nothing was changed.")}
        flash(_("Nothing was changed."), "info")
        return redirect(url_for(".roll_call", session_id=session.id))
    overlapping = _overlapping(rows, changes)
    ok, changed = attempt(lambda: services.set_records(session, changes, actor=current_user),
                          form=form)
    if not ok:
        if wants_json:
            return changed.to_dict(), changed.status
        return _roll_call_page(session, 422, form=form, rows=rows)
    message = ngettext("Saved %(num)s change.", "Saved %(num)s changes.", changed)
    notice = _("Someone else had changed the status of %(names)s in the meantime; your "
               "choice replaced theirs (see the change history).",
               names=", ".join(overlapping)) if overlapping else None
    if wants_json:
        return _saved_json(session, changes, changed, message, notice)
    flash(message, "success")
    if notice:
        flash(notice, "info")
    return redirect(url_for(".roll_call", session_id=session.id))


def _overlapping(rows, changes) -> list[str]:
    """Records someone else changed since this page was loaded, that this person changed too."""
    current = {r.enrolment: r for r in rows}
    return [current[c.enrolment].name for c in changes
            if c.status is not None and (current[c.enrolment].status or "")
            != (request.form.get(f"orig-status-{c.enrolment}") or "")]


def _saved_json(session, changes, changed: int, message, notice) -> dict:
    fresh = {r.enrolment: r for r in services.roll_call(session)}
    names = ", ".join(fresh[c.enrolment].name for c in changes)
    return {"changed": changed, "message": f"{message} ({names})" + (f" {notice}" if notice else ""),
            "records": [{"enrolment": c.enrolment, "status": fresh[c.enrolment].status,
                         "note": fresh[c.enrolment].note,
                         "last_change": _last_change_text(fresh[c.enrolment])}
                        for c in changes]}


@bp.route("/sessions/<int:session_id>/attendance/mark-all-present", methods=["POST"])
@login_required
def mark_all_present(session_id: int):
    session = services.get_session(session_id)
    require(current_user, "attendance.mark", session)
    return action(lambda: services.mark_all_present(session, actor=current_user),
                  then=url_for(".roll_call", session_id=session.id),
                  message=lambda marked: ngettext("Marked %(num)s participant as present.",
                                                  "Marked %(num)s participants as present.",
                                                  marked))


@bp.route("/sessions/<int:session_id>/attendance/audit")
@login_required
def audit(session_id: int):
    session = services.get_session(session_id)
    require(current_user, "attendance.view_session", session)
    return _session_page("audit.html", session, changes=services.audit_trail(session))


# ---------------------------------------------------------------- report import

def _manual_matches(analysis_unmatched_keys) -> dict[str, int]:
    manual = {}
    for index, key in enumerate(analysis_unmatched_keys):
        value = request.values.get(f"match-{index}", "")
        if value.isdigit():
            manual[key] = int(value)
    return manual


@bp.route("/sessions/<int:session_id>/attendance/import", methods=["GET", "POST"])
@login_required
def import_report(session_id: int):
    """Upload (POST) → preview (GET with ?token=) → apply (POST to apply_import)."""
    session = services.get_session(session_id)
    require(current_user, "attendance.mark", session)
    upload = UploadForm()
    token = request.args.get("token")
    if request.method == "POST":
        return _stage(session, upload)
    if not token:
        return _upload_page(session, upload)
    staged = services.get_staged(session, token, actor=current_user)
    return _preview(session, staged, ApplyForm(formdata=None, token=staged.token))


def _stage(session, upload):
    """The uploaded report, staged for its preview; the upload form again when refused."""
    file = upload.report.data
    done = submit(upload, lambda: services.stage_import(
        session, file.read(), actor=current_user, filename=file.filename or "report.csv"),
        then=lambda staged: url_for(".import_report", session_id=session.id, token=staged.token))
    return done or _upload_page(session, upload, 422)


def _upload_page(session, upload, status=200):
    """The upload form, with the applied reports whose unmatched rows wait to be resolved."""
    return _session_page("import.html", session, status, upload=upload, analysis=None,
                         waiting=services.applied_with_open_rows(session),
                         applied=services.applied_imports(session))


def _preview(session, staged, apply_form, status=200, manual=None):
    min_minutes = apply_form.min_minutes.data if not apply_form.min_minutes.errors else None
    analysis = services.analyse_staged(session, staged, min_minutes=min_minutes, manual=manual,
                                       overwrite=bool(apply_form.overwrite.data))
    first = services.analyse_staged(session, staged, min_minutes=min_minutes)
    return _session_page("import.html", session, status, upload=None, analysis=analysis,
                         unmatched_first=first.unmatched, apply_form=apply_form, staged=staged,
                         manual=manual or {}, participants=services.roll_call(session))


@bp.route("/sessions/<int:session_id>/attendance/import/apply", methods=["POST"])
@login_required
def apply_import(session_id: int):
    session = services.get_session(session_id)
    require(current_user, "attendance.mark", session)
    form = ApplyForm()
    staged = services.get_staged(session, form.token.data or "", actor=current_user)
    manual = _manual_matches([p.key for p in services.analyse_staged(session, staged).unmatched])
    if not form.validate_on_submit() or request.form.get("action") == "preview":
        status = 200 if request.form.get("action") == "preview" and not form.errors else 422
        return _preview(session, staged, form, status=status, manual=manual)
    return (_apply(session, staged, form, manual)
            or _preview(session, staged, form, status=422, manual=manual))


def _apply(session, staged, form, manual: dict):
    return submit(form, lambda: services.apply_staged(
        session, staged, actor=current_user, min_minutes=form.min_minutes.data, manual=manual,
        overwrite=bool(form.overwrite.data)),
        validate=False, then=url_for(".roll_call", session_id=session.id),
        message=_applied_message)


def _applied_message(result: dict) -> str:
    message = _("Report applied: %(present)s present or late, %(absent)s absent.",
                present=result["present"], absent=result["absent"])
    message += " " + ngettext("%(num)s row not matched.", "%(num)s rows not matched.",
                              len(result["unmatched"]))
    if result.get("kept"):
        message += " " + ngettext("%(num)s status set by hand was kept.",
                                  "%(num)s statuses set by hand were kept.", result["kept"])
    return message


# ---------------------------------------------------------------- unmatched rows of applied reports

def _applied(session_id: int, import_id: int):
    session = services.get_session(session_id)
    require(current_user, "attendance.mark", session)
    return session, services.get_applied(session, import_id)


@bp.route("/sessions/<int:session_id>/attendance/imports/<int:import_id>")
@login_required
def unmatched(session_id: int, import_id: int):
    """The rows of an applied report that matched no one, to match by hand or dismiss."""
    session, staged = _applied(session_id, import_id)
    return _session_page("unmatched.html", session, staged=staged,
                         rows=services.open_rows(staged), participants=services.roll_call(session))


@bp.route("/sessions/<int:session_id>/attendance/imports/<int:import_id>/rows/<int:index>/match",
          methods=["POST"])
@login_required
def match_row(session_id: int, import_id: int, index: int):
    session, staged = _applied(session_id, import_id)
    return action(lambda: services.match_row(session, staged, index, request.form.get("enrolment"),
                                             actor=current_user),
                  then=url_for(".unmatched", session_id=session.id, import_id=staged.id),
                  message=lambda changed: _("Row matched: the participant is marked present.")
                  if changed else _("Row matched: the participant was already marked so."))


@bp.route("/sessions/<int:session_id>/attendance/imports/<int:import_id>/rows/<int:index>/dismiss",
          methods=["POST"])
@login_required
def dismiss_row(session_id: int, import_id: int, index: int):
    session, staged = _applied(session_id, import_id)
    return action(lambda: services.dismiss_row(session, staged, index, actor=current_user),
                  then=url_for(".unmatched", session_id=session.id, import_id=staged.id),
                  message=_("Row dismissed: it is not a participant."))


@bp.route("/sessions/<int:session_id>/attendance/imports/<int:import_id>/undo",
          methods=["GET", "POST"])
@login_required
def undo_import(session_id: int, import_id: int):
    """What undoing an applied report does (GET, the confirmation step), then undo it (POST)."""
    session, staged = _applied(session_id, import_id)
    if request.method == "POST":
        return action(lambda: services.undo_import(session, staged, actor=current_user),
                      then=lambda result: url_for(".roll_call", session_id=session.id) if result
                      else url_for(".undo_import", session_id=session.id, import_id=staged.id),
                      message=_undone_message)
    return _session_page("undo.html", session, staged=staged, undone=services.is_undone(staged),
                         plan=services.undo_plan(session, staged))


def _undone_message(result: dict) -> str:
    message = _("Import undone: %(restored)s statuses restored, %(removed)s records removed.",
                restored=result["restored"], removed=result["removed"])
    if result["kept"]:
        names = [_("%(name)s (by %(by)s)", name=k["name"], by=k["by"]) for k in result["kept"]]
        message += " " + _("Changed since by someone else, kept: %(names)s.", names="; ".join(names))
    return message


# ---------------------------------------------------------------- matrix, settings, exports

def _settings_form(training, formdata=None):
    rule = training.certificate_rule or {}
    form = SettingsForm(formdata=formdata,
                        min_sessions=rule.get("min_sessions"), min_percent=rule.get("min_percent"),
                        mandatory_sessions=rule.get("mandatory_sessions", []),
                        excused_counts=rule.get("excused_counts", False),
                        threshold_percent=training.attendance_threshold_percent,
                        late_after_minutes=training.late_after_minutes)
    return form


def _matrix_page(training, form, status=200):
    country = (request.args.get("country") or "").strip().upper() or None
    data = services.matrix(training, country=country)
    form.mandatory_sessions.choices = [
        (s.id, f"{s.number}. {s.title_id if current_language() == 'id' else s.title_en}")
        for s in data.sessions if not s.cancelled]
    labels = status_labels()
    # Cells and repeated words are escaped once here, not for each of 20,000 cells.
    cells = {st: Markup('<td class="st st-{}">{}</td>').format(st or "none",
                                                                labels[st] if st else "–")
             for st in (*STATUSES, None)}
    # The cells are escaped Markup already: joining them as text and marking the result
    # safe avoids 20,000 escape() calls on a 1000 x 20 grid.
    row_cells = {r.enrolment: Markup("".join([cells[st] for st in r.statuses])) for r in data.rows}  # noqa: S704 - only pre-escaped cells
    more = {n: ngettext("%(num)s more", "%(num)s more", n)
            for n in {r.progress.remaining for r in data.rows}}
    return render_template("attendance/matrix.html", training=training, m=data, form=form,
                           country=country, labels=labels, row_cells=row_cells, more_text=more,
                           eligible_text=Markup("<strong>{}</strong>").format(_("Eligible")),
                           not_yet_text=_("Not yet"),
                           mandatory_text=_("a mandatory session missed"),
                           zone=viewer_timezone(training.timezone),
                           may_edit=can(current_user, "training.edit", training),
                           may_export=can(current_user, "attendance.matrix", training)), status


@bp.route("/trainings/<int:training_id>/attendance")
@login_required
def matrix(training_id: int):
    training = services.get_training(training_id)
    require(current_user, "attendance.view_matrix", training)
    return _matrix_page(training, _settings_form(training))


@bp.route("/trainings/<int:training_id>/attendance/settings", methods=["POST"])
@login_required
def settings(training_id: int):
    training = services.get_training(training_id)
    require(current_user, "training.edit", training)
    form = _settings_form(training, formdata=request.form)
    form.mandatory_sessions.choices = [(s.id, str(s.id)) for s in training.sessions]
    done = submit(form, lambda: _save_settings(training, form),
                  then=url_for(".matrix", training_id=training.id),
                  message=_("Attendance and certificate settings saved."))
    return done or _matrix_page(training, form, 422)


def _save_settings(training, form):
    return services.update_settings(
        training, actor=current_user, min_sessions=form.min_sessions.data,
        min_percent=form.min_percent.data, mandatory_sessions=form.mandatory_sessions.data or [],
        excused_counts=form.excused_counts.data, threshold_percent=form.threshold_percent.data,
        late_after_minutes=form.late_after_minutes.data)


def _export(training_id: int, kind: str):
    training = services.get_training(training_id)
    require(current_user, "attendance.matrix", training)
    header, rows = services.export_table(services.matrix(training, with_email=True))
    name = f"attendance-training-{training.id}"
    exported(training.id, current_user, "attendance", len(rows), kind)
    if kind == "csv":
        return send_download(csv_bytes(header, rows), f"{name}.csv", "text/csv; charset=utf-8")
    return send_download(xlsx_bytes(header, rows, title="Attendance"), f"{name}.xlsx",
                         XLSX_MIMETYPE)


@bp.route("/trainings/<int:training_id>/attendance.csv")
@accepts_token
@login_required
def export_csv(training_id: int):
    return _export(training_id, "csv")


@bp.route("/trainings/<int:training_id>/attendance.xlsx")
@accepts_token
@login_required
def export_xlsx(training_id: int):
    return _export(training_id, "xlsx")
