"""Loading the logged-in user: one SELECT per request, as cheap as it can be.

Every logged-in request reads its account from the database (the session version and the
active flag are checked on every request, so logout, a password change, a disabled account
or a changed role take effect at once). The ORM's own ``SELECT users ...`` costs ~100-135 µs
of Python around a ~10 µs query (statement cache key, ORM compile state, result and row
processors); the same columns read as a plain row of the session's own connection and
turned into a persistent ``User`` (what the ORM's loader does: the identity key set, the
loaded state committed, the object in the session's identity map) cost ~45 µs. The object
is then the same as one the ORM loaded: expired on commit, lazy relationships, one per
identity (tests/test_user_loading.py).

The row itself is read with the driver's cursor on that same connection (the session's
transaction, as before): the statement is compiled once per dialect, its parameters built by
the compiled statement and each value passed through its column type's own result processor
(the UTC instants, SQLite's dates and booleans), which is what SQLAlchemy's result does,
without its execution context and result objects (~2/3 of Core's cost for this one row). When
anything listens to the connection's statements (the tests' statement counters, an APM's SQL
tracing) the row is read through SQLAlchemy's ``execute`` instead, so they see it.

The plain path is taken only when the session is still empty, as at the start of every
request; otherwise (a test or a command holding objects, pending changes that the ORM would
flush first) the ORM statement runs, so an object already in the identity map is returned
as it is, as before.
"""
from __future__ import annotations

from sqlalchemy import Integer, bindparam, inspect, select
from sqlalchemy.orm import make_transient_to_detached

from ..extensions import db
from .models import User

# built once with a bound id (``session.get`` builds a select and its cache key per call)
_USER_BY_ID = select(User).where(User.id == bindparam("login_user_id", type_=Integer))

_ROW: list = []  # (mapper, attribute keys, SELECT of their columns), built at first use
# (reading the mapper's attributes configures every mapper: not while models import)
_COMPILED: dict = {}  # dialect -> (SQL text, parameter order or None, result processors)

#: the connection events that would see a statement run through SQLAlchemy
_STATEMENT_EVENTS = ("before_execute", "after_execute", "before_cursor_execute",
                     "after_cursor_execute")


def _user_row():
    if not _ROW:
        mapper = inspect(User)
        props = mapper.column_attrs
        _ROW.append((mapper, tuple(prop.key for prop in props),
                     select(*(prop.columns[0] for prop in props)).where(
                         User.__table__.c.id == bindparam("login_user_id", type_=Integer))))
    return _ROW[0]


def _compiled(dialect):
    """The user row's SQL for ``dialect``, its positional parameter order (None: named) and
    one result processor per column (None where the driver's value is the value)."""
    kept = _COMPILED.get(dialect)
    if kept is None:
        statement = _user_row()[2]
        compiled = statement.compile(dialect=dialect)
        order = tuple(compiled.positiontup) if compiled.positional else None
        processors = tuple(column.type.dialect_impl(dialect).result_processor(dialect, None)
                           for column in statement.selected_columns)
        kept = _COMPILED[dialect] = (compiled.string, order, compiled, processors)
        if len(_COMPILED) > 8:  # one dialect per engine: a handful
            _COMPILED.clear()
    return kept


def _observed(connection) -> bool:
    dispatch = connection.dispatch
    return any(getattr(dispatch, name) for name in _STATEMENT_EVENTS)


def _read_row(connection, user_id: int):
    """The user's row as a tuple of column values (processed as SQLAlchemy's result does)."""
    if _observed(connection):
        row = connection.execute(_user_row()[2], {"login_user_id": user_id}).one_or_none()
        return None if row is None else tuple(row)
    sql, order, compiled, processors = _compiled(connection.dialect)
    values = compiled.construct_params({"login_user_id": user_id})
    parameters = tuple(values[name] for name in order) if order is not None else values
    cursor = connection.connection.cursor()  # the pool's proxy of the driver's connection
    try:
        cursor.execute(sql, parameters)
        raw = cursor.fetchone()
    finally:
        cursor.close()
    if raw is None:
        return None
    return tuple(value if process is None else process(value)
                 for process, value in zip(processors, raw, strict=True))


def _persistent_user(session, row) -> User:
    mapper, keys, _statement = _user_row()
    user = mapper.class_manager.new_instance()  # no __init__, no attribute events
    user.__dict__.update(zip(keys, row, strict=True))
    make_transient_to_detached(user)  # identity key set, the values are the loaded state
    session.add(user)  # detached -> persistent: in the identity map, no SQL
    return user


def load_user(user_id: int) -> User | None:
    """The account with this id, persistent in ``db.session``, or None."""
    session = db.session()
    if not _session_is_empty(session):
        return session.execute(_USER_BY_ID, {"login_user_id": user_id}).scalar_one_or_none()
    row = _read_row(session.connection(), user_id)
    return None if row is None else _persistent_user(session, row)


def _session_is_empty(session) -> bool:
    return not (session.identity_map or session.new or session.deleted)
