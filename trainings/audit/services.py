"""Recording and reading the staff audit.

``record(training_id, actor, action, obj, details)`` adds a row to the caller's session
(flushed with the change; the caller commits once, so the entry and the change are one
transaction). ``obj`` is a model instance (its table name and id) or a ``(type, id)`` pair.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..db import utcnow
from ..extensions import db
from .models import AuditEntry

PER_PAGE = 50

#: Labels of the actions, for the page (the API answers the action's code).
ACTIONS = {
    "training.updated": _l("Training settings changed"),
    "staff.added": _l("Staff member added"),
    "staff.removed": _l("Staff member removed"),
    "session.created": _l("Session created"),
    "session.updated": _l("Session changed"),
    "session.cancelled": _l("Session cancelled"),
    "session.reinstated": _l("Session reinstated"),
    "enrolment.created": _l("Enrolment added by staff"),
    "enrolment.status_changed": _l("Enrolment decision"),
    "enrolment.imported": _l("Enrolments imported"),
    "enrolment.settings": _l("Enrolment settings changed"),
    "attendance.recorded": _l("Attendance recorded"),
    "attendance.imported": _l("Meeting report imported"),
    "attendance.settings": _l("Attendance settings changed"),
    "attendance.row_dismissed": _l("Unmatched report row dismissed"),
    "attendance.import_undone": _l("Meeting report import undone"),
    "certificate.issued": _l("Certificate issued"),
    "certificate.revoked": _l("Certificate revoked"),
    "certificate.reissued": _l("Certificate re-issued"),
    "certificate.settings": _l("Certificate settings changed"),
    "export.downloaded": _l("Personal data exported"),
    "person.erased": _l("Person erased"),
    "retention.erased": _l("Personal data erased after the retention period"),
    "module.moved": _l("Session moved to another module version"),
}


def _object(obj) -> tuple[str | None, int | None]:
    if obj is None:
        return None, None
    if isinstance(obj, tuple):
        return obj[0], obj[1]
    return obj.__table__.name.removesuffix("s") if hasattr(obj, "__table__") else str(obj), \
        getattr(obj, "id", None)


def record(training_id: int | None, actor, action: str, obj=None, details: dict | None = None
           ) -> AuditEntry | None:
    """Append one entry (nothing without a training). Flushed with the caller's change."""
    if training_id is None:
        return None
    object_type, object_id = _object(obj)
    entry = AuditEntry(training_id=training_id, actor_id=getattr(actor, "id", None), action=action,
                       object_type=object_type, object_id=object_id, details=details or {},
                       at=utcnow())
    db.session.add(entry)
    return entry


@dataclass
class Page:
    items: list[dict]
    page: int
    pages: int
    total: int


def entries(training_id: int, *, page: int = 1, per_page: int = PER_PAGE) -> Page:
    """Newest first, paginated; each ``{"at", "actor", "action", "object", "details"}``."""
    total = db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.training_id == training_id)) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    users = AuditEntry.metadata.tables["users"]  # by name: this area imports no other
    rows = db.session.execute(
        select(AuditEntry, users.c.name)
        .outerjoin(users, users.c.id == AuditEntry.actor_id)
        .where(AuditEntry.training_id == training_id)
        .order_by(AuditEntry.id.desc()).limit(per_page).offset((page - 1) * per_page)).all()
    items = [{"at": entry.at, "actor": {"id": entry.actor_id, "name": name} if entry.actor_id
              else None, "action": entry.action,
              "object": {"type": entry.object_type, "id": entry.object_id}
              if entry.object_type else None,
              "details": entry.details or {}} for entry, name in rows]
    return Page(items, page, pages, total)


def label(action: str) -> str:
    return str(ACTIONS.get(action, action))


def exported(training_id: int, actor, what: str, rows: int, file_format: str) -> None:
    """A download of personal data (CSV, XLSX, PDFs): who exported what, committed now
    (a download changes nothing else, so the entry is the request's only write)."""
    record(training_id, actor, "export.downloaded", ("training", training_id),
           {"what": what, "rows": rows, "format": file_format})
    db.session.commit()
