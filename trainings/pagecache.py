"""Whole pages kept until the data changes or their next moment comes (issue 14).

A kept page is answered without reading the data it shows: the training page, My schedule
and the verification page are read far more often than anything they show changes.

**When the data changes.** The database holds one number, ``data_version``, raised by every
transaction that writes (any INSERT, UPDATE, DELETE or schema change through SQLAlchemy,
from a request, a job, a command or a test), in the same transaction, right before it
commits: so a reader sees the new number exactly when it sees the new data. Writes that no
page shows are left out (:data:`UNVERSIONED`: the rate limits' counters, the scheduler's
bookkeeping). A request reads the number before the page's data (with the logged-in user's
row, in the same statement; an anonymous request with a statement of its own), and a page
is kept under it: a page kept under an older number is never answered again.

**When time changes what a page shows.** A page says when its content changes by itself
(:func:`keep_until`: the next session that ends, the next join button), or that it cannot be
kept (:func:`do_not_keep`); a kept page is answered at most ``PAGE_CACHE_SECONDS`` (60)
after it was rendered, whatever it says.

**Whose page.** The key holds the page's path and query, the viewer's account (None when
anonymous), language, time zone and that zone's offset now, the URL root and host: a page
is never answered to another account. A session with messages to show once (flashes) is
neither answered from nor kept. The CSRF token of the session is not kept: a page is
rendered with a placeholder, replaced in every answer by the request's own token.

Per process, least recently used dropped first past ``PAGE_CACHE_CHARS``; 0 seconds turns
keeping off.
"""
from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta
from functools import wraps

from flask import current_app, g, make_response, request, session
from flask_login import current_user
from sqlalchemy import DDL, BigInteger, Column, Integer, event, select
from sqlalchemy.engine import Engine

from .db import utcnow
from .extensions import db
from .i18n import current_language, viewer_timezone
from .timezones import to_zone
from .web import csrf_token, fragments

VERSION_TABLE = "data_version"

#: tables whose writes no kept page shows
UNVERSIONED = frozenset({"rate_limits", "periodic_runs", VERSION_TABLE})


class DataVersion(db.Model):
    """One row (id 1): raised by every transaction that writes."""

    __tablename__ = VERSION_TABLE
    id = Column(Integer, primary_key=True, autoincrement=False)
    value = Column(BigInteger, nullable=False, default=0)


# the row exists wherever the table does (migration 0017 inserts it; create_all here)
event.listen(DataVersion.__table__, "after_create",
             DDL("INSERT INTO data_version (id, value) VALUES (1, 0)"))

#: the number, as a column of another statement (the logged-in user's row)
VERSION_COLUMN = select(DataVersion.value).where(DataVersion.id == 1).scalar_subquery()
_VERSION = select(DataVersion.value).where(DataVersion.id == 1)

# Raising the number -----------------------------------------------------------------------

_WROTE, _HAS_TABLE = "anyam_wrote", "anyam_version_table"
# (no statement of the app writes through a WITH clause: none is looked into)
_WRITES = re.compile(r"\A\s*(INSERT|UPDATE|DELETE|MERGE|UPSERT|REPLACE|TRUNCATE|CREATE|ALTER"
                     r"|DROP|COPY)\b", re.IGNORECASE)
_TARGET = re.compile(r'\A\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|REPLACE\s+INTO|UPDATE(?:\s+OR\s+\w+)?'
                     r'|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)
_SCHEMA = frozenset({"CREATE", "ALTER", "DROP"})
_BUMP = "UPDATE data_version SET value = value + 1 WHERE id = 1"


def _autocommit(conn) -> bool:
    return conn.get_execution_options().get("isolation_level") == "AUTOCOMMIT"


@event.listens_for(Engine, "before_cursor_execute")
def _note_write(conn, cursor, statement, parameters, context, executemany):
    found = _WRITES.match(statement)
    if found is None:
        return
    target = _TARGET.match(statement)
    if target is not None and target.group(1).lower() in UNVERSIONED:
        return
    if found.group(1).upper() in _SCHEMA:
        conn.info.pop(_HAS_TABLE, None)  # the table itself may come or go
    conn.info[_WROTE] = True


@event.listens_for(Engine, "after_cursor_execute")
def _bump_autocommitted(conn, cursor, statement, parameters, context, executemany):
    if conn.info.get(_WROTE) and _autocommit(conn):  # already committed: raise it now
        conn.info.pop(_WROTE)
        _bump(conn)


@event.listens_for(Engine, "commit")
def _bump_on_commit(conn):
    """Right before the transaction's COMMIT, in it (SQLAlchemy's commit event)."""
    if conn.info.pop(_WROTE, False):
        _bump(conn)


@event.listens_for(Engine, "rollback")
def _forget_writes(conn):
    conn.info.pop(_WROTE, None)


def _bump(conn) -> None:
    """``UPDATE data_version`` on the DBAPI connection (no SQLAlchemy events: no loop);
    nothing while the table does not exist yet (the migrations before it)."""
    raw = conn.connection.dbapi_connection
    cursor = raw.cursor()
    try:
        if not conn.info.get(_HAS_TABLE):
            cursor.execute(
                "SELECT to_regclass('data_version') IS NOT NULL"
                if conn.dialect.name == "postgresql" else
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'data_version'")
            if not cursor.fetchone()[0]:
                return
            conn.info[_HAS_TABLE] = True
        cursor.execute(_BUMP)
    finally:
        cursor.close()


# Reading it --------------------------------------------------------------------------------

def note_version(value) -> None:
    """The number read with another statement of the request (the logged-in user's row, the
    rate limit's hit): the first one read counts, as it was read before anything else."""
    if "_anyam_data_version" not in g:
        g._anyam_data_version = value


def data_version() -> int | None:
    """This request's number: read once, before the page's data (None: no row, no keeping)."""
    try:
        return g._anyam_data_version
    except AttributeError:
        value = g._anyam_data_version = db.session.connection().execute(_VERSION).scalar()
        return value


# Pages ---------------------------------------------------------------------------------------

_PLACEHOLDER = "anyam-csrf-" + secrets.token_hex(16)  # hex: the same once escaped


def keep_until(instant: datetime | None) -> None:
    """The page being rendered changes by itself at ``instant``: keep it until then at most."""
    if instant is not None and "_anyam_keep_until" in g:
        g._anyam_keep_until = min(g._anyam_keep_until, instant)


def do_not_keep() -> None:
    """The page being rendered depends on more than the data and its own moments."""
    g._anyam_keep_until = None


def _key(version) -> tuple:
    user = current_user._get_current_object()
    zone = viewer_timezone()
    return (request.endpoint, request.full_path,
            user.get_id() if user.is_authenticated else None, current_language(), zone,
            to_zone(utcnow(), zone).utcoffset(), request.script_root, request.host, version)


def _with_token(html: str) -> str:
    return html.replace(_PLACEHOLDER, csrf_token()) if _PLACEHOLDER in html else html


def kept_page(view):
    """Keep the view's page (a GET's HTML text) as the module says; put it right above the
    view function, under ``login_required`` and the rate limit (both still apply)."""

    @wraps(view)
    def kept(**values):
        config = current_app.config
        seconds = config["PAGE_CACHE_SECONDS"]
        if (not seconds or not config["PAGE_CACHE_CHARS"] or request.method != "GET"
                or "_flashes" in session):
            return view(**values)
        version = data_version()
        if version is None:
            return view(**values)
        key, now = _key(version), utcnow()
        pages = fragments("pages", config["PAGE_CACHE_CHARS"])
        found = pages.get(key)
        if found is not None and now < found[1]:
            return _with_token(found[0])
        field = config["WTF_CSRF_FIELD_NAME"]
        token = g.pop(field, None)
        setattr(g, field, _PLACEHOLDER)  # forms and the layout show it instead of the token
        g._anyam_keep_until = now + timedelta(seconds=seconds)
        try:
            answer = view(**values)
        finally:
            if g.get(field) == _PLACEHOLDER:
                g.pop(field)
            if token is not None:
                setattr(g, field, token)
            until = g.pop("_anyam_keep_until", None)
        if isinstance(answer, str):
            if until is not None and until > now:
                # replacing one kept under the same key whose time was over
                pages.put(key, (answer, until), size=len(answer), replace=True)
            return _with_token(answer)
        response = make_response(answer)
        if not response.is_streamed and response.mimetype == "text/html":
            text = response.get_data(as_text=True)
            if _PLACEHOLDER in text:
                response.set_data(_with_token(text))
        return response

    return kept
