"""Stored dashboard figures that are never stale.

Every programme has (once viewed or changed) a row in ``programme_dashboards``
(:class:`~trainings.overview.models.ProgrammeSummary`). Two rules keep it honest:

* **Invalidation in the writer's transaction.** Session events watch every ORM change to
  the rows the figures are made of (enrolments, attendance, certificates, sessions,
  trainings, the programme and its trainings, and the evaluation's surveys, responses and
  action plans, for the hook ``dashboard.evaluation_results``), find the programmes of the
  trainings concerned and bump their ``version`` (an upsert) before the change commits, so
  the change and the bump become visible together. Bulk statements through the session on
  those tables bump every programme. No area below has to know about dashboards.
* **Conditional write-back.** Whoever computes the figures (a view finding them out of
  date, or the worker's periodic ``overview.dashboards`` task) stores them only ``WHERE
  version`` is still the one read before computing; a change that raced the computation
  leaves the row out of date, and the next view computes again.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Integer, bindparam, event, inspect, or_, select, true, union
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from ..attendance.models import AttendanceRecord
from ..certificates.models import Certificate
from ..db import utcnow
from ..enrolment.models import Enrolment
from ..evaluation.models import (
    ActionPlan,
    Commitment,
    CommitmentUpdate,
    Demographics,
    EvaluationSettings,
    Survey,
    SurveyParticipation,
    SurveyQuestion,
    SurveyResponse,
)
from ..extensions import db
from ..programmes.models import Programme, programme_trainings
from ..scheduling.models import Training, TrainingSession
from ..timezones import iso_utc
from .models import ProgrammeSummary

logger = logging.getLogger(__name__)

summaries = ProgrammeSummary.__table__

# mapped class -> (what its attribute names, the attribute)
WATCHED: dict[type, tuple[str, str]] = {
    Programme: ("programme", "id"),
    Training: ("training", "id"),
    TrainingSession: ("training", "training_id"),
    Enrolment: ("training", "training_id"),
    Certificate: ("training", "training_id"),
    Survey: ("training", "training_id"),
    EvaluationSettings: ("training", "training_id"),
    ActionPlan: ("training", "training_id"),
    AttendanceRecord: ("session", "session_id"),
    Demographics: ("enrolment", "enrolment_id"),
    SurveyQuestion: ("survey", "survey_id"),
    SurveyResponse: ("survey", "survey_id"),
    SurveyParticipation: ("survey", "survey_id"),
    Commitment: ("plan", "plan_id"),
    CommitmentUpdate: ("commitment", "commitment_id"),
}
_CLASSES = {cls.__table__.name: cls for cls in WATCHED}
WATCHED_TABLES = set(_CLASSES) | {programme_trainings.name}


def _upsert(connection):
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(summaries)


def _collect(objects) -> dict[str, set[int]]:
    found: dict[str, set[int]] = {}
    for obj in objects:
        watched = WATCHED.get(type(obj))
        if watched is None:
            continue
        kind, attribute = watched
        state = inspect(obj)
        value = state.dict.get(attribute)  # no lazy load of an expired attribute
        if value is None and attribute in state.unloaded:
            value = getattr(obj, attribute, None)
        values = {value, *state.attrs[attribute].history.deleted}  # a moved row: both ends
        found.setdefault(kind, set()).update(v for v in values if v is not None)
    return found


def _training_ids(found: dict[str, set[int]]):
    """A SELECT of the training ids the collected rows belong to."""
    parts = []
    if found.get("training"):
        parts.append(select(Training.id).where(Training.id.in_(found["training"])))
    if found.get("session"):
        parts.append(select(TrainingSession.training_id)
                     .where(TrainingSession.id.in_(found["session"])))
    if found.get("enrolment"):
        parts.append(select(Enrolment.training_id).where(Enrolment.id.in_(found["enrolment"])))
    if found.get("survey"):
        parts.append(select(Survey.training_id).where(Survey.id.in_(found["survey"])))
    if found.get("plan"):
        parts.append(select(ActionPlan.training_id).where(ActionPlan.id.in_(found["plan"])))
    if found.get("commitment"):
        parts.append(select(ActionPlan.training_id)
                     .join(Commitment, Commitment.plan_id == ActionPlan.id)
                     .where(Commitment.id.in_(found["commitment"])))
    return union(*parts) if len(parts) > 1 else (parts[0] if parts else None)


def bump(connection, programme_ids) -> None:
    """Mark these programmes' figures out of date (in the caller's transaction)."""
    ids = sorted(set(programme_ids))
    if not ids:
        return
    statement = _upsert(connection).from_select(
        ["programme_id"], select(Programme.id).where(Programme.id.in_(ids)))
    connection.execute(statement.on_conflict_do_update(
        index_elements=["programme_id"], set_={"version": summaries.c.version + 1}))


def bump_all(connection) -> None:
    statement = _upsert(connection).from_select(["programme_id"],
                                                select(Programme.id).where(true()))
    connection.execute(statement.on_conflict_do_update(
        index_elements=["programme_id"], set_={"version": summaries.c.version + 1}))


def _invalidate(session, objects, *, skip: set[int]) -> None:
    found = _collect(objects)
    if found:
        _bump_found(session.connection(), found, skip=skip, session=session)


SEEN = "overview.dashboards.seen"  # session.info: (kind, id) already bumped in this transaction


def _bump_found(connection, found: dict[str, set[int]], *, skip: set[int] = frozenset(),
                session=None) -> None:
    if session is not None:  # one bump per row and transaction is enough: all commit together
        seen = session.info.setdefault(SEEN, set())
        found = {kind: fresh for kind, ids in found.items()
                 if (fresh := {i for i in ids if (kind, i) not in seen})}
        if not found:
            return
        seen.update((kind, i) for kind, ids in found.items() for i in ids)
    programme_ids = set(found.get("programme", ()))
    trainings = _training_ids(found)
    if trainings is not None:
        programme_ids.update(connection.execute(
            select(programme_trainings.c.programme_id).distinct()
            .where(programme_trainings.c.training_id.in_(trainings))).scalars())
    bump(connection, programme_ids - skip)


def _deleted_programmes(session) -> set[int]:
    return {obj.id for obj in session.deleted if isinstance(obj, Programme)}


@event.listens_for(Session, "before_flush")
def _before_flush(session, _context, _instances) -> None:
    # rows about to go (and the old values of changed ones) while their links still exist:
    # a training removed from the database takes its programme links with it
    _invalidate(session, [*session.deleted, *session.dirty], skip=_deleted_programmes(session))


@event.listens_for(Session, "after_flush")
def _after_flush(session, _context) -> None:
    # new rows: their keys (and their links to a training) are known now
    _invalidate(session, session.new, skip=_deleted_programmes(session))


@event.listens_for(Session, "do_orm_execute")
def _bulk_statements(state) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    name = getattr(getattr(state.statement, "table", None), "name", None)
    if name not in WATCHED_TABLES:
        return
    connection = state.session.connection()
    watched = WATCHED.get(_CLASSES.get(name))
    if state.is_insert and watched is not None:  # e.g. attendance's INSERT ... ON CONFLICT
        kind, attribute = watched
        rows = state.parameters
        rows = rows if isinstance(rows, list) else [rows or state.statement.compile().params]
        values = {row.get(attribute) for row in rows}
        if values and None not in values:
            _bump_found(connection, {kind: values}, session=state.session)
            return
    bump_all(connection)  # an UPDATE or DELETE with its own WHERE: every programme


@event.listens_for(Session, "after_transaction_end")
def _forget_seen(session, transaction) -> None:
    # the transaction's end, or a savepoint's (rolled back, it may have undone a bump); not
    # the internal one each flush opens and closes
    if transaction.parent is None or transaction.nested:
        session.info.pop(SEEN, None)


# Reading and storing -------------------------------------------------------------------

def _plain(data: dict) -> dict:
    """The figures as they come back from the JSON column (so a computed answer and a
    stored one are the same)."""
    return json.loads(json.dumps(data, default=str))


def stored(programme_id: int):
    """The row's (version, computed_version, data, computed_at), or None."""
    return db.session.execute(
        select(summaries.c.version, summaries.c.computed_version, summaries.c.data,
               summaries.c.computed_at).where(summaries.c.programme_id == programme_id)).first()


_WITH_ROW = (select(Programme.id, Programme.title_id, Programme.title_en, summaries.c.version,
                    summaries.c.computed_version, summaries.c.data, summaries.c.computed_at)
             .outerjoin(summaries, summaries.c.programme_id == Programme.id)
             .where(Programme.id == bindparam("programme", type_=Integer)))  # built once


def programme_and_row(programme_id: int):
    """(programme, stored row) in one statement: the programme's id and titles (a row) and
    its stored row as :func:`stored` gives it (None when there is none); (None, None) for no
    such programme. The row is read in the same statement, so it is the one of this
    request. On the session's connection (a read: nothing to flush first)."""
    found = db.session.connection().execute(_WITH_ROW, {"programme": programme_id}).first()
    if found is None:
        return None, None
    return found, (found if found.version is not None else None)


def store(programme_id: int, version: int, data: dict, computed_at: datetime) -> bool:
    """Keep figures computed at ``version`` unless the version moved on meanwhile; commits.
    False when they were not kept (a change raced the computation, or the database was busy:
    the caller still answers them, the next view computes again)."""
    connection = db.session.connection()
    statement = _upsert(connection).values(programme_id=programme_id, version=version,
                                           computed_version=version, data=data,
                                           computed_at=computed_at)
    statement = statement.on_conflict_do_update(
        index_elements=["programme_id"],
        set_={"computed_version": statement.excluded.computed_version,
              "data": statement.excluded.data, "computed_at": statement.excluded.computed_at},
        where=summaries.c.version == version).returning(summaries.c.programme_id)
    try:  # a row comes back only when inserted or updated (rowcount is -1 on psycopg here)
        kept = connection.execute(statement).first() is not None
        db.session.commit()
    except (OperationalError, IntegrityError) as error:  # busy, or the programme just went
        db.session.rollback()
        logger.info("dashboard %s not stored: %s", programme_id, error)
        return False
    return kept


def figures(programme, compute: Callable[[object], dict]) -> dict:
    """The programme's figures with ``computed_at`` (ISO, UTC): the stored ones when they
    are current, else computed now (and stored for the next view)."""
    return figures_and_key(programme, compute)[1]


UNREAD = object()  # figures_and_key's row: not read yet


def figures_and_key(programme, compute: Callable[[object], dict],
                    row=UNREAD) -> tuple[tuple | None, dict]:
    """(key, figures): ``key`` names stored figures that are current (programme, version,
    when computed), None for figures computed in this call. Anything derived from the
    figures alone (the page's rendered charts) may be kept under that key. ``row``: the
    stored row if the caller read it in this request (:func:`programme_and_row`)."""
    if row is UNREAD:
        row = stored(programme.id)
    if row is not None and row.data is not None and row.computed_version == row.version:
        data = dict(row.data)
        data["computed_at"] = iso_utc(row.computed_at)
        return (programme.id, row.version, row.computed_at), data
    version = row.version if row is not None else 0
    programme_id = programme.id
    data = _plain(compute(programme))
    now = utcnow()
    store(programme_id, version, data, now)
    data["computed_at"] = iso_utc(now)
    return None, data


def refresh(now: datetime, compute: Callable[[object], dict], *, limit: int = 50) -> int:
    """Compute the figures of programmes that have none or out-of-date ones (the worker's
    periodic task): the next view is a plain read."""
    due = list(db.session.scalars(
        select(Programme.id).outerjoin(summaries, summaries.c.programme_id == Programme.id)
        .where(or_(summaries.c.programme_id.is_(None), summaries.c.computed_version.is_(None),
                   summaries.c.computed_version != summaries.c.version))
        .order_by(Programme.id).limit(limit)))
    done = 0
    for programme_id in due:
        row = stored(programme_id)
        programme = db.session.get(Programme, programme_id)
        if programme is None:
            continue
        version = row.version if row is not None else 0
        done += store(programme_id, version, _plain(compute(programme)), now)
    return done
