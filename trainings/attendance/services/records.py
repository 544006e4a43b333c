"""Roll call and records: setting statuses and notes one record at a time, each change
appended to the audit table (:class:`AttendanceChange`) in the same transaction."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import aliased

from ...auth.models import User
from ...db import utcnow
from ...enrolment.models import Enrolment
from ...errors import ValidationError
from ...extensions import db
from ...scheduling.models import TrainingSession
from .. import reports
from ..models import STATUSES, AttendanceChange, AttendanceRecord
from .loading import accepted_ids

NOTE_MAX = 500
# the roll call opens this long before a session starts; before that only an excused
# absence (announced in advance) can be recorded
OPENS_BEFORE = timedelta(minutes=30)


def roll_call_open(session: TrainingSession, now: datetime | None = None) -> bool:
    return (now or utcnow()) >= session.starts_at - OPENS_BEFORE


@dataclass
class Change:
    enrolment: int
    status: str | None = None
    note: str | None = None
    minutes: int | None = None
    keep_excused: bool = False  # an import never turns an excused absence into "absent"


def _clean_changes(records) -> list[Change]:
    """Validate ``[{"enrolment", "status", "note"?}]`` (dicts or Change); 422 names each bad row."""
    details = []
    changes: list[Change] = []
    seen = set()
    if not isinstance(records, list) or not records:
        raise ValidationError(_l("Give at least one record."), field="records")
    for index, raw in enumerate(records):
        change = raw if isinstance(raw, Change) else None
        if change is None:
            if not isinstance(raw, dict):
                details.append({"field": "records", "row": index,
                                "message": str(_l("Each record must be an object."))})
                continue
            enrolment = raw.get("enrolment")
            status = raw.get("status")
            note = raw.get("note")
            if status is not None and status not in STATUSES:
                status = str(status)  # refused below with the row's number
            if isinstance(enrolment, bool) or not isinstance(enrolment, int):
                details.append({"field": "enrolment", "row": index,
                                "message": str(_l("The enrolment must be an id."))})
                continue
            if note is not None and not isinstance(note, str):
                details.append({"field": "note", "row": index,
                                "message": str(_l("The note must be text."))})
                continue
            change = Change(enrolment=enrolment, status=status,
                            note=note.strip() if note is not None else None)
        if change.status is not None and change.status not in STATUSES:
            details.append({"field": "status", "row": index,
                            "message": str(_l("Unknown status: %(status)s. Use present, late, "
                                              "absent or excused.", status=str(change.status)[:20]))})
            continue
        if change.status is None and change.note is None and change.minutes is None:
            details.append({"field": "status", "row": index,
                            "message": str(_l("Give a status or a note."))})
            continue
        if change.note is not None and len(change.note) > NOTE_MAX:
            details.append({"field": "note", "row": index,
                            "message": str(_l("The note is too long (at most %(n)s characters).",
                                              n=NOTE_MAX))})
            continue
        if change.enrolment in seen:
            details.append({"field": "enrolment", "row": index,
                            "message": str(_l("The same participant is listed twice."))})
            continue
        seen.add(change.enrolment)
        changes.append(change)
    if details:
        raise ValidationError(_l("Some attendance records are not valid."), field="records",
                              details=details)
    return changes


def _insert_if_absent(values: dict) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING; True when this transaction created the row."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = (insert(AttendanceRecord).values(**values)
                 .on_conflict_do_nothing(index_elements=["session_id", "enrolment_id"])
                 .returning(AttendanceRecord.id))
    return db.session.execute(statement).scalar() is not None


def set_records(session: TrainingSession, records, *, actor, source: str = "manual") -> int:
    """Set attendance records of a session, one record at a time; the number changed.

    Only accepted enrolments of the session's training. A record not mentioned is not
    touched, so two facilitators marking different people never overwrite each other.
    Unchanged values write nothing (no audit row), so repeating a call changes nothing.
    """
    if session.is_cancelled:
        raise ValidationError(_l("This session was cancelled; attendance cannot be recorded."),
                              field="session", code="session_cancelled")
    changes = _clean_changes(records)
    if not roll_call_open(session) and any(c.status not in (None, "excused") for c in changes):
        raise ValidationError(_l("The roll call opens 30 minutes before the session starts; "
                                 "until then only an excused absence can be recorded."),
                              field="status", code="session_not_started")
    allowed = accepted_ids(session.training_id)
    unknown = [{"field": "enrolment", "row": i,
                "message": str(_l("%(id)s is not an accepted participant of this training.",
                                  id=c.enrolment))}
               for i, c in enumerate(changes) if c.enrolment not in allowed]
    if unknown:
        raise ValidationError(_l("Some records are not for accepted participants of this training."),
                              field="enrolment", details=unknown)
    existing = {r.enrolment_id: r for r in db.session.scalars(
        select(AttendanceRecord).where(
            AttendanceRecord.session_id == session.id,
            AttendanceRecord.enrolment_id.in_([c.enrolment for c in changes])).with_for_update())}
    unmarked = [{"field": "status", "row": i,
                 "message": str(_l("Choose a status before writing a note."))}
                for i, c in enumerate(changes) if c.status is None and c.enrolment not in existing]
    if unmarked:
        raise ValidationError(_l("Choose a status before writing a note."), field="status",
                              details=unmarked)
    actor_id = actor.id if actor is not None else None
    now = utcnow()
    changed = 0
    for change in changes:
        record = existing.get(change.enrolment)
        if record is None:
            status = change.status or "absent"  # a row created meanwhile by someone else
            created = _insert_if_absent({
                "session_id": session.id, "enrolment_id": change.enrolment, "status": status,
                "note": change.note or "", "minutes": change.minutes, "updated_at": now,
                "updated_by_id": actor_id})
            if created:
                db.session.add(AttendanceChange(
                    session_id=session.id, enrolment_id=change.enrolment, old_status=None,
                    new_status=status, old_note=None, new_note=change.note or "",
                    old_minutes=None, new_minutes=change.minutes, source=source,
                    changed_by_id=actor_id, changed_at=now))
                changed += 1
                continue
            # somebody else created it a moment ago: change their row like any other
            record = db.session.scalar(select(AttendanceRecord).where(
                AttendanceRecord.session_id == session.id,
                AttendanceRecord.enrolment_id == change.enrolment).with_for_update())
        new_status = change.status if change.status is not None else record.status
        if change.keep_excused and record.status == "excused" and new_status == "absent":
            new_status = "excused"
        new_note = change.note if change.note is not None else record.note
        new_minutes = change.minutes if change.minutes is not None else record.minutes
        if (new_status, new_note or "", new_minutes) == (record.status, record.note or "",
                                                         record.minutes):
            continue
        db.session.add(AttendanceChange(
            session_id=session.id, enrolment_id=record.enrolment_id, old_status=record.status,
            new_status=new_status, old_note=record.note, new_note=new_note,
            old_minutes=record.minutes, new_minutes=new_minutes, source=source,
            changed_by_id=actor_id, changed_at=now))
        record.status, record.note, record.minutes = new_status, new_note or "", new_minutes
        record.updated_at, record.updated_by_id = now, actor_id
        changed += 1
    db.session.flush()
    return changed


def mark_all_present(session: TrainingSession, *, actor) -> int:
    """Mark every accepted participant who has no status yet as present (others keep theirs)."""
    marked = set(db.session.scalars(select(AttendanceRecord.enrolment_id).where(
        AttendanceRecord.session_id == session.id)))
    ids = sorted(accepted_ids(session.training_id) - marked)
    if not ids:
        return 0
    return set_records(session, [Change(enrolment=i, status="present") for i in ids], actor=actor)


@dataclass
class RollRow:
    enrolment: int
    name: str
    email: str
    country: str
    status: str | None
    note: str
    minutes: int | None
    updated_at: datetime | None
    updated_by: str | None


def roll_call(session: TrainingSession) -> list[RollRow]:
    """Accepted participants with their record for this session: one joined query."""
    editor = aliased(User)
    rows = db.session.execute(
        select(Enrolment.id, Enrolment.name, Enrolment.email, Enrolment.country_code,
               AttendanceRecord.status, AttendanceRecord.note, AttendanceRecord.minutes,
               AttendanceRecord.updated_at, editor.name)
        .outerjoin(AttendanceRecord, (AttendanceRecord.enrolment_id == Enrolment.id)
                   & (AttendanceRecord.session_id == session.id))
        .outerjoin(editor, editor.id == AttendanceRecord.updated_by_id)
        .where(Enrolment.training_id == session.training_id, Enrolment.status == "accepted"))
    result = [RollRow(eid, name, email, country, status, note or "", minutes, updated_at, by)
              for eid, name, email, country, status, note, minutes, updated_at, by in rows]
    result.sort(key=lambda r: (reports.normalise_name(r.name) or r.name.casefold(), r.enrolment))
    return result


@dataclass
class AuditRow:
    changed_at: datetime
    name: str
    old_status: str | None
    new_status: str | None
    old_note: str | None
    new_note: str | None
    old_minutes: int | None
    new_minutes: int | None
    source: str
    changed_by: str | None


def audit_trail(session: TrainingSession, limit: int = 2000) -> list[AuditRow]:
    rows = db.session.execute(
        select(AttendanceChange.changed_at, Enrolment.name, AttendanceChange.old_status,
               AttendanceChange.new_status, AttendanceChange.old_note, AttendanceChange.new_note,
               AttendanceChange.old_minutes, AttendanceChange.new_minutes, AttendanceChange.source,
               User.name)
        .join(Enrolment, Enrolment.id == AttendanceChange.enrolment_id)
        .outerjoin(User, User.id == AttendanceChange.changed_by_id)
        .where(AttendanceChange.session_id == session.id)
        .order_by(AttendanceChange.changed_at.desc(), AttendanceChange.id.desc()).limit(limit))
    return [AuditRow(*row) for row in rows]
