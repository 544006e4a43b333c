"""Enrolments: create, import, list, change status, stats (see docs/api-v1.md)."""
from flask import current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

from ..enrolment import imports, services
from ..errors import NotFound, ValidationError
from ..extensions import db
from ..overview.stats import stats as training_stats_of
from ..policy import can, require
from ..scheduling.services import load_training
from .base import actor, bp, json_body
from .serializers import enrolment_dict

XLSX_TYPES = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
              "application/octet-stream")


_training = load_training


def _enrolment(enrolment_id: int):
    enrolment = services.get_enrolment(enrolment_id)
    if enrolment is None:
        raise NotFound("No such enrolment.")
    return enrolment


def _dict(enrolment) -> dict:
    return enrolment_dict(enrolment, with_accessibility=can(
        actor(), "enrolment.view_accessibility", enrolment))


@bp.get("/trainings/<int:training_id>/enrolments")
def list_enrolments(training_id: int):
    training = _training(training_id)
    require(actor(), "enrolment.list", training)
    items = services.list_enrolments(training, country=request.args.get("country"),
                                     status=request.args.get("status"),
                                     sector=request.args.get("sector"),
                                     search=request.args.get("q"))
    return {"items": [enrolment_dict(e, with_accessibility=True) for e in items]}


@bp.post("/trainings/<int:training_id>/enrolments")
def create_enrolment(training_id: int):
    training = _training(training_id)
    require(actor(), "enrolment.manage", training)
    enrolment = services.enrol(training, json_body(), actor=actor())
    db.session.commit()
    return _dict(enrolment), 201


def _too_large() -> imports.FileTooLarge:
    limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
    return imports.FileTooLarge(
        f"The file is larger than the limit of {limit // (1024 * 1024) or 1} MB. "
        "Split it into smaller files.", field="file")


@bp.post("/trainings/<int:training_id>/enrolments/import")
def import_enrolments(training_id: int):
    training = _training(training_id)
    require(actor(), "enrolment.manage", training)
    mimetype = request.mimetype or ""
    try:
        if mimetype == "multipart/form-data":
            upload = request.files.get("file")
            if upload is None:
                raise ValidationError("Send the file in a form field named “file”.", field="file")
            data, filename = upload.read(), upload.filename
        elif mimetype in ("text/csv", "application/csv", "text/plain"):
            data, filename = request.get_data(), "import.csv"
        elif mimetype in XLSX_TYPES:
            data, filename = request.get_data(), "import.xlsx"
        else:
            raise ValidationError("Send the rows as CSV (Content-Type: text/csv) or XLSX.",
                                  code="unsupported_media_type", status=415)
    except RequestEntityTooLarge:
        raise _too_large() from None
    rows = imports.read_table(data, filename)
    result = imports.import_rows(training, rows, actor=actor())
    db.session.commit()
    return result


@bp.get("/enrolments/<int:enrolment_id>")
def get_enrolment(enrolment_id: int):
    enrolment = _enrolment(enrolment_id)
    require(actor(), "enrolment.view", enrolment)
    return _dict(enrolment)


@bp.patch("/enrolments/<int:enrolment_id>")
def update_enrolment(enrolment_id: int):
    enrolment = _enrolment(enrolment_id)
    require(actor(), "enrolment.view", enrolment)
    body = json_body()
    status = body.get("status")
    if not isinstance(status, str) or status not in services.TRANSITIONS:
        raise ValidationError("status must be one of: accepted, waitlisted, rejected, withdrawn.",
                              field="status", code="invalid_status")
    if not can(actor(), "enrolment.manage", enrolment):
        # A participant may only withdraw their own enrolment.
        require(actor(), "enrolment.withdraw_own", enrolment)
        if status != "withdrawn":
            require(actor(), "enrolment.manage", enrolment)
    promoted = services.change_status(enrolment, status, actor=actor())
    db.session.commit()
    data = _dict(enrolment)
    data["promoted"] = [e.id for e in promoted]
    return data


@bp.get("/trainings/<int:training_id>/stats")
def training_stats(training_id: int):
    training = _training(training_id)
    require(actor(), "training.stats", training)
    return training_stats_of(training)
