"""API routes of the attendance area (see docs/api-v1.md)."""
from __future__ import annotations

from flask import request
from flask_babel import lazy_gettext as _l

from ..attendance import reports, services
from ..errors import ValidationError
from ..policy import require
from .base import actor, body, bp, commit, doc
from .schemas import AttendanceIn, Matrix, ReportResult, Undone, Updated, dump

REPORT_TYPES = ("text/csv", "text/plain", "text/tab-separated-values",
                "application/octet-stream", "application/vnd.ms-excel")


@bp.put("/sessions/<int:session_id>/attendance")
@doc(_l("Mark attendance (present, late, absent, excused) of accepted enrolments"),
     body=AttendanceIn, answer=Updated)
def put_attendance(session_id: int):
    session = services.get_session(session_id)
    require(actor(), "attendance.mark", session)
    records = body(AttendanceIn)["records"]
    updated = commit(lambda: services.set_records(session, records, actor=actor(), source="manual"))
    return Updated(updated=updated).dump()


def _report() -> tuple[bytes, str]:
    if request.content_length and request.content_length > reports.MAX_BYTES + 64 * 1024:
        raise ValidationError(_l("The report is too large (at most 5 MB)."), code="too_large",
                              status=413)
    if request.files:
        upload = next(iter(request.files.values()))
        return upload.read(), upload.filename or "report.csv"
    if (request.mimetype or "") not in REPORT_TYPES:
        raise ValidationError(_l("Send the report as text/csv."), code="unsupported_media_type",
                              status=415)
    return request.get_data(), request.args.get("filename") or "api-upload.csv"


@bp.post("/sessions/<int:session_id>/attendance/import")
@doc(_l("Import a video-meeting participant report (e.g. Zoom's participants export)"),
     answer=ReportResult, content={"text/csv": _l("The participant report"),
                                   "multipart/form-data": _l("The report as a file")},
     query={"min_minutes": ("integer", _l("Minutes needed to count as present")),
            "filename": ("string", _l("The report's file name (for the import log)")),
            "overwrite": ("boolean", _l("Also lower statuses that staff set by hand"))})
def import_attendance(session_id: int):
    session = services.get_session(session_id)
    require(actor(), "attendance.mark", session)
    min_minutes = services.validate_min_minutes(request.args.get("min_minutes"))
    overwrite = _flag(request.args.get("overwrite"), "overwrite")
    data, filename = _report()
    return dump(ReportResult, commit(lambda: services.import_report(
        session, data, actor=actor(), filename=filename, min_minutes=min_minutes,
        overwrite=overwrite)))


@bp.post("/attendance-imports/<int:import_id>/undo")
@doc(_l("Undo an applied meeting-report import once (records changed since are kept)"),
     answer=Undone)
def undo_attendance_import(import_id: int):
    staged = services.get_import(import_id)
    session = services.get_session(staged.session_id)
    require(actor(), "attendance.mark", session)
    return dump(Undone, commit(lambda: services.undo_import(session, staged, actor=actor())))


def _flag(value: str | None, name: str) -> bool:
    if value is None or value.lower() in ("", "false", "0", "no"):
        return False
    if value.lower() in ("true", "1", "yes"):
        return True
    raise ValidationError(_l("%(name)s must be true or false.", name=name), field=name)


@bp.get("/trainings/<int:training_id>/attendance")
@doc(_l("The attendance matrix: every accepted enrolment by session, with eligibility"),
     answer=Matrix)
def training_attendance(training_id: int):
    training = services.get_training(training_id)
    require(actor(), "attendance.matrix", training)
    return dump(Matrix, services.matrix_json(services.matrix(training)))
