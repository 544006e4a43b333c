"""The meeting-report import pipeline: parse an upload for a session, match its people to
the accepted participants, turn minutes into statuses, preview (staged) and apply."""
from __future__ import annotations

import math
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, or_, select

from ...db import utcnow
from ...enrolment.models import Enrolment
from ...errors import NotFound, ValidationError
from ...extensions import db
from ...scheduling.models import TrainingSession
from ...timezones import format_datetime, to_zone
from .. import reports
from ..models import AttendanceChange, AttendanceImport, AttendanceRecord
from .records import Change, set_records
from .undo import import_source, is_undone, refuse_if_undone
from .unmatched import record_unmatched

IMPORT_TTL = timedelta(days=2)


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
    kept: bool = False  # set by hand and the report would lower it: left as it is


@dataclass
class Analysis:
    platform: str
    filename: str
    threshold: int
    matched: list[Person] = field(default_factory=list)
    unmatched: list[Person] = field(default_factory=list)
    missing: list[dict] = field(default_factory=list)  # accepted participants not in the report
    changes: list[Change] = field(default_factory=list)
    kept: int = 0  # records set by hand that the report would have lowered

    def _statuses(self) -> list[str | None]:
        return [p.status for p in self.matched] + [m["status"] for m in self.missing]

    @property
    def present(self) -> int:
        return sum(1 for s in self._statuses() if s in ("present", "late"))

    @property
    def absent(self) -> int:
        return sum(1 for s in self._statuses() if s == "absent")

    @property
    def changed(self) -> list[Person]:
        return [p for p in self.matched if p.status != p.current]


# how much of a session a status says someone attended: an import never lowers a
# status staff set by hand (roll call, check-in) unless asked to overwrite
RANK = {"absent": 0, "excused": 1, "late": 2, "present": 3}


def hand_set(session: TrainingSession) -> set[int]:
    """Enrolments whose record was last changed by a person (not by a report import)."""
    last: dict[int, str] = {}
    for enrolment, source in db.session.execute(
            select(AttendanceChange.enrolment_id, AttendanceChange.source)
            .where(AttendanceChange.session_id == session.id)
            .order_by(AttendanceChange.changed_at, AttendanceChange.id)):
        last[enrolment] = source or ""
    return {e for e, source in last.items() if not source.startswith("import:")}


def lowers(current: str | None, new: str) -> bool:
    return current is not None and RANK.get(new, 0) < RANK.get(current, 0)


def _row_key(row: reports.ReportRow) -> str:
    if row.email:
        return "email:" + row.email.strip().lower()
    return "name:" + (reports.normalise_name(row.name) or row.name.strip().casefold())


def analyse(session: TrainingSession, rows: list[reports.ReportRow], *, platform: str,
            filename: str = "", min_minutes: int | None = None,
            manual: dict[str, int] | None = None, overwrite: bool = False) -> Analysis:
    """What applying these report rows would do (no writes). A status set by hand that the
    report would lower is kept (counted in ``kept``) unless ``overwrite``."""
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
    by_hand = hand_set(session) if current else set()
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
        if not overwrite and person.enrolment in by_hand and lowers(person.current, person.status):
            person.status, person.kept = person.current, True
        analysis.matched.append(person)
    seen = {p.enrolment for p in analysis.matched}
    for eid, name, email in enrolments:
        if eid not in seen:
            status = "excused" if current.get(eid) == "excused" else "absent"
            kept = not overwrite and eid in by_hand and lowers(current.get(eid), status)
            analysis.missing.append({"enrolment": eid, "name": name, "email": email,
                                     "current": current.get(eid), "kept": kept,
                                     "status": current.get(eid) if kept else status})
    analysis.matched.sort(key=lambda p: p.enrolment_name.casefold())
    analysis.unmatched.sort(key=lambda p: (-p.minutes, p.name.casefold()))
    analysis.missing.sort(key=lambda m: m["name"].casefold())
    analysis.kept = (sum(1 for p in analysis.matched if p.kept)
                     + sum(1 for m in analysis.missing if m["kept"]))
    analysis.changes = (
        [Change(enrolment=p.enrolment, status=p.status, minutes=p.minutes, keep_excused=True)
         for p in analysis.matched if not p.kept]
        + [Change(enrolment=m["enrolment"], status="absent", minutes=0, keep_excused=True)
           for m in analysis.missing if not m["kept"]])
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
        raise reports.ReportError(
            _l("The report's times (from %(first)s) do not overlap this session (%(session)s). "
               "Is it the report of another session?",
               first=format_datetime(min(joins), zone), session=format_datetime(session.starts_at, zone)),
            field="report", code="report_for_another_session")
    return report


def source_label(platform: str, filename: str) -> str:
    name = (filename or "report").replace("\\", "/").rsplit("/", 1)[-1]
    return f"import:{platform}:{name}"[:100]


def apply_analysis(session: TrainingSession, analysis: Analysis, *, actor,
                   source: str | None = None) -> dict:
    if analysis.changes:
        set_records(session, analysis.changes, actor=actor,
                    source=source or source_label(analysis.platform, analysis.filename))
    return {"present": analysis.present, "absent": analysis.absent, "kept": analysis.kept,
            "unmatched": [{"name": p.name, "email": p.email or None, "minutes": p.minutes}
                          for p in analysis.unmatched]}


def import_report(session: TrainingSession, data: bytes, *, actor, filename: str = "",
                  min_minutes: int | None = None, overwrite: bool = False) -> dict:
    """Parse, match and apply a report in one step (the API). Idempotent."""
    report = parse_upload(session, data)
    analysis = analyse(session, report.rows, platform=report.platform, filename=filename,
                       min_minutes=min_minutes, overwrite=overwrite)
    return apply_one_step(session, analysis, actor=actor)


def apply_one_step(session: TrainingSession, analysis: Analysis, *, actor) -> dict:
    """Apply an analysis uploaded and applied at once (the API, the command line) as an
    applied import: its unmatched rows reach the dashboard and it can be undone. The
    report's rows are not kept (no preview to come back to): only the unmatched ones.
    The result has ``"import"``: the import's id."""
    purge_imports()
    applied = AttendanceImport(token=secrets.token_urlsafe(24), session_id=session.id,
                               created_by_id=getattr(actor, "id", None),
                               filename=(analysis.filename or "report")[-200:],
                               platform=analysis.platform, rows=[])
    db.session.add(applied)
    db.session.flush()
    result = apply_analysis(session, analysis, actor=actor, source=import_source(applied))
    record_unmatched(applied, analysis.unmatched)
    applied.applied_at = utcnow()
    db.session.flush()
    same = _same_as_before(applied)
    if same is not None:  # the same report again changed nothing: no second list of rows
        db.session.delete(applied)
        db.session.flush()
        applied = same
    return {**result, "import": applied.id}


def _same_as_before(applied: AttendanceImport) -> AttendanceImport | None:
    """The session's latest other applied import of the same file with the same unmatched
    rows, when ``applied`` changed no record (a retried or repeated one-step import)."""
    if db.session.scalar(select(AttendanceChange.id).where(
            AttendanceChange.session_id == applied.session_id,
            AttendanceChange.source == import_source(applied)).limit(1)) is not None:
        return None
    before = db.session.scalar(select(AttendanceImport).where(
        AttendanceImport.session_id == applied.session_id, AttendanceImport.id != applied.id,
        AttendanceImport.applied_at.is_not(None), AttendanceImport.platform == applied.platform,
        AttendanceImport.filename == applied.filename).order_by(AttendanceImport.id.desc()).limit(1))
    keys = [row["key"] for row in applied.unmatched or []]
    if before is None or [row["key"] for row in before.unmatched or []] != keys or is_undone(before):
        return None
    return before


def purge_imports(now: datetime | None = None) -> int:
    """Delete uploads never applied after ``IMPORT_TTL`` and applied imports once they can no
    longer be undone (``ATTENDANCE_IMPORT_UNDO_DAYS`` after upload); an applied import whose
    unmatched rows nobody resolved yet stays until they are. How many were deleted."""
    now = now or utcnow()
    undo_days = timedelta(days=current_app.config["ATTENDANCE_IMPORT_UNDO_DAYS"])
    return db.session.execute(delete(AttendanceImport).where(or_(
        (AttendanceImport.applied_at.is_(None)) & (AttendanceImport.created_at < now - IMPORT_TTL),
        (AttendanceImport.applied_at.is_not(None)) & (AttendanceImport.unmatched_open == 0)
        & (AttendanceImport.created_at < now - undo_days)))).rowcount


def purge_task(now: datetime) -> int:
    """The periodic task (trainings.periodic, every 6 hours): :func:`purge_imports` on an
    idle instance too, so expired uploads do not wait for the next upload to go."""
    deleted = purge_imports(now)
    db.session.commit()
    return deleted


def stage_import(session: TrainingSession, data: bytes, *, actor, filename: str = "") -> AttendanceImport:
    """Parse an upload and keep it server-side for the preview; a wrong file writes nothing."""
    report = parse_upload(session, data)
    purge_imports()
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


def analyse_staged(session, staged: AttendanceImport, *, min_minutes=None, manual=None,
                   overwrite: bool = False) -> Analysis:
    rows = [reports.ReportRow.from_dict(r) for r in staged.rows]
    return analyse(session, rows, platform=staged.platform, filename=staged.filename,
                   min_minutes=min_minutes, manual=manual, overwrite=overwrite)


def apply_staged(session, staged: AttendanceImport, *, actor, min_minutes=None, manual=None,
                 overwrite: bool = False) -> dict:
    refuse_if_undone(staged)
    analysis = analyse_staged(session, staged, min_minutes=min_minutes, manual=manual,
                              overwrite=overwrite)
    result = apply_analysis(session, analysis, actor=actor, source=import_source(staged))
    record_unmatched(staged, analysis.unmatched)
    staged.applied_at = utcnow()
    db.session.flush()
    return result
