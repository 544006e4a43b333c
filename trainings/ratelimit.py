"""Rate-limit counters in shared storage, so that a limit holds per client for every worker.

Flask-Limiter keeps its counters in a ``limits`` storage named by ``RATELIMIT_STORAGE_URI``:

* ``anyam-db://`` (the default): the ``rate_limits`` table of the application's database,
  one row per (limit, client) with a fixed-window count. Each hit is one atomic
  ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` (SQLite ≥ 3.35 and PostgreSQL) on its own
  connection, so the request's transaction is left alone: in its own short transaction on
  SQLite, in autocommit on PostgreSQL (the statement alone, one round trip).
* ``redis://…`` (``ANYAM_RATELIMIT_STORAGE_URI``): the ``limits`` Redis storage.
* ``memory://``: per process, for a single worker only.

A leaf module: it imports no area.
"""
from __future__ import annotations

import random
import threading
import time
from datetime import datetime, timedelta
from functools import lru_cache

from flask import has_app_context, has_request_context
from limits.storage import Storage
from sqlalchemy import (
    CheckConstraint,
    Integer,
    String,
    bindparam,
    case,
    delete,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column

from .db import UTCDateTime, utcnow
from .extensions import db
from .pagecache import VERSION_COLUMN, note_version

SCHEME = "anyam-db"
CLEAN_EVERY = 200  # about one hit in this many deletes the expired rows
#: After a hit, the count and expiry it returned answer ``get``/``get_expiry`` for the same
#: key in the same thread for this long (Flask-Limiter asks for both right after each hit,
#: for the X-RateLimit headers): one statement per limited request instead of three.
RECENT_SECONDS = 1.0


class RateLimitCounter(db.Model):
    __tablename__ = "rate_limits"
    __table_args__ = (CheckConstraint("count >= 0", name="count_positive"),)

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


@lru_cache(maxsize=4)
def _upsert_statement(dialect: str):
    """The hit: ``INSERT … ON CONFLICT DO UPDATE … RETURNING``, built once per dialect with
    bound parameters (building it for every hit cost more than running it). It returns the
    data version too: an anonymous request for a kept page (verify) then needs no statement
    of its own to read it (trainings/pagecache.py)."""
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as upsert
    else:
        from sqlalchemy.dialects.postgresql import insert as upsert
    table = RateLimitCounter.__table__
    amount = bindparam("hit_amount", type_=Integer)
    expires = bindparam("hit_until", type_=UTCDateTime)
    expired = table.c.expires_at <= bindparam("hit_now", type_=UTCDateTime)
    statement = upsert(table).values(key=bindparam("hit_key", type_=String), count=amount,
                                     expires_at=expires)
    return statement.on_conflict_do_update(
        index_elements=[table.c.key],
        set_={"count": case((expired, amount), else_=table.c.count + amount),
              "expires_at": case((expired, expires), else_=table.c.expires_at)},
    ).returning(table.c.count, table.c.expires_at, VERSION_COLUMN)


class DatabaseStorage(Storage):
    """A fixed-window ``limits`` storage in the application's database (``anyam-db://``)."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._engine_override = options.get("engine")
        self._recent = threading.local()

    def _remember(self, key: str, count: int, expires: datetime | None) -> int:
        self._recent.entry = (key, count, expires, time.monotonic())
        return count

    def _recalled(self, key: str):
        entry = getattr(self._recent, "entry", None)
        if entry and entry[0] == key and time.monotonic() - entry[3] < RECENT_SECONDS \
                and entry[2] is not None and entry[2] > utcnow():
            return entry
        return None

    @property
    def base_exceptions(self):
        return SQLAlchemyError

    def _engine(self):
        if self._engine_override is not None:
            return self._engine_override
        if not has_app_context():
            raise RuntimeError("the anyam-db:// rate-limit storage needs an application context")
        return db.engine

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        now = utcnow()
        expires = now + timedelta(seconds=expiry)
        table = RateLimitCounter.__table__
        engine = self._engine()
        dialect = engine.dialect.name
        if dialect == "postgresql":
            # one round trip: the upsert is atomic alone, so it runs in autocommit (no BEGIN
            # and COMMIT); the cleaning, when it comes, is a statement of its own
            with engine.connect() as connection:
                connection.execution_options(isolation_level="AUTOCOMMIT")  # reset on return
                if random.randrange(CLEAN_EVERY) == 0:
                    connection.execute(delete(table).where(table.c.expires_at <= now))
                count, until = self._upsert(connection, dialect, key, amount, now, expires)
            return self._remember(key, count, until)
        with engine.begin() as connection:  # SQLite: a write transaction, as cheap as it gets
            if random.randrange(CLEAN_EVERY) == 0:
                connection.execute(delete(table).where(table.c.expires_at <= now))
            if dialect == "sqlite":
                count, until = self._upsert(connection, dialect, key, amount, now, expires)
                return self._remember(key, count, until)
            return self._remember(key, self._update_or_insert(connection, key, amount, now,
                                                               expires), None)

    @staticmethod
    def _upsert(connection, dialect: str, key, amount, now, expires) -> tuple[int, datetime]:
        count, until, version = connection.execute(_upsert_statement(dialect), {
            "hit_key": key, "hit_amount": amount, "hit_now": now, "hit_until": expires}).one()
        if has_request_context():  # read before the page's data, as the user's row
            note_version(version)
        return int(count), until

    @staticmethod
    def _update_or_insert(connection, key, amount, now, expires) -> int:
        """Other databases: conditional UPDATEs, then an INSERT that may lose a race."""
        table = RateLimitCounter.__table__
        for _attempt in range(3):
            reset = connection.execute(update(table).where(
                table.c.key == key, table.c.expires_at <= now).values(count=amount,
                                                                      expires_at=expires))
            if not reset.rowcount:
                connection.execute(update(table).where(table.c.key == key).values(
                    count=table.c.count + amount))
            value = connection.scalar(select(table.c.count).where(table.c.key == key))
            if value is not None:
                return int(value)
            try:
                with connection.begin_nested():
                    connection.execute(insert(table).values(key=key, count=amount,
                                                            expires_at=expires))
                return amount
            except IntegrityError:
                continue
        raise RuntimeError("rate-limit counter could not be written")

    def get(self, key: str) -> int:
        if (recent := self._recalled(key)) is not None:
            return recent[1]
        table = RateLimitCounter.__table__
        with self._engine().connect() as connection:
            value = connection.scalar(select(table.c.count).where(
                table.c.key == key, table.c.expires_at > utcnow()))
        return int(value or 0)

    def get_expiry(self, key: str) -> float:
        if (recent := self._recalled(key)) is not None:
            return recent[2].timestamp()
        table = RateLimitCounter.__table__
        with self._engine().connect() as connection:
            value = connection.scalar(select(table.c.expires_at).where(table.c.key == key))
        now = utcnow()
        return (value if value is not None and value > now else now).timestamp()

    def check(self) -> bool:
        try:
            with self._engine().connect() as connection:
                connection.scalar(select(literal(1)))
            return True
        except SQLAlchemyError:
            return False

    def reset(self) -> int | None:
        self._recent.entry = None
        with self._engine().begin() as connection:
            return connection.execute(delete(RateLimitCounter.__table__)).rowcount

    def clear(self, key: str) -> None:
        self._recent.entry = None
        table = RateLimitCounter.__table__
        with self._engine().begin() as connection:
            connection.execute(delete(table).where(table.c.key == key))

