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

The plain path is taken only when the session is still empty, as at the start of every
request; otherwise (a test or a command holding objects, pending changes that the ORM would
flush first) the ORM statement runs, so an object already in the identity map is returned
as it is, as before.
"""
from __future__ import annotations

from sqlalchemy import Integer, bindparam, inspect, select
from sqlalchemy.orm import make_transient_to_detached

from ..extensions import db
from ..pagecache import VERSION_COLUMN, note_version
from .models import User

# built once with a bound id (``session.get`` builds a select and its cache key per call)
_USER_BY_ID = select(User).where(User.id == bindparam("login_user_id", type_=Integer))

_ROW: list = []  # (mapper, attribute keys, SELECT of their columns), built at first use
# (reading the mapper's attributes configures every mapper: not while models import)


def _user_row():
    if not _ROW:
        mapper = inspect(User)
        props = mapper.column_attrs
        _ROW.append((mapper, tuple(prop.key for prop in props),
                     select(*(prop.columns[0] for prop in props), VERSION_COLUMN).where(
                         User.__table__.c.id == bindparam("login_user_id", type_=Integer))))
    return _ROW[0]


def _session_is_empty(session) -> bool:
    return not (session.identity_map or session.new or session.deleted)


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
    row = session.connection().execute(_user_row()[2], {"login_user_id": user_id}).one_or_none()
    if row is None:
        return None
    note_version(row[-1])  # read before the page's data: what kept pages are kept under
    return _persistent_user(session, row[:-1])
