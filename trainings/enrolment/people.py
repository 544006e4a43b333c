"""One person per email address, across trainings.

Every enrolment belongs to the account (``users``) of its email address: when an
enrolment is inserted without one, the account is found or created (a participant
without a password: the invitation to set one still follows acceptance). Its
``search_key`` (name and email folded: case and diacritics ignored) is kept up to date
here, so people search is one indexed ``LIKE`` on SQLite and PostgreSQL alike.
"""
from __future__ import annotations

from sqlalchemy import event, insert, select

from ..auth.models import User
from ..db import utcnow
from ..organisations.names import fold
from .models import Enrolment

_users = User.__table__


def search_key(name: str | None, email: str | None) -> str:
    return f"{fold(name)} {(email or '').lower()}".strip()[:500]


def _insert_if_absent(connection):
    """``INSERT ... ON CONFLICT (email) DO NOTHING`` where the database has it (SQLite and
    PostgreSQL), so two enrolments of one new address at once make one account, not a 500."""
    dialect = connection.dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    else:
        return insert(_users)
    return dialect_insert(_users).on_conflict_do_nothing(index_elements=["email"])


def _person_id(connection, enrolment: Enrolment) -> int:
    query = select(_users.c.id).where(_users.c.email == enrolment.email)
    found = connection.scalar(query)
    if found is not None:
        return found
    connection.execute(_insert_if_absent(connection).values(
        email=enrolment.email, name=enrolment.name or enrolment.email, role="participant",
        language=enrolment.language or "en", timezone=enrolment.timezone or "UTC",
        is_active_account=True, created_at=utcnow()))
    return connection.scalar(query)


@event.listens_for(Enrolment, "before_insert")
def _before_insert(_mapper, connection, enrolment: Enrolment) -> None:
    if enrolment.user_id is None and enrolment.email:
        enrolment.user_id = _person_id(connection, enrolment)
    enrolment.search_key = search_key(enrolment.name, enrolment.email)


@event.listens_for(Enrolment, "before_update")
def _before_update(_mapper, _connection, enrolment: Enrolment) -> None:
    enrolment.search_key = search_key(enrolment.name, enrolment.email)
