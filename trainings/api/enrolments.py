"""Enrolments: create, import, list, change status, stats (see docs/api-v1.md)."""
from flask import current_app, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import RequestEntityTooLarge

from ..enrolment import imports, services
from ..errors import NotFound, ValidationError
from ..evaluation import services as evaluation
from ..extensions import limiter
from ..overview.stats import stats as training_stats_of
from ..policy import can, require
from ..scheduling.services import load_training
from .base import actor, body, bp, commit, doc, json_body, public
from .schemas import (
    ApplicationIn,
    ApplicationOut,
    ChangedEnrolment,
    EnrolmentIn,
    EnrolmentOut,
    Enrolments,
    EnrolmentStatusIn,
    ImportResult,
    Stats,
    dump,
)
from .schemas.enrolment import DemographicsIn

XLSX_TYPES = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
              "application/octet-stream")
LIST_QUERY = {"country": ("string", _l("ISO country code")),
              "status": ("string", _l("accepted, waitlisted, applied, rejected or withdrawn")),
              "sector": ("string", _l("Sector, e.g. activist")), "q": ("string", _l("Name or email contains"))}

_training = load_training


def _enrolment(enrolment_id: int):
    enrolment = services.get_enrolment(enrolment_id)
    if enrolment is None:
        raise NotFound(_l("No such enrolment."))
    return enrolment


def _dict(enrolment, demographics=None) -> dict:
    data = EnrolmentOut.of(enrolment, with_accessibility=can(
        actor(), "enrolment.view_accessibility", enrolment))
    if can(actor(), "demographics.view", enrolment):  # organisers only
        record = (demographics or {}).get(enrolment.id) if demographics is not None \
            else evaluation.demographics_of(enrolment)
        data.update(evaluation.demographics_dict(record))
    return data


@bp.get("/trainings/<int:training_id>/enrolments")
@doc(_l("Enrolments of a training"), answer=Enrolments, query=LIST_QUERY)
def list_enrolments(training_id: int):
    training = _training(training_id)
    require(actor(), "enrolment.list", training)
    items = services.list_enrolments(training, country=request.args.get("country"),
                                     status=request.args.get("status"),
                                     sector=request.args.get("sector"),
                                     search=request.args.get("q"))
    demographics = evaluation.demographics_by_enrolment(e.id for e in items)
    return {"items": [_dict(e, demographics) for e in items]}


@bp.post("/trainings/<int:training_id>/enrolments")
@doc(_l("Enrol a person: accepted while the capacity and the country's quota have room, "
        "else waitlisted"), body=EnrolmentIn, answer=EnrolmentOut, status=201)
def create_enrolment(training_id: int):
    training = _training(training_id)
    require(actor(), "enrolment.manage", training)
    data = body(EnrolmentIn)
    return _dict(commit(lambda: _enrol(training, data))), 201


def _enrol(training, data: dict):
    """Enrol, with the demographics given (refused without consent: nothing written)."""
    enrolment = services.enrol(training, data, actor=actor())
    if evaluation.has_demographic_fields(data):
        evaluation.set_demographics(enrolment, data, actor=actor())
    return enrolment


@bp.post("/trainings/<int:training_id>/applications")
@public
@limiter.limit("10 per minute")
@doc(_l("Apply to a training, as its public application page does (no token): 409 "
        "applications_closed once the organisers closed them or the last session has ended"),
     body=ApplicationIn, answer=ApplicationOut, status=201)
def apply(training_id: int):
    training = _training(training_id)
    data = body(ApplicationIn)
    if data.get("privacy_consent") is not True:
        raise ValidationError(_l("Please agree to the privacy notice to apply."),
                              field="privacy_consent", code="consent_required")
    enrolment = commit(lambda: services.enrol(training, data, public=True))
    return ApplicationOut(training=training.id, status=enrolment.status).dump(), 201


def _too_large() -> imports.FileTooLarge:
    limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
    return imports.FileTooLarge(
        _l("The file is larger than the limit of %(num)d MB. Split it into smaller files.",
           num=limit // (1024 * 1024) or 1), field="file")


def _upload() -> tuple[bytes, str]:
    mimetype = request.mimetype or ""
    if mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            raise ValidationError(_l("Send the file in a form field named “file”."), field="file")
        return upload.read(), upload.filename
    if mimetype in ("text/csv", "application/csv", "text/plain"):
        return request.get_data(), "import.csv"
    if mimetype in XLSX_TYPES:
        return request.get_data(), "import.xlsx"
    raise ValidationError(_l("Send the rows as CSV (Content-Type: text/csv) or XLSX."),
                          code="unsupported_media_type", status=415)


@bp.post("/trainings/<int:training_id>/enrolments/import")
@doc(_l("Import enrolments from CSV or XLSX: all or nothing"), answer=ImportResult,
     content={"text/csv": _l("name,email,country,organisation,sector,timezone,language"),
              XLSX_TYPES[0]: _l("The same columns in a spreadsheet"),
              "multipart/form-data": _l("The file in a field named file")})
def import_enrolments(training_id: int):
    training = _training(training_id)
    require(actor(), "enrolment.manage", training)
    try:
        data, filename = _upload()
    except RequestEntityTooLarge:
        raise _too_large() from None
    rows = imports.read_table(data, filename)
    return dump(ImportResult, commit(lambda: imports.import_rows(training, rows, actor=actor())))


@bp.get("/enrolments/<int:enrolment_id>")
@doc(_l("One enrolment"), answer=EnrolmentOut)
def get_enrolment(enrolment_id: int):
    enrolment = _enrolment(enrolment_id)
    require(actor(), "enrolment.view", enrolment)
    return _dict(enrolment)


@bp.patch("/enrolments/<int:enrolment_id>")
@doc(_l("Change an enrolment's status (a participant may withdraw their own); a freed seat "
        "goes to the oldest waitlisted enrolment that fits"), body=EnrolmentStatusIn,
     answer=ChangedEnrolment)
def update_enrolment(enrolment_id: int):
    enrolment = _enrolment(enrolment_id)
    require(actor(), "enrolment.view", enrolment)
    raw = json_body()
    if "status" not in raw and evaluation.has_demographic_fields(raw):
        return _update_demographics(enrolment)
    status = body(EnrolmentStatusIn, code="invalid_status")["status"]
    _require_status_change(enrolment, status)
    promoted = commit(lambda: services.change_status(enrolment, status, actor=actor()))
    return {**_dict(enrolment), "promoted": [e.id for e in promoted]}


def _update_demographics(enrolment) -> dict:
    """The participant's own demographics (with consent), or an organiser's correction."""
    if not can(actor(), "enrolment.manage", enrolment):
        require(actor(), "demographics.edit_own", enrolment)
    data = body(DemographicsIn)
    commit(lambda: evaluation.set_demographics(enrolment, data, actor=actor()))
    return _dict(enrolment)


def _require_status_change(enrolment, status: str) -> None:
    """Organisers change any status; a participant may only withdraw their own enrolment."""
    if not can(actor(), "enrolment.manage", enrolment):
        require(actor(), "enrolment.withdraw_own", enrolment)
        if status != "withdrawn":
            require(actor(), "enrolment.manage", enrolment)


@bp.get("/trainings/<int:training_id>/stats")
@doc(_l("Enrolment by country and attendance rates"), answer=Stats)
def training_stats(training_id: int):
    training = _training(training_id)
    require(actor(), "training.stats", training)
    return dump(Stats, training_stats_of(training))
