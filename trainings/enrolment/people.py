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


def _person_id(connection, enrolment: Enrolment) -> int:
    found = connection.scalar(select(_users.c.id).where(_users.c.email == enrolment.email))
    if found is not None:
        return found
    result = connection.execute(insert(_users).values(
        email=enrolment.email, name=enrolment.name or enrolment.email, role="participant",
        language=enrolment.language or "en", timezone=enrolment.timezone or "UTC",
        is_active_account=True, created_at=utcnow()))
    return result.inserted_primary_key[0]


@event.listens_for(Enrolment, "before_insert")
def _before_insert(_mapper, connection, enrolment: Enrolment) -> None:
    if enrolment.user_id is None and enrolment.email:
        enrolment.user_id = _person_id(connection, enrolment)
    enrolment.search_key = search_key(enrolment.name, enrolment.email)


@event.listens_for(Enrolment, "before_update")
def _before_update(_mapper, _connection, enrolment: Enrolment) -> None:
    enrolment.search_key = search_key(enrolment.name, enrolment.email)
