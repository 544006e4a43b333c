"""Attendance: roll call, meeting-report import, matrix, rates, rules and exports.

Services take models or plain values and an ``actor``; they raise DomainErrors, flush,
and leave the commit to the caller. Every change of a record appends an
:class:`AttendanceChange` in the same transaction.
"""
from __future__ import annotations

import math
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, literal, select
from sqlalchemy.orm import aliased

from ..auth.models import User
from ..db import utcnow
from ..enrolment.models import Enrolment
from ..errors import NotFound, ValidationError
from ..extensions import db
from ..scheduling import services as scheduling_services
from ..scheduling.models import Training, TrainingSession
from ..timezones import to_zone
from . import eligibility, reports
from .models import STATUSES, AttendanceChange, AttendanceImport, AttendanceRecord

NOTE_MAX = 500
IMPORT_TTL = timedelta(days=2)


# ---------------------------------------------------------------- loading

def get_session(session_id: int) -> TrainingSession:
    return scheduling_services.load_session(session_id)


def get_training(training_id: int) -> Training:
    return scheduling_services.load_training(training_id)


def session_number(session: TrainingSession) -> int:
    earlier = db.session.scalar(
        select(func.count()).select_from(TrainingSession).where(
            TrainingSession.training_id == session.training_id,
            (TrainingSession.starts_at < session.starts_at)
            | ((TrainingSession.starts_at == session.starts_at) & (TrainingSession.id < session.id))))
    return int(earlier or 0) + 1


def _accepted_ids(training_id: int) -> set[int]:
    return set(db.session.scalars(select(Enrolment.id).where(
        Enrolment.training_id == training_id, Enrolment.status == "accepted")))


# ---------------------------------------------------------------- marking

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
    allowed = _accepted_ids(session.training_id)
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
    ids = sorted(_accepted_ids(session.training_id) - marked)
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


# ---------------------------------------------------------------- intervals and thresholds

def merge_intervals(intervals):
    """Overlapping or touching (start, end) intervals merged, in order."""
    merged: list[list[datetime]] = []
    for start, end in sorted((s, e) for s, e in intervals if s is not None and e is not None):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def minutes_of(rows: list[reports.ReportRow]) -> float:
    """Minutes in the meeting: merged intervals; rows without times add their minutes."""
    timed = [(r.join, r.leave) for r in rows if r.join is not None and r.leave is not None]
    total = sum((e - s).total_seconds() for s, e in merge_intervals(timed)) / 60
    untimed = {(r.join, r.minutes, r.name, r.email) for r in rows
               if r.join is None or r.leave is None}  # a duplicated row counts once
    total += sum(minutes or 0 for _join, minutes, _name, _email in untimed)
    return total


def threshold_minutes(session: TrainingSession, min_minutes: int | None = None) -> int:
    if min_minutes is not None:
        return int(min_minutes)
    percent = session.training.attendance_threshold_percent
    return max(1, math.ceil(session.duration_minutes * percent / 100))


def status_for(session: TrainingSession, minutes: float, first_join: datetime | None,
               threshold: int) -> str:
    if minutes + 1e-9 < threshold:
        return "absent"
    late_after = timedelta(minutes=session.training.late_after_minutes)
    if first_join is not None and first_join > session.starts_at + late_after:
        return "late"
    return "present"


def validate_min_minutes(value) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = -1
    if not 1 <= number <= 24 * 60:
        raise ValidationError(_l("min_minutes must be a whole number of minutes from 1 to 1440."),
                              field="min_minutes")
    return number


# ---------------------------------------------------------------- report import

@dataclass
class Person:
    key: str
    name: str
    email: str
    minutes: int
    first_join: datetime | None
    rows: int
    enrolment: int | None = None
    enrolment_name: str = ""
    matched_by: str | None = None  # email, name, manual
    status: str = "absent"
    current: str | None = None


@dataclass
class Analysis:
    platform: str
    filename: str
    threshold: int
    matched: list[Person] = field(default_factory=list)
    unmatched: list[Person] = field(default_factory=list)
    missing: list[dict] = field(default_factory=list)  # accepted participants not in the report
    changes: list[Change] = field(default_factory=list)

    @property
    def present(self) -> int:
        return sum(1 for c in self.changes if c.status in ("present", "late"))

    @property
    def absent(self) -> int:
        return sum(1 for c in self.changes if c.status == "absent")

    @property
    def changed(self) -> list[Person]:
        return [p for p in self.matched if p.status != p.current]


def _row_key(row: reports.ReportRow) -> str:
    if row.email:
        return "email:" + row.email.strip().lower()
    return "name:" + (reports.normalise_name(row.name) or row.name.strip().casefold())


def analyse(session: TrainingSession, rows: list[reports.ReportRow], *, platform: str,
            filename: str = "", min_minutes: int | None = None,
            manual: dict[str, int] | None = None) -> Analysis:
    """What applying these report rows would do (no writes)."""
    enrolments = db.session.execute(
        select(Enrolment.id, Enrolment.name, Enrolment.email).where(
            Enrolment.training_id == session.training_id, Enrolment.status == "accepted")).all()
    current = dict(db.session.execute(select(AttendanceRecord.enrolment_id, AttendanceRecord.status)
                                      .where(AttendanceRecord.session_id == session.id)).all())
    names = {eid: name for eid, name, _email in enrolments}
    by_email = {email.lower(): eid for eid, _name, email in enrolments}
    by_name: dict[str, list[int]] = {}
    by_tokens: dict[str, list[int]] = {}
    for eid, name, _email in enrolments:
        normal = reports.normalise_name(name)
        by_name.setdefault(normal, []).append(eid)
        by_tokens.setdefault(" ".join(sorted(normal.split())), []).append(eid)

    def match(row):
        if row.email and row.email.strip().lower() in by_email:
            return by_email[row.email.strip().lower()], "email"
        for variant in reports.name_variants(row.name):
            normal = reports.normalise_name(variant)
            for index in (by_name, by_tokens):
                probe = normal if index is by_name else " ".join(sorted(normal.split()))
                if probe and len(index.get(probe, [])) == 1:
                    return index[probe][0], "name"
        return None, None

    manual = {k: v for k, v in (manual or {}).items() if v in names}
    groups: dict[str, dict] = {}
    for row in rows:
        key = _row_key(row)
        eid, how = match(row)
        if eid is None and key in manual:
            eid, how = manual[key], "manual"
        group_key = f"enrolment:{eid}" if eid is not None else key
        group = groups.setdefault(group_key, {"rows": [], "enrolment": eid, "how": how, "key": key})
        group["rows"].append(row)
        if how == "email":
            group["how"] = "email"
    threshold = threshold_minutes(session, min_minutes)
    analysis = Analysis(platform=platform, filename=filename, threshold=threshold)
    for group in groups.values():
        group_rows = group["rows"]
        joins = [r.join for r in group_rows if r.join is not None]
        first = min(joins) if joins else None
        minutes = minutes_of(group_rows)
        named = next((r for r in group_rows if r.email), group_rows[0])
        person = Person(key=group["key"], name=named.name, email=named.email,
                        minutes=int(round(minutes)), first_join=first, rows=len(group_rows))
        person.status = status_for(session, minutes, first, threshold)
        if group["enrolment"] is None:
            analysis.unmatched.append(person)
            continue
        person.enrolment, person.matched_by = group["enrolment"], group["how"]
        person.enrolment_name = names[person.enrolment]
        person.current = current.get(person.enrolment)
        if person.status == "absent" and person.current == "excused":
            person.status = "excused"
        analysis.matched.append(person)
    seen = {p.enrolment for p in analysis.matched}
    for eid, name, email in enrolments:
        if eid not in seen:
            status = "excused" if current.get(eid) == "excused" else "absent"
            analysis.missing.append({"enrolment": eid, "name": name, "email": email,
                                     "current": current.get(eid), "status": status})
    analysis.matched.sort(key=lambda p: p.enrolment_name.casefold())
    analysis.unmatched.sort(key=lambda p: (-p.minutes, p.name.casefold()))
    analysis.missing.sort(key=lambda m: m["name"].casefold())
    analysis.changes = (
        [Change(enrolment=p.enrolment, status=p.status, minutes=p.minutes, keep_excused=True)
         for p in analysis.matched]
        + [Change(enrolment=m["enrolment"], status="absent", minutes=0, keep_excused=True)
           for m in analysis.missing])
    return analysis


SESSION_MARGIN = timedelta(hours=3)


def parse_upload(session: TrainingSession, data: bytes) -> reports.Report:
    """Parse a report for this session; refuse one whose times lie outside the session."""
    zone = session.training.timezone
    local_date = to_zone(session.starts_at, zone).date()
    report = reports.parse_report(data, zone=zone, session_date=local_date)
    joins = [r.join for r in report.rows if r.join is not None]
    leaves = [r.leave or r.join for r in report.rows if r.join is not None]
    if joins and (max(leaves) < session.starts_at - SESSION_MARGIN
                  or min(joins) > session.ends_at + SESSION_MARGIN):
        from ..timezones import format_datetime
        raise reports.ReportError(
            _l("The report's times (from %(first)s) do not overlap this session (%(session)s). "
               "Is it the report of another session?",
               first=format_datetime(min(joins), zone), session=format_datetime(session.starts_at, zone)),
            field="report", code="report_for_another_session")
    return report


def source_label(platform: str, filename: str) -> str:
    name = (filename or "report").replace("\\", "/").rsplit("/", 1)[-1]
    return f"import:{platform}:{name}"[:100]


def apply_analysis(session: TrainingSession, analysis: Analysis, *, actor) -> dict:
    if analysis.changes:
        set_records(session, analysis.changes, actor=actor,
                    source=source_label(analysis.platform, analysis.filename))
    return {"present": analysis.present, "absent": analysis.absent,
            "unmatched": [{"name": p.name, "email": p.email or None, "minutes": p.minutes}
                          for p in analysis.unmatched]}


def import_report(session: TrainingSession, data: bytes, *, actor, filename: str = "",
                  min_minutes: int | None = None) -> dict:
    """Parse, match and apply a report in one step (the API). Idempotent."""
    report = parse_upload(session, data)
    analysis = analyse(session, report.rows, platform=report.platform, filename=filename,
                       min_minutes=min_minutes)
    return apply_analysis(session, analysis, actor=actor)


def stage_import(session: TrainingSession, data: bytes, *, actor, filename: str = "") -> AttendanceImport:
    """Parse an upload and keep it server-side for the preview; a wrong file writes nothing."""
    report = parse_upload(session, data)
    db.session.execute(delete(AttendanceImport).where(AttendanceImport.created_at < utcnow() - IMPORT_TTL))
    staged = AttendanceImport(token=secrets.token_urlsafe(24), session_id=session.id,
                              created_by_id=actor.id if actor is not None else None,
                              filename=(filename or "report")[-200:], platform=report.platform,
                              rows=[r.to_dict() for r in report.rows])
    db.session.add(staged)
    db.session.flush()
    return staged


def get_staged(session: TrainingSession, token: str, *, actor) -> AttendanceImport:
    staged = db.session.scalar(select(AttendanceImport).where(
        AttendanceImport.token == (token or ""), AttendanceImport.session_id == session.id))
    if staged is None or (actor is not None and staged.created_by_id not in (None, actor.id)):
        raise NotFound(_l("This upload has expired. Please upload the report again."))
    return staged


def analyse_staged(session, staged: AttendanceImport, *, min_minutes=None, manual=None) -> Analysis:
    rows = [reports.ReportRow.from_dict(r) for r in staged.rows]
    return analyse(session, rows, platform=staged.platform, filename=staged.filename,
                   min_minutes=min_minutes, manual=manual)


def apply_staged(session, staged: AttendanceImport, *, actor, min_minutes=None, manual=None) -> dict:
    result = apply_analysis(session, analyse_staged(session, staged, min_minutes=min_minutes,
                                                    manual=manual), actor=actor)
    staged.applied_at = utcnow()
    db.session.flush()
    return result


# ---------------------------------------------------------------- matrix

@dataclass
class MatrixSession:
    id: int
    number: int
    title_id: str
    title_en: str
    starts_at: datetime
    cancelled: bool
    attended: int = 0
    rate: float | None = None


@dataclass(slots=True)
class MatrixRow:
    enrolment: int
    name: str
    email: str
    country: str
    statuses: list
    attended: int = 0
    rate: float | None = None
    progress: eligibility.Progress | None = None

    @property
    def eligible(self) -> bool:
        return bool(self.progress and self.progress.eligible)


@dataclass
class Matrix:
    training: Training
    sessions: list[MatrixSession]
    rows: list[MatrixRow]
    countries: list[dict]
    all_countries: list[str]
    held: int  # sessions not cancelled (the certificate rule counts these)
    rate: float | None
    eligible: int
    past: int = 0  # sessions not cancelled that have started: rates are over these


def matrix(training: Training, *, country: str | None = None, with_email: bool = False) -> Matrix:
    """Participants × sessions from two queries: the sessions, and one joined plain-rows query.

    Counts, rates and eligibility are computed while the rows stream in (no per-row queries).
    """
    sessions = [MatrixSession(id=s.id, number=n, title_id=s.title_id, title_en=s.title_en,
                              starts_at=s.starts_at, cancelled=s.status == "cancelled")
                for n, s in enumerate(db.session.execute(
                    select(TrainingSession.id, TrainingSession.title_id, TrainingSession.title_en,
                           TrainingSession.starts_at, TrainingSession.status)
                    .where(TrainingSession.training_id == training.id)
                    .order_by(TrainingSession.starts_at, TrainingSession.id)).all(), start=1)]
    held_position = {s.id: i for i, s in enumerate(sessions) if not s.cancelled}
    position = {s.id: i for i, s in enumerate(sessions)}
    held = len(held_position)
    now = utcnow()
    taken_place = {s.id for s in sessions if not s.cancelled and s.starts_at <= now}
    past = len(taken_place)
    rule = training.certificate_rule or {}
    counting = frozenset(eligibility.counting_statuses(rule))
    attended_statuses = frozenset(eligibility.ATTENDED)
    mandatory = tuple(s for s in rule.get("mandatory_sessions") or [] if s in held_position)
    mandatory_set = frozenset(mandatory)
    required = eligibility.required_sessions(rule, held)
    wanted = country.upper() if country else None
    email_column = Enrolment.email if with_email else literal("")  # exports only: less to fetch
    query = (select(Enrolment.id, Enrolment.name, email_column, Enrolment.country_code,
                    AttendanceRecord.session_id, AttendanceRecord.status)
             .outerjoin(AttendanceRecord, AttendanceRecord.enrolment_id == Enrolment.id)
             .where(Enrolment.training_id == training.id, Enrolment.status == "accepted"))
    rows: dict[int, MatrixRow] = {}
    counted: dict[int, int] = {}
    mandatory_done: dict[int, set] = {}
    per_session = [0] * len(sessions)
    width = len(sessions)
    all_countries: set[str] = set()
    # per session id: (column, held, mandatory); per status: (attended, counting)
    columns = {sid: (i, sid in held_position, sid in mandatory_set) for sid, i in position.items()}
    flags = {st: (st in attended_statuses, st in counting) for st in STATUSES}
    for eid, name, email, code, session_id, status in db.session.execute(query).all():
        row = rows.get(eid)
        if row is None:
            all_countries.add(code)
            if wanted is not None and code != wanted:
                continue
            row = rows[eid] = MatrixRow(eid, name, email, code, [None] * width)
            counted[eid] = 0
        column = columns.get(session_id)
        if column is None:
            continue
        index, is_held, is_mandatory = column
        row.statuses[index] = status
        if is_held:
            attended, counts = flags[status]
            if attended:
                row.attended += 1
                per_session[index] += 1
            if counts:
                counted[eid] += 1
                if is_mandatory:
                    mandatory_done.setdefault(eid, set()).add(session_id)
    result = [r for r in rows.values() if r is not None]
    result.sort(key=lambda r: (r.name.casefold(), r.enrolment))
    empty: set = set()
    eligible = 0
    by_country: dict[str, dict] = {}
    for row in result:
        done = mandatory_done.get(row.enrolment, empty)
        row.progress = eligibility.Progress(
            attended=counted[row.enrolment], held=held, required=required,
            missing_mandatory=tuple(s for s in mandatory if s not in done))
        row.rate = min(1.0, row.attended / past) if past else None
        entry = by_country.get(row.country)
        if entry is None:
            entry = by_country[row.country] = {"code": row.country, "participants": 0,
                                               "attended": 0, "eligible": 0}
        entry["participants"] += 1
        entry["attended"] += row.attended
        if row.progress.eligible:
            entry["eligible"] += 1
            eligible += 1
    for i, s in enumerate(sessions):
        s.attended = per_session[i]
        s.rate = s.attended / len(result) if result and s.id in taken_place else None
    for entry in by_country.values():
        possible = entry["participants"] * past
        entry["rate"] = min(1.0, entry["attended"] / possible) if possible else None
    possible = len(result) * past
    return Matrix(training=training, sessions=sessions, rows=result,
                  countries=sorted(by_country.values(), key=lambda e: e["code"]),
                  all_countries=sorted(all_countries), held=held,
                  rate=min(1.0, sum(r.attended for r in result) / possible) if possible else None,
                  eligible=eligible, past=past)


def matrix_json(m: Matrix) -> dict:
    return {"sessions": [{"id": s.id, "number": s.number} for s in m.sessions],
            "rows": [{"enrolment": r.enrolment, "name": r.name, "country": r.country,
                      "statuses": list(r.statuses), "attended": r.attended,
                      "eligible": r.eligible} for r in m.rows]}


def export_table(m: Matrix, lang: str = "en") -> tuple[list[str], list[list]]:
    zone = m.training.timezone
    header = ["Name", "Email", "Country"]
    for s in m.sessions:
        day = to_zone(s.starts_at, zone).strftime("%Y-%m-%d")
        header.append(f"S{s.number} {day}" + (" (cancelled)" if s.cancelled else ""))
    header += ["Attended", "Held so far", "Rate %", "Eligible"]
    body = []
    for r in m.rows:
        body.append([r.name, r.email, r.country, *[s or "" for s in r.statuses], r.attended, m.past,
                     round(r.rate * 100) if r.rate is not None else "", r.eligible])
    return header, body


# ---------------------------------------------------------------- rules

def update_settings(training: Training, *, actor, min_sessions=None, min_percent=None,
                    mandatory_sessions=(), excused_counts=False, threshold_percent=60,
                    late_after_minutes=15) -> Training:
    """The certificate rule and the import thresholds of a training."""
    held = {sid for sid, status in db.session.execute(
        select(TrainingSession.id, TrainingSession.status)
        .where(TrainingSession.training_id == training.id))}
    rule = eligibility.validate_rule({
        "min_sessions": min_sessions, "min_percent": min_percent,
        "mandatory_sessions": list(mandatory_sessions or []),
        "excused_counts": bool(excused_counts)})
    foreign = [s for s in rule.get("mandatory_sessions", []) if s not in held]
    if foreign:
        raise ValidationError(_l("Mandatory sessions must be sessions of this training."),
                              field="mandatory_sessions")
    if min_sessions is not None and min_sessions > len(held):
        raise ValidationError(_l("The training has only %(n)s sessions.", n=len(held)),
                              field="min_sessions")
    if not isinstance(threshold_percent, int) or not 1 <= threshold_percent <= 100:
        raise ValidationError(_l("The threshold must be from 1 to 100 percent."),
                              field="threshold_percent")
    if not isinstance(late_after_minutes, int) or not 0 <= late_after_minutes <= 600:
        raise ValidationError(_l("Late after must be from 0 to 600 minutes."),
                              field="late_after_minutes")
    training.certificate_rule = rule
    training.attendance_threshold_percent = threshold_percent
    training.late_after_minutes = late_after_minutes
    db.session.flush()
    return training


# ---------------------------------------------------------------- a participant's own record

@dataclass
class OwnAttendance:
    sessions: list[tuple[int, TrainingSession, str | None]]  # (number, session, status)
    progress: eligibility.Progress


def own_attendance(enrolment) -> OwnAttendance:
    """One participant's statuses per session and certificate progress (for My schedule).

    Check ``policy.require(actor, "attendance.view_own", enrolment)`` before showing it.
    """
    training = enrolment.training
    statuses = dict(db.session.execute(
        select(AttendanceRecord.session_id, AttendanceRecord.status)
        .where(AttendanceRecord.enrolment_id == enrolment.id)).all())
    sessions = list(db.session.scalars(
        select(TrainingSession).where(TrainingSession.training_id == training.id)
        .order_by(TrainingSession.starts_at, TrainingSession.id)))
    rule = training.certificate_rule or {}
    held = {s.id for s in sessions if not s.is_cancelled}
    counting = eligibility.counting_statuses(rule)
    progress = eligibility.progress_of(rule, held, {sid for sid, st in statuses.items()
                                                    if st in counting})
    return OwnAttendance(sessions=[(n, s, statuses.get(s.id)) for n, s in enumerate(sessions, 1)],
                         progress=progress)
