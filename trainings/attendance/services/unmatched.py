"""Rows of an applied meeting report that matched no participant: recorded when the
report is applied, listed for the session's staff, who match each by hand (the
participant is marked present through the roll call's service, so audited as a change)
or dismiss it (the host, a guest). Either clears it from the organiser's dashboard."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ...audit.services import record as audit
from ...db import begin_write, utcnow
from ...errors import NotFound, ValidationError
from ...extensions import db
from ...scheduling.models import TrainingSession
from ..models import AttendanceImport, AttendanceRecord
from .records import Change, set_records


def record_unmatched(staged: AttendanceImport, people) -> None:
    """Keep the unmatched rows (``Person`` of an analysis) of an import being applied; a
    row already resolved when the same upload was applied before stays resolved."""
    before = {row["key"]: row for row in (staged.unmatched or []) if row.get("resolution")}
    rows = [before.get(p.key) or {
        "key": p.key, "name": p.name, "email": p.email or "", "minutes": p.minutes,
        "status": p.status, "resolution": None} for p in people]
    staged.unmatched = rows
    staged.unmatched_open = sum(1 for row in rows if not row.get("resolution"))


def get_applied(session: TrainingSession, import_id: int) -> AttendanceImport:
    staged = db.session.get(AttendanceImport, import_id)
    if staged is None or staged.session_id != session.id or staged.applied_at is None:
        raise NotFound(_l("This meeting report was not applied to this session."))
    return staged


def get_import(import_id: int) -> AttendanceImport:
    """An applied import by its id alone (the API: the caller then checks its session)."""
    staged = db.session.get(AttendanceImport, import_id)
    if staged is None or staged.applied_at is None:
        raise NotFound(_l("No applied meeting report has this id."))
    return staged


def applied_with_open_rows(session: TrainingSession) -> list[AttendanceImport]:
    """The applied reports of this session with rows nobody resolved yet, newest first."""
    return list(db.session.scalars(select(AttendanceImport).where(
        AttendanceImport.session_id == session.id, AttendanceImport.applied_at.is_not(None),
        AttendanceImport.unmatched_open > 0).order_by(AttendanceImport.id.desc())))


def open_rows(staged: AttendanceImport) -> list[tuple[int, dict]]:
    """(index, row) of the rows nobody resolved yet, in the report's order of minutes."""
    return [(index, row) for index, row in enumerate(staged.unmatched or [])
            if not row.get("resolution")]


def _open_row(staged: AttendanceImport, index: int) -> dict:
    begin_write(db.session)  # two people resolving the same row: the second sees it resolved
    db.session.refresh(staged, with_for_update=True)
    rows = staged.unmatched or []
    if not isinstance(index, int) or not 0 <= index < len(rows):
        raise NotFound(_l("This row is not in the report."))
    if rows[index].get("resolution"):
        raise ValidationError(_l("This row was already resolved."), field="row",
                              code="row_resolved")
    return rows[index]


def _resolve(staged: AttendanceImport, index: int, resolution: str, actor, **extra) -> None:
    rows = [dict(row) for row in staged.unmatched]
    rows[index].update(resolution=resolution, by=getattr(actor, "id", None),
                       at=utcnow().isoformat(), **extra)
    staged.unmatched = rows  # a new list: the JSON column sees the change
    staged.unmatched_open = sum(1 for row in rows if not row.get("resolution"))


def match_row(session: TrainingSession, staged: AttendanceImport, index: int, enrolment,
              *, actor) -> int:
    """The row was this accepted participant: mark them present (late when the report says
    they joined late; a better status already recorded is not lowered). The number of
    records changed: 0 when they were marked so already."""
    row = _open_row(staged, index)
    try:
        enrolment_id = int(enrolment)
    except (TypeError, ValueError):
        enrolment_id = None
    if enrolment_id is None:
        raise ValidationError(_l("Choose the participant this row belongs to."), field="enrolment")
    status = "late" if row.get("status") == "late" else "present"
    current = db.session.scalar(select(AttendanceRecord.status).where(
        AttendanceRecord.session_id == session.id, AttendanceRecord.enrolment_id == enrolment_id))
    if current == "present":
        status = "present"  # never lowered to late by a matched row
    changed = set_records(session, [Change(enrolment=enrolment_id, status=status,
                                           minutes=row.get("minutes"))],
                          actor=actor, source=f"match:{staged.platform}:{staged.filename}"[:100])
    _resolve(staged, index, "matched", actor, enrolment=enrolment_id)
    db.session.flush()
    return changed


def dismiss_row(session: TrainingSession, staged: AttendanceImport, index: int, *, actor) -> None:
    """The row is nobody to mark (the host, a guest): cleared, with an entry in the audit."""
    row = _open_row(staged, index)
    _resolve(staged, index, "dismissed", actor)
    audit(session.training_id, actor, "attendance.row_dismissed", staged,
          {"session_id": session.id, "name": row.get("name", ""), "minutes": row.get("minutes")})
    db.session.flush()
