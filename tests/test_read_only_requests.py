"""Views marked ``read_only`` read without a transaction on PostgreSQL (no BEGIN and
ROLLBACK), and any write in their request fails loudly, on SQLite and PostgreSQL alike;
other requests keep their transaction."""
from __future__ import annotations

import pytest
from sqlalchemy import event, select, text, update

from trainings.auth.models import User
from trainings.db import READ_ONLY, ReadOnlyRequestError, begin_write, read_only
from trainings.extensions import db

from . import factories
from .conftest import BACKEND


@pytest.fixture
def statements(app):
    """Each statement the app's engine runs: (SQL, in a read-only request, DBAPI autocommit)."""
    seen = []

    def record(conn, cursor, statement, parameters, context, executemany):
        dbapi = conn.connection.dbapi_connection
        seen.append((statement, bool(db.session().info.get(READ_ONLY)),
                     getattr(dbapi, "autocommit", None)))

    event.listen(db.engine, "before_cursor_execute", record)
    yield seen
    event.remove(db.engine, "before_cursor_execute", record)


def _emails() -> set[str]:
    db.session.rollback()
    return set(db.session.scalars(select(User.email)))


def test_the_light_pages_read_outside_a_transaction(app, client, login, statements):
    organiser = factories.user(role="organiser")
    training = factories.training(organiser=organiser, sessions=2)
    paths = ("/healthz", f"/trainings/{training.id}", "/me/schedule", "/verify",
             "/verify/ABCD-EFGH-JKMN-PQRS")
    login(organiser)
    db.session.commit()  # the test's own reads end, as at the end of a real request
    for path in paths:
        statements.clear()
        response = client.get(path)
        assert response.status_code in (200, 404), path
        assert statements, path
        assert all(read_only for _sql, read_only, _ac in statements), (path, statements)
        if BACKEND == "postgres":  # no BEGIN: the connection is in autocommit
            assert all(autocommit is True for *_x, autocommit in statements), path
        assert not db.session.info.get(READ_ONLY)  # ended with the request


def test_other_requests_keep_their_transaction(app, client, login, statements):
    organiser = factories.user(role="organiser")
    db.session.commit()
    login(organiser)
    db.session.commit()
    statements.clear()
    assert client.get("/trainings").status_code == 200  # not marked: a transaction as before
    assert statements and not any(read_only for _sql, read_only, _ac in statements)
    if BACKEND == "postgres":
        assert all(autocommit is False for *_x, autocommit in statements)


@pytest.fixture
def write_app(app_factory):
    """An app with read-only test views that try each kind of write, and an ordinary view
    that writes and then fails."""
    app = app_factory()

    def person(email):
        return User(email=email, name="X", password_hash="x", role="participant")

    writes = {
        "flush": lambda: (db.session.add(person("flush@example.org")), db.session.flush()),
        "commit": lambda: (db.session.add(person("commit@example.org")), db.session.commit()),
        "autoflush": lambda: (db.session.add(person("auto@example.org")),
                              db.session.scalars(select(User)).all()),
        "core": lambda: db.session.execute(update(User).values(name="Changed")),
        "text": lambda: db.session.execute(text("UPDATE users SET name = 'Changed'")),
        "lock": lambda: db.session.scalars(select(User).with_for_update()).all(),
        "changed": lambda: (setattr(db.session.scalars(select(User)).first(), "name", "New"),
                            db.session.flush()),
        "savepoint": lambda: (db.session.begin_nested(), db.session.scalars(select(User)).all()),
        "write lock": lambda: begin_write(db.session),
    }

    @app.route("/test/read-only/<kind>")
    @read_only
    def read_only_write(kind):
        try:
            writes[kind]()
        except ReadOnlyRequestError:
            return "refused", 409
        return "written"

    @app.route("/test/read-only-uncaught")
    @read_only
    def read_only_uncaught():
        writes["flush"]()
        return "written"

    @app.route("/test/read-only-same-value")
    @read_only
    def same_value():
        user = db.session.scalars(select(User)).first()
        user.name = user.name  # set, but nothing changes: no write, no error
        return str(len(db.session.scalars(select(User)).all()))

    @app.route("/test/write-then-fail", methods=["POST"])
    def write_then_fail():
        db.session.add(person("atomic@example.org"))
        db.session.flush()
        raise RuntimeError("after the write")

    @app.route("/test/write", methods=["POST"])
    def write():
        db.session.add(person("written@example.org"))
        db.session.commit()
        return "ok"

    with app.app_context():
        db.session.add(person("someone@example.org"))
        db.session.commit()
    return app


@pytest.mark.parametrize("kind", ["flush", "commit", "autoflush", "core", "text", "lock",
                                  "changed", "savepoint", "write lock"])
def test_a_write_in_a_read_only_request_fails_loudly(write_app, kind):
    client = write_app.test_client()
    response = client.get(f"/test/read-only/{kind}")
    assert (response.status_code, response.get_data(as_text=True)) == (409, "refused")
    with write_app.app_context():
        assert _emails() == {"someone@example.org"}
        assert set(db.session.scalars(select(User.name))) == {"X"}


def test_an_uncaught_refusal_is_an_error_page(write_app):
    assert write_app.test_client().get("/test/read-only-uncaught").status_code == 500
    with write_app.app_context():
        assert _emails() == {"someone@example.org"}


def test_setting_a_value_to_itself_is_no_write(write_app):
    assert write_app.test_client().get("/test/read-only-same-value").get_data(as_text=True) == "1"


def test_writes_after_a_read_only_request_are_atomic_again(write_app):
    """The pooled connection a read-only request used is back in transactions: a request
    that writes and then fails leaves nothing behind, one that commits keeps its row."""
    write_app.config["PROPAGATE_EXCEPTIONS"] = False
    client = write_app.test_client()
    for _round in range(3):
        assert client.get("/test/read-only-same-value").status_code == 200
        assert client.post("/test/write-then-fail").status_code == 500
    assert client.post("/test/write").status_code == 200
    with write_app.app_context():
        assert db.engine.pool.checkedout() == 0  # every request gave its connection back
        assert _emails() == {"someone@example.org", "written@example.org"}


@pytest.mark.skipif(BACKEND != "postgres", reason="psycopg's query cache: PostgreSQL only")
def test_the_training_pages_long_statement_is_converted_once(app, client, login, statements):
    """psycopg keeps the training page's statement converted (it is longer than psycopg's
    own 4096-byte limit): the second request finds it in psycopg's cache."""
    from psycopg import _queries

    organiser = factories.user(role="organiser")
    training = factories.training(organiser=organiser, sessions=3)
    login(organiser)
    db.session.commit()
    assert client.get(f"/trainings/{training.id}").status_code == 200
    longest = max((sql for sql, *_x in statements), key=len)
    assert len(longest.encode()) > 4096  # over psycopg's own limit
    before = _queries._query2pg.cache_info()
    statements.clear()
    assert client.get(f"/trainings/{training.id}").status_code == 200
    after = _queries._query2pg.cache_info()
    assert longest in [sql for sql, *_x in statements]
    assert after.hits - before.hits >= len(statements)  # every statement, the long one too
    assert after.misses == before.misses
