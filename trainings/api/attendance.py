"""API routes of the attendance area (see docs/api-v1.md)."""
from __future__ import annotations

from flask import request

from ..attendance import reports, services
from ..errors import ValidationError
from ..extensions import db
from ..policy import require
from .base import actor, bp, json_body


@bp.put("/sessions/<int:session_id>/attendance")
def put_attendance(session_id: int):
    session = services.get_session(session_id)
    require(actor(), "attendance.mark", session)
    body = json_body()
    records = body.get("records")
    if not isinstance(records, list):
        raise ValidationError("records must be a list of {enrolment, status}.", field="records")
    updated = services.set_records(session, records, actor=actor(), source="manual")
    db.session.commit()
    return {"updated": updated}


@bp.post("/sessions/<int:session_id>/attendance/import")
def import_attendance(session_id: int):
    session = services.get_session(session_id)
    require(actor(), "attendance.mark", session)
    min_minutes = services.validate_min_minutes(request.args.get("min_minutes"))
    if request.content_length and request.content_length > reports.MAX_BYTES + 64 * 1024:
        raise ValidationError("The report is too large (at most 5 MB).", code="too_large",
                              status=413)
    if request.files:
        upload = next(iter(request.files.values()))
        data, filename = upload.read(), upload.filename or "report.csv"
    else:
        mimetype = request.mimetype or ""
        if mimetype not in ("text/csv", "text/plain", "text/tab-separated-values",
                            "application/octet-stream", "application/vnd.ms-excel"):
            raise ValidationError("Send the report as text/csv.", code="unsupported_media_type",
                                  status=415)
        data = request.get_data()
        filename = request.args.get("filename") or "api-upload.csv"
    result = services.import_report(session, data, actor=actor(), filename=filename,
                                    min_minutes=min_minutes)
    db.session.commit()
    return result


@bp.get("/trainings/<int:training_id>/attendance")
def training_attendance(training_id: int):
    training = services.get_training(training_id)
    require(actor(), "attendance.matrix", training)
    return services.matrix_json(services.matrix(training))
