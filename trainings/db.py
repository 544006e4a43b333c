"""Column types and database helpers shared by every area."""
from __future__ import annotations

import re
import select
import threading
from contextlib import contextmanager
from datetime import UTC, datetime

from flask import request
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import DateTime, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session
from sqlalchemy.pool import Pool
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
    if session.info.get(READ_ONLY):
        _refuse(session, "a write transaction")
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return
    raw = connection.connection.dbapi_connection
    if not raw.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


# Server connections: one closed by the server is replaced, without a round trip -------------

def _has_input(fd: int) -> bool:
    """Whether the socket has something to read now (never waits)."""
    if hasattr(select, "poll"):
        poller = select.poll()
        poller.register(fd, select.POLLIN | select.POLLPRI)
        return bool(poller.poll(0))
    return bool(select.select([fd], [], [], 0)[0])  # pragma: no cover - no poll() (Windows)


#: psycopg turns a query's ``%(name)s`` placeholders into ``$n`` once per distinct query and
#: keeps the result, but only for queries up to 4096 bytes
#: (``psycopg._queries.MAX_CACHED_STATEMENT_LENGTH``, there to keep ORM-made INSERTs of many
#: VALUES rows out of its cache). The training page's one statement is ~7 400 bytes: it was
#: converted again on every request (~40 µs of the worker's CPU). Queries up to this size
#: are kept; the cache stays bounded (psycopg's LRU of 128 queries).
PSYCOPG_KEPT_QUERY_BYTES = 16384


@event.listens_for(Pool, "connect")
def _keep_long_queries_converted(dbapi_connection, connection_record):
    """On the first psycopg 3 connection: raise psycopg's limit to
    :data:`PSYCOPG_KEPT_QUERY_BYTES` (a psycopg without that constant is left alone)."""
    if getattr(dbapi_connection, "pgconn", None) is None:
        return
    from psycopg import _queries
    if getattr(_queries, "MAX_CACHED_STATEMENT_LENGTH", PSYCOPG_KEPT_QUERY_BYTES) \
            < PSYCOPG_KEPT_QUERY_BYTES:
        _queries.MAX_CACHED_STATEMENT_LENGTH = PSYCOPG_KEPT_QUERY_BYTES


@event.listens_for(Pool, "checkout")
def _replace_closed_connection(dbapi_connection, connection_record, connection_proxy):
    """A pooled PostgreSQL (psycopg 3) connection the server has closed (a restart,
    ``pg_terminate_backend``, ``idle_session_timeout``) is replaced before use, as
    ``pool_pre_ping`` would, but without its round trip (100-230 µs of the worker's CPU per
    request). An idle connection between two uses has nothing to read: the server writes
    only to say why it closes it (a FATAL message, then EOF), so any input, a closed socket
    or a bad libpq status raises ``DisconnectionError``, and the pool connects again
    (SQLAlchemy's documented checkout pattern). A server that vanished without closing
    (a cut network) is not seen: the request's first statement fails, the connection is
    invalidated and the request answers 503, as with a server that is down."""
    pgconn = getattr(dbapi_connection, "pgconn", None)
    if pgconn is None:  # not psycopg 3 (SQLite, another driver): nothing to check
        return
    try:
        closed = dbapi_connection.closed or pgconn.status != 0 or _has_input(pgconn.socket)
    except Exception as error:  # noqa: BLE001 - any failure to look means unusable
        raise DisconnectionError("the database connection cannot be checked") from error
    if closed:
        raise DisconnectionError("the database server closed the connection")


# Read-only views: no transaction on PostgreSQL, and no write anywhere ----------------------

READ_ONLY = "anyam_read_only"  # the Session.info key: the endpoint of the read-only request
_READER = "anyam_reader"  # the Session.info key: the autocommit engine it reads with


class ReadOnlyRequestError(RuntimeError):
    """A write was attempted in a request whose view is marked :func:`read_only`."""


def read_only(view):
    """Mark a view that never writes to the database (put it right under ``@bp.route``).

    Its GET requests read on PostgreSQL without a transaction (autocommit: no BEGIN and
    ROLLBACK, two round trips of every request); each statement sees the data committed
    when it starts, as in PostgreSQL's default READ COMMITTED transaction. A write through
    the request's session (a flush with changes, INSERT/UPDATE/DELETE, a row lock, a
    savepoint, :func:`begin_write`) raises :class:`ReadOnlyRequestError` on SQLite and
    PostgreSQL alike, so that a write can never run without the transaction it needs.
    Connections of their own (the rate limit's) are not concerned; nor is SQL sent on
    ``session.connection()`` directly, which read-only code does not do."""
    view.read_only = True
    return view


#: SQL text that writes, locks rows or opens a transaction of its own
_WRITE = re.compile(
    r"\A\s*(?:INSERT|UPDATE|DELETE|MERGE|UPSERT|REPLACE|TRUNCATE|CREATE|ALTER|DROP|COPY|LOCK"
    r"|GRANT|REVOKE|CALL|DO|COMMENT|REFRESH|VACUUM|REINDEX|CLUSTER|BEGIN|SAVEPOINT)\b"
    r"|\A\s*WITH\b.*\b(?:INSERT|UPDATE|DELETE|MERGE)\b"
    r"|\bFOR\s+(?:NO\s+KEY\s+)?UPDATE\b|\bFOR\s+(?:KEY\s+)?SHARE\b",
    re.IGNORECASE | re.DOTALL)
_verdicts: dict[str, bool] = {}  # SQL text -> writes (the same strings come back)


def _writes(clause) -> bool:
    """Whether a statement given to ``Session.execute`` writes or locks rows."""
    if clause is None:
        return False
    if getattr(clause, "is_dml", False):  # insert(), update(), delete(), ORM bulk ones
        return True
    if getattr(clause, "_for_update_arg", None) is not None:  # with_for_update()
        return True
    sql = getattr(clause, "text", None)  # text("...")
    if not isinstance(sql, str):
        return False
    verdict = _verdicts.get(sql)
    if verdict is None:
        if len(_verdicts) >= 1024:
            _verdicts.clear()
        verdict = _verdicts[sql] = bool(_WRITE.search(sql))
    return verdict


def _refuse(session, what: str):
    raise ReadOnlyRequestError(f"{what} in a read-only request ({session.info[READ_ONLY]})")


class AnyamSession(FlaskSession):
    """Flask-SQLAlchemy's session, refusing statements that write while a read-only
    request runs (the ORM's flush is refused by ``_refuse_flush``)."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        if self.info.get(READ_ONLY):
            if _writes(clause):
                _refuse(self, f"a write ({str(clause)[:60]!r})")
            reader = self.info.get(_READER)
            if reader is not None and bind is None:
                return reader
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)

    def begin_nested(self):
        if self.info.get(READ_ONLY):
            _refuse(self, "a savepoint")
        return super().begin_nested()


@event.listens_for(Session, "before_flush")
def _refuse_flush(session, flush_context, instances):
    if not session.info.get(READ_ONLY):
        return
    if session.new or session.deleted or any(session.is_modified(o) for o in session.dirty):
        _refuse(session, "a flush with changes")


def init_read_only(app, db) -> None:
    """Register the hooks of :func:`read_only` views; call it before any other hook that
    may use the database (the first ``before_request`` runs first)."""
    with app.app_context():
        # SQLAlchemy's sub-engine of one isolation level: the same pool, AUTOCOMMIT set on
        # each connection it checks out and set back when the connection returns
        reader = (db.engine.execution_options(isolation_level="AUTOCOMMIT")
                  if db.engine.dialect.name == "postgresql" else None)

    @app.before_request
    def _begin_read_only():
        if request.method not in ("GET", "HEAD"):  # a form's POST keeps its transaction
            return
        view = app.view_functions.get(request.endpoint or "")
        if not getattr(view, "read_only", False):
            return
        session = db.session()  # this app context's own
        # a transaction already going on (a test's own, its app context kept) is left as is
        if session.in_transaction() or session.new or session.dirty or session.deleted:
            return
        session.info[READ_ONLY] = request.endpoint
        if reader is not None and reader.pool is db.engine.pool:
            # the session reads through the autocommit engine (AnyamSession.get_bind): a
            # connection is taken at the first statement, none when a kept page needs
            # nothing more (trainings/pagecache.py). (On SQLite a read already runs outside
            # any transaction.)
            session.info[_READER] = reader

    @app.teardown_request
    def _end_read_only(exc=None):
        session = db.session()
        if session.info.pop(READ_ONLY, None) is not None:
            session.rollback()  # returns the connection; in autocommit nothing is sent
