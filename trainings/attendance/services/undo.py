"""Undoing an applied meeting report: every record the import changed goes back to what it
was before (or is removed when the import created it), each as a new audited change; a
record someone changed after the import is kept as it is and listed. Once per import."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ...audit.models import AuditEntry
from ...audit.services import record as audit
from ...auth.models import User
from ...db import begin_write, utcnow
from ...enrolment.models import Enrolment
from ...errors import ValidationError
from ...extensions import db
from ...scheduling.models import TrainingSession
from ..models import AttendanceChange, AttendanceImport, AttendanceRecord

UNDONE = "attendance.import_undone"  # the audit action, also the "undone once" mark


def import_source(staged: AttendanceImport) -> str:
    """The audit source of the changes an applied import made: ``import:<platform>:<file>#<id>``
    (it still starts with ``import:``, so a later import may lower what this one set)."""
    suffix = f"#{staged.id}"
    name = (staged.filename or "report").replace("\\", "/").rsplit("/", 1)[-1]
    return f"import:{staged.platform}:{name}"[:100 - len(suffix)] + suffix


def undo_source(staged: AttendanceImport) -> str:
    return f"undo:import:{staged.id}"


def is_undone(staged: AttendanceImport) -> bool:
    return db.session.scalar(select(AuditEntry.id).where(
        AuditEntry.action == UNDONE, AuditEntry.object_type == "attendance_import",
        AuditEntry.object_id == staged.id, AuditEntry.at >= staged.created_at).limit(1)) is not None


@dataclass
class UndoItem:
    enrolment: int
    name: str
    current: str | None
    status: str | None  # what it goes back to; None: the record is removed
    minutes: int | None
    kept_by: str | None = None  # changed since by this person: kept as it is
    kept: bool = False


def undo_plan(session: TrainingSession, staged: AttendanceImport) -> list[UndoItem]:
    """What undoing the import would do, per participant it changed (no writes)."""
    source = import_source(staged)
    rows = db.session.execute(
        select(AttendanceChange, Enrolment.name, User.name)
        .join(Enrolment, Enrolment.id == AttendanceChange.enrolment_id)
        .outerjoin(User, User.id == AttendanceChange.changed_by_id)
        .where(AttendanceChange.session_id == session.id,
               AttendanceChange.changed_at >= staged.created_at)
        .order_by(AttendanceChange.changed_at, AttendanceChange.id)).all()
    current = dict(db.session.execute(select(AttendanceRecord.enrolment_id, AttendanceRecord.status)
                                      .where(AttendanceRecord.session_id == session.id)).all())
    items: dict[int, UndoItem] = {}
    for change, name, by in rows:
        item = items.get(change.enrolment_id)
        if item is None:
            if change.source == source:
                items[change.enrolment_id] = UndoItem(
                    enrolment=change.enrolment_id, name=name,
                    current=current.get(change.enrolment_id),
                    status=change.old_status, minutes=change.old_minutes)
        elif change.source != source:
            item.kept, item.kept_by = True, by or str(_l("someone"))
    return sorted(items.values(), key=lambda i: (i.kept, i.name.casefold()))


def undo_import(session: TrainingSession, staged: AttendanceImport, *, actor) -> dict:
    """Undo an applied import once: ``{"restored", "removed", "kept": [{"name", "by"}]}``."""
    begin_write(db.session)
    db.session.refresh(staged, with_for_update=True)  # two undos at once: the second is refused
    if is_undone(staged):
        raise ValidationError(_l("This import was already undone."), field="import",
                              code="import_undone")
    records = {r.enrolment_id: r for r in db.session.scalars(
        select(AttendanceRecord).where(AttendanceRecord.session_id == session.id)
        .with_for_update().execution_options(populate_existing=True))}
    plan = undo_plan(session, staged)
    actor_id, now, source = getattr(actor, "id", None), utcnow(), undo_source(staged)
    restored = removed = 0
    for item in plan:
        record = records.get(item.enrolment)
        if item.kept or record is None:
            continue
        if (item.status, item.minutes) == (record.status, record.minutes):
            continue
        db.session.add(AttendanceChange(
            session_id=session.id, enrolment_id=item.enrolment, old_status=record.status,
            new_status=item.status, old_note=record.note,
            new_note=record.note if item.status is not None else None,
            old_minutes=record.minutes, new_minutes=item.minutes, source=source,
            changed_by_id=actor_id, changed_at=now))
        if item.status is None:
            db.session.delete(record)
            removed += 1
        else:
            record.status, record.minutes = item.status, item.minutes
            record.updated_at, record.updated_by_id = now, actor_id
            restored += 1
    kept = [{"name": i.name, "by": i.kept_by} for i in plan if i.kept]
    audit(session.training_id, actor, UNDONE, staged,
          {"session_id": session.id, "file": staged.filename, "restored": restored,
           "removed": removed, "kept": len(kept)})
    db.session.flush()
    return {"restored": restored, "removed": removed, "kept": kept}


def refuse_if_undone(staged: AttendanceImport) -> None:
    if staged.applied_at is not None and is_undone(staged):
        raise ValidationError(_l("This import was undone. Upload the report again to apply it."),
                              field="token", code="import_undone")


def applied_imports(session: TrainingSession, limit: int = 20) -> list[AttendanceImport]:
    """The applied reports of this session that can still be undone, newest first."""
    done = select(AuditEntry.object_id).where(AuditEntry.action == UNDONE,
                                              AuditEntry.object_type == "attendance_import")
    return list(db.session.scalars(select(AttendanceImport).where(
        AttendanceImport.session_id == session.id, AttendanceImport.applied_at.is_not(None),
        AttendanceImport.id.not_in(done)).order_by(AttendanceImport.id.desc()).limit(limit)))
