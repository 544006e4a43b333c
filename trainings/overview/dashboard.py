"""The programme dashboard: reach and results across the trainings of a programme.

A fixed number of queries whatever the number of trainings and people: the trainings,
their held sessions, and one row per enrolment with its attendance counted in SQL and its
certificate (plus one for rules with mandatory sessions). People are counted once by email address; a person's country, organisation
and sector are those of their latest enrolment in the programme.

Views and the API read the figures through :func:`cached_dashboard`: stored per programme in
the database and never older than the data (``overview.summaries``).
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from sqlalchemy import Integer, String, and_, bindparam, case, func, literal, select, union_all

from ..attendance.eligibility import ATTENDED, counting_statuses, required_sessions
from ..attendance.models import AttendanceRecord
from ..auth.models import User
from ..certificates.models import Certificate
from ..enrolment.models import Enrolment
from ..extensions import db
from ..organisations.models import Organisation
from ..organisations.names import fold
from ..programmes.models import programme_managers, programme_organisations, programme_trainings
from ..programmes.services import get_programme
from ..scheduling.models import Training, TrainingSession
from . import summaries


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def evaluation_results(training_ids: list[int]) -> dict | None:
    """The evaluation area's headline results over these trainings (satisfaction, knowledge
    gain, action-plan progress; cells under 5 people are "<5"), in a constant number of
    queries; None for a programme without trainings."""
    from ..evaluation.services import headline
    return headline(training_ids) if training_ids else None


def _enrolment_rows(ids: list[int]):
    """Every enrolment of the trainings with its attendance counted in SQL (held sessions
    only) and whether it holds a valid certificate: one row per enrolment."""
    attended = case((AttendanceRecord.status.in_(ATTENDED), 1), else_=0)
    excused = case((AttendanceRecord.status == "excused", 1), else_=0)
    counts = (select(AttendanceRecord.enrolment_id.label("enrolment_id"),
                     func.sum(attended).label("attended"), func.sum(excused).label("excused"))
              .join(TrainingSession, TrainingSession.id == AttendanceRecord.session_id)
              .where(TrainingSession.training_id.in_(ids), TrainingSession.status != "cancelled")
              .group_by(AttendanceRecord.enrolment_id).subquery())
    return db.session.execute(
        select(Enrolment.id, Enrolment.training_id, Enrolment.email, Enrolment.country_code,
               Enrolment.organisation, Enrolment.sector, Enrolment.status,
               func.coalesce(counts.c.attended, 0), func.coalesce(counts.c.excused, 0),
               Certificate.id)
        .outerjoin(counts, counts.c.enrolment_id == Enrolment.id)
        .outerjoin(Certificate, and_(Certificate.enrolment_id == Enrolment.id,
                                     Certificate.replaced_at.is_(None),
                                     Certificate.revoked_at.is_(None)))
        .where(Enrolment.training_id.in_(ids)).order_by(Enrolment.id)).all()


def _mandatory_attendance(rules: dict[int, dict], held: dict[int, set[int]]):
    """(enrolment, session) -> status for the mandatory sessions of the rules that name
    some (one query, or none when no rule does)."""
    wanted = {sid for tid, rule in rules.items()
              for sid in rule.get("mandatory_sessions") or () if sid in held[tid]}
    if not wanted:
        return {}
    return {(e, s): st for e, s, st in db.session.execute(
        select(AttendanceRecord.enrolment_id, AttendanceRecord.session_id,
               AttendanceRecord.status).where(AttendanceRecord.session_id.in_(wanted)))}


def _completion_test(rule: dict, held_ids: set[int], mandatory: dict):
    """``done(row) -> bool`` for one training: the certificate rule applied to the counts
    (``required_sessions`` worked out once per training, not per person)."""
    if not held_ids:
        return lambda _row: False
    required = required_sessions(rule, len(held_ids))
    with_excused = bool(rule.get("excused_counts"))
    counting = counting_statuses(rule)
    needed = [sid for sid in rule.get("mandatory_sessions") or () if sid in held_ids]

    def done(row) -> bool:
        if row[7] + (row[8] if with_excused else 0) < required:
            return False
        return all(mandatory.get((row[0], sid)) in counting for sid in needed)
    return done


def programme_dashboard(programme) -> dict:
    trainings = db.session.execute(
        select(Training.id, Training.title_id, Training.title_en, Training.certificate_rule)
        .join(programme_trainings, programme_trainings.c.training_id == Training.id)
        .where(programme_trainings.c.programme_id == programme.id)
        .order_by(Training.created_at, Training.id)).all()
    ids = [t.id for t in trainings]
    held: dict[int, set[int]] = defaultdict(set)
    enrolments = []
    if ids:
        for session_id, training_id in db.session.execute(
                select(TrainingSession.id, TrainingSession.training_id).where(
                    TrainingSession.training_id.in_(ids), TrainingSession.status != "cancelled")):
            held[training_id].add(session_id)
        enrolments = _enrolment_rows(ids)
    rules = {t.id: t.certificate_rule or {} for t in trainings}
    mandatory = _mandatory_attendance(rules, held)
    tests = {tid: _completion_test(rule, held[tid], mandatory) for tid, rule in rules.items()}
    per_training = {t.id: {"id": t.id, "title": {"id": t.title_id, "en": t.title_en},
                           "enrolments": 0, "accepted": 0, "completed": 0, "certificates": 0}
                    for t in trainings}
    latest: dict[str, tuple] = {}
    completed_people: set[str] = set()
    certified_people: set[str] = set()
    accepted_total = completed_total = 0
    for row in enrolments:
        line = per_training[row.training_id]
        line["enrolments"] += 1
        if row[9] is not None:
            line["certificates"] += 1
            certified_people.add(row.email)
        if row.status != "accepted":
            continue
        latest[row.email] = row
        line["accepted"] += 1
        accepted_total += 1
        if tests[row.training_id](row):
            line["completed"] += 1
            completed_total += 1
            completed_people.add(row.email)
    for line in per_training.values():
        line["completion_rate"] = _rate(line["completed"], line["accepted"])

    organisations: Counter = Counter()
    spelling: dict[str, Counter] = defaultdict(Counter)
    for row in latest.values():
        key = fold(row.organisation)
        organisations[key] += 1
        spelling[key][row.organisation or ""] += 1
    by_organisation = {(spelling[k].most_common(1)[0][0] or "—"): n
                       for k, n in organisations.most_common()}
    people = len(latest)
    certificates = sum(line["certificates"] for line in per_training.values())
    return {
        "programme": programme.id,
        "trainings": len(trainings),
        "enrolments": len(enrolments),
        "people": people,
        "by_country": dict(Counter(r.country_code for r in latest.values()).most_common()),
        "by_organisation": by_organisation,
        "by_sector": dict(Counter(r.sector for r in latest.values()).most_common()),
        "completion_rate": _rate(completed_total, accepted_total),
        "people_completed": len(completed_people),
        "certificates": certificates,
        "certificate_rate": _rate(len(certified_people & set(latest)), people),
        "per_training": list(per_training.values()),
        "evaluation": evaluation_results(ids),
    }


# The figures are stored per programme in the database (``overview.summaries``): shared by
# every process, bumped out of date in the same transaction as any change to what they are
# made of, recomputed by the next view or the worker's periodic task.

@dataclass(frozen=True)
class Person:
    id: int
    name: str
    email: str


@dataclass(frozen=True)
class NamedOrganisation:
    id: int
    name: str


@dataclass(frozen=True)
class ProgrammeRead:
    """A programme as a dashboard view reads it, plain values of this request: its id and
    titles, its managers (what the ``programme.*`` rules check, ordered by email) and its
    organisations (by name; empty unless asked for). Read-only: change a programme through
    ``programmes.services``."""
    id: int
    title_id: str
    title_en: str
    managers: tuple[Person, ...]
    organisations: tuple[NamedOrganisation, ...] = ()

    def title(self, lang: str) -> str:
        return self.title_id if lang == "id" and self.title_id else self.title_en


# built once (a view asks on every request), for the programme ``bindparam("programme")``
_PROGRAMME = bindparam("programme", type_=Integer)
_MANAGERS = (select(literal("manager", String).label("kind"), User.id, User.name,
                    User.email.label("key"))
             .join(programme_managers, programme_managers.c.user_id == User.id)
             .where(programme_managers.c.programme_id == _PROGRAMME))
_BOTH = union_all(_MANAGERS, select(
    literal("organisation", String), Organisation.id, Organisation.name, Organisation.name)
    .join(programme_organisations, programme_organisations.c.organisation_id == Organisation.id)
    .where(programme_organisations.c.programme_id == _PROGRAMME)).subquery()
_PEOPLE = {False: _MANAGERS.order_by(User.email),
           True: select(_BOTH).order_by(_BOTH.c.kind, _BOTH.c.key)}


def load_programme(programme_id: int, *, organisations: bool = False) -> tuple:
    """(programme, stored row) for a dashboard view in two statements, no ORM objects: the
    programme's titles with its stored figures' row (:func:`summaries.programme_and_row`),
    then its managers (and with ``organisations`` its organisations too, for the page) as a
    :class:`ProgrammeRead`. ``NotFound`` for no such programme. Both are built once and run
    on the session's connection (its transaction, without the ORM's execution path, which
    cost more than the statements themselves; a read, so nothing to flush first)."""
    head, row = summaries.programme_and_row(programme_id)
    if head is None:
        get_programme(programme_id)  # raises NotFound, with the programmes area's message
    found = db.session.connection().execute(_PEOPLE[organisations],
                                            {"programme": programme_id}).all()
    return ProgrammeRead(
        head.id, head.title_id, head.title_en,
        managers=tuple(Person(r.id, r.name, r.key) for r in found if r.kind == "manager"),
        organisations=tuple(NamedOrganisation(r.id, r.name) for r in found
                            if r.kind == "organisation")), row


def cached_dashboard(programme, row=summaries.UNREAD) -> dict:
    """:func:`programme_dashboard` as stored, or computed now when the stored figures are
    out of date; the answer carries ``computed_at`` (ISO, UTC). Never older than the data.
    ``row``: the stored row when :func:`load_programme` read it."""
    return summaries.figures_and_key(programme, programme_dashboard, row)[1]


def dashboard_and_key(programme, row=summaries.UNREAD) -> tuple[tuple | None, dict]:
    """:func:`cached_dashboard` with the key of stored figures (None when computed now)."""
    return summaries.figures_and_key(programme, programme_dashboard, row)


def refresh_dashboards(now) -> int:
    """The worker's periodic task: compute the figures that are missing or out of date."""
    return summaries.refresh(now, programme_dashboard)
