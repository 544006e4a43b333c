"""Column types and database helpers shared by every area."""
from __future__ import annotations

import threading
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import DateTime, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timezone-aware instant stored in UTC.

    Refuses naive datetimes on the way in (they are ambiguous) and always hands back
    an aware UTC datetime, on SQLite (which keeps no zone) and PostgreSQL alike.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """Foreign keys, WAL and a busy timeout on every SQLite connection."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


_cache = threading.local()  # .kib: the page cache this thread's transactions get, or None


@contextmanager
def sqlite_cache(kib: int | None, session=None):
    """Run the block's transactions (this thread's) on SQLite with a page cache of at most
    ``kib`` KiB per connection (None or 0: SQLite's own, 2 MiB); other threads and later
    transactions get the connection's own size back. A background job reads each row about
    once: pages it caches beyond a few hundred KiB are never read again, duplicate the
    operating system's file cache and only raise the process's peak (issue 14). The
    ``session``'s transaction already under way gets it at once."""
    previous, _cache.kib = getattr(_cache, "kib", None), kib or None
    if session is not None and session.in_transaction():
        _sqlite_cache_size(session, None, session.connection())
    try:
        yield
    finally:
        _cache.kib = previous


@event.listens_for(Session, "after_begin")
def _sqlite_cache_size(session, transaction, connection):
    """Give the transaction's SQLite connection the page cache :func:`sqlite_cache` asks
    for (a PRAGMA only when it changes; shrinking frees the pages above the new size)."""
    if connection.dialect.name != "sqlite":
        return
    want, info = getattr(_cache, "kib", None), connection.connection.info
    if info.get("cache_kib") == want:
        return
    if "own_cache" not in info:
        info["own_cache"] = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    size = -want if want else info["own_cache"]
    connection.exec_driver_sql(f"PRAGMA cache_size={int(size)}")
    info["cache_kib"] = want


def begin_write(session) -> None:
    """Make the current transaction a write transaction now, before it reads values it will
    change and record (an audit's old value). On SQLite a plain read runs outside any
    transaction and a deferred one takes the write lock only at its first write, so two
    writers could both read the same old value: ``BEGIN IMMEDIATE`` takes the lock first
    (waiting up to the busy timeout). On PostgreSQL the rows are locked with
    ``SELECT ... FOR UPDATE`` instead; nothing to do here."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return
    raw = connection.connection.dbapi_connection
    if not raw.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
