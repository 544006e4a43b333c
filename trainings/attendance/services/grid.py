"""The attendance matrix: participants × sessions with rates and eligibility, from one
joined plain-rows query; its JSON and its export table."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import literal, select

from ...db import utcnow
from ...enrolment.models import Enrolment
from ...extensions import db
from ...scheduling.models import Training, TrainingSession
from ...timezones import to_zone
from .. import eligibility
from ..models import STATUSES, AttendanceRecord


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
