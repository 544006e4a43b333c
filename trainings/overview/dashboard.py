"""The programme dashboard: reach and results across the trainings of a programme.

A fixed number of queries whatever the number of trainings and people (each reads plain
rows of every training at once): trainings, enrolments, held sessions, attendance,
certificates. People are counted once by email address; a person's country, organisation
and sector are those of their latest enrolment in the programme.
"""
from __future__ import annotations

from collections import Counter, defaultdict

from sqlalchemy import select

from ..attendance.eligibility import counting_statuses, progress_of
from ..attendance.models import AttendanceRecord
from ..certificates.models import Certificate
from ..enrolment.models import Enrolment
from ..extensions import db
from ..organisations.names import fold
from ..programmes.models import programme_trainings
from ..scheduling.models import Training, TrainingSession


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def evaluation_results(training_ids: list[int]) -> dict | None:
    """Hook for the evaluation area (built in parallel): once it lands, answer its
    aggregate over these trainings here (satisfaction mean, knowledge gain). None until then."""
    return None


def programme_dashboard(programme) -> dict:
    trainings = db.session.execute(
        select(Training.id, Training.title_id, Training.title_en, Training.certificate_rule)
        .join(programme_trainings, programme_trainings.c.training_id == Training.id)
        .where(programme_trainings.c.programme_id == programme.id)
        .order_by(Training.created_at, Training.id)).all()
    ids = [t.id for t in trainings]
    enrolments = db.session.execute(
        select(Enrolment.id, Enrolment.training_id, Enrolment.email, Enrolment.country_code,
               Enrolment.organisation, Enrolment.sector, Enrolment.status)
        .where(Enrolment.training_id.in_(ids)).order_by(Enrolment.id)).all() if ids else []
    held: dict[int, set[int]] = defaultdict(set)
    attended: dict[int, list[tuple[int, str]]] = defaultdict(list)
    certified: set[int] = set()
    if ids:
        for session_id, training_id in db.session.execute(
                select(TrainingSession.id, TrainingSession.training_id).where(
                    TrainingSession.training_id.in_(ids), TrainingSession.status != "cancelled")):
            held[training_id].add(session_id)
        for enrolment_id, session_id, status in db.session.execute(
                select(AttendanceRecord.enrolment_id, AttendanceRecord.session_id,
                       AttendanceRecord.status)
                .join(TrainingSession, TrainingSession.id == AttendanceRecord.session_id)
                .where(TrainingSession.training_id.in_(ids))):
            attended[enrolment_id].append((session_id, status))
        certified = set(db.session.scalars(
            select(Certificate.enrolment_id).where(
                Certificate.training_id.in_(ids), Certificate.replaced_at.is_(None),
                Certificate.revoked_at.is_(None))))

    rules = {t.id: t.certificate_rule or {} for t in trainings}
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
        if row.id in certified:
            line["certificates"] += 1
            certified_people.add(row.email)
        if row.status != "accepted":
            continue
        latest[row.email] = row
        line["accepted"] += 1
        accepted_total += 1
        rule = rules[row.training_id]
        counting = counting_statuses(rule)
        held_ids = held[row.training_id]
        if held_ids:
            progress = progress_of(rule, held_ids, {s for s, status in attended[row.id]
                                                    if status in counting})
            if progress.eligible:
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
