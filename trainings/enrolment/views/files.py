"""Exports of the participant list and the import of participant tables."""
from __future__ import annotations

import json

from flask import (
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from ...audit.services import exported
from ...auth import accepts_token
from ...errors import DomainError
from ...exports import XLSX_MIMETYPE, csv_bytes, xlsx_bytes
from ...i18n import current_language
from ...policy import can, require
from ...scheduling.services import get_training
from ...web import (
    attempt,
    send_download,
)
from .. import imports, services
from ..forms import (
    ApplyImportForm,
    ImportForm,
)
from .base import _filters, bp, load_training

# --------------------------------------------------------------------------- exports

def _export(training_id: int):
    training = load_training(training_id)
    require(current_user, "enrolment.manage", training)
    enrolments = services.list_enrolments(training, **_filters())
    return training, services.export_rows(training, enrolments, current_language())


@bp.route("/trainings/<int:training_id>/enrolments.csv")
@accepts_token
@login_required
def export_csv(training_id: int):
    training, rows = _export(training_id)
    exported(training.id, current_user, "enrolments", len(rows), "csv")
    return send_download(csv_bytes(services.EXPORT_HEADER, rows), f"enrolments-{training.id}.csv",
                         "text/csv; charset=utf-8")


@bp.route("/trainings/<int:training_id>/enrolments.xlsx")
@accepts_token
@login_required
def export_xlsx(training_id: int):
    training, rows = _export(training_id)
    exported(training.id, current_user, "enrolments", len(rows), "xlsx")
    return send_download(xlsx_bytes(services.EXPORT_HEADER, rows, title=_("Enrolments")),
                         f"enrolments-{training.id}.xlsx", XLSX_MIMETYPE)


# --------------------------------------------------------------------------- import

@bp.route("/trainings/<int:training_id>/enrolments/import", methods=["GET", "POST"])
@login_required
def import_enrolments(training_id: int):
    training = load_training(training_id)
    require(current_user, "enrolment.manage", training)
    form, apply_form = ImportForm(), ApplyImportForm()
    if request.method == "POST":
        return _import_step(training, form, apply_form)
    return _import_page(training, form, apply_form, None), 200


def _import_step(training, form, apply_form):
    """A POST: apply the rows a preview staged, or read and check an upload."""
    try:
        step = request.form.get("action", "preview")
    except RequestEntityTooLarge:
        return _too_large(training, form)
    if step == "apply":
        return _apply_import(training, apply_form)
    checked, status = _preview_import(training, form, apply_form)
    return _import_page(training, form, apply_form, checked), status


def _import_page(training, form, apply_form, checked) -> str:
    return render_template("enrolment/import.html", training=training, form=form,
                           apply_form=apply_form, checked=checked,
                           max_rows=imports.max_rows(), columns=imports.COLUMNS)


def _staged_rows(apply_form) -> list[dict] | None:
    """The rows the preview handed to the apply step, or None when they are not usable."""
    if not apply_form.validate_on_submit():
        return None
    try:
        rows = json.loads(apply_form.rows.data or "[]")
        if not isinstance(rows, list):
            return None
        return [{"row": int(r["row"]), "values": {k: str(v) for k, v in r["values"].items()}}
                for r in rows]
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


def _nothing_imported(operation):
    """The import's error, flashed as "Nothing was imported: <reason>"."""
    def run():
        try:
            return operation()
        except DomainError as error:
            error.message = _("Nothing was imported: %(reason)s", reason=error.message)
            raise
    return run


def _apply_import(training, apply_form):
    rows = _staged_rows(apply_form)
    if rows is None:
        flash(_("The import could not be applied. Please upload the file again."), "error")
        return redirect(url_for("enrolment.import_enrolments", training_id=training.id))
    ok, result = attempt(_nothing_imported(
        lambda: imports.import_rows(training, rows, actor=current_user)))
    if not ok:
        return _import_page(training, ImportForm(), apply_form,
                            imports.preview(training, rows)), 422
    flash(_("Imported %(created)d participants: %(accepted)d accepted, %(waitlisted)d "
            "on the waiting list. %(skipped)d rows were skipped because these "
            "people are already enrolled.", **result), "success")
    return redirect(url_for("enrolment.participants", training_id=training.id))


def _preview_import(training, form, apply_form):
    """Read the upload and check its rows (no writes): ``(checked, status)``."""
    if not form.validate_on_submit():
        return None, 422
    upload = form.file.data
    try:
        rows = imports.read_table(upload.read(), upload.filename)
        checked = imports.preview(training, rows)
    except imports.FileTooLarge as error:
        form.file.errors = [str(error.message)]
        return None, 413
    except DomainError as error:
        form.apply_error(error)
        if not form.file.errors:
            form.file.errors = [str(error.message)]
        return None, 422
    apply_form.rows.data = json.dumps(
        [{"row": r["row"], "values": r["values"]} for r in rows], ensure_ascii=False)
    return checked, 422 if checked.errors else 200


def _too_large(training, form):
    limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
    form.file.errors = [_("The file is larger than the limit of %(n)d MB. Split it into "
                          "smaller files.", n=max(1, limit // (1024 * 1024)))]
    return _import_page(training, form, ApplyImportForm(formdata=None), None), 413


@bp.errorhandler(RequestEntityTooLarge)
def _upload_too_large(error):
    training_id = (request.view_args or {}).get("training_id")
    if request.endpoint == "enrolment.import_enrolments" and training_id:
        training = get_training(training_id)
        if training is not None and can(current_user, "enrolment.manage", training):
            return _too_large(training, ImportForm(formdata=None))
    return render_template("errors/400.html", message=_(
        "The upload is too large.")), 413

