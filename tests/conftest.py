"""Fixtures: a database migrated from nothing once per run, emptied after every test.

SQLite (a file, WAL) by default; PostgreSQL when ANYAM_TEST_BACKEND=postgres and
TEST_DATABASE_URL points at a server: a fresh database is created there and dropped after.
"""
from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import has_app_context
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from trainings import create_app
from trainings.extensions import db

from . import factories
from .mail import mail_app, smtp_server  # noqa: F401  (fixtures: a real SMTP server)

BACKEND = os.environ.get("ANYAM_TEST_BACKEND", "sqlite")


def _create_postgres_database(url: str) -> tuple[str, callable]:
    base = make_url(url)
    name = f"anyam_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as connection:
            connection.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"), {"n": name})
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()

    return base.set(database=name).render_as_string(hide_password=False), drop


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    if BACKEND == "postgres":
        url = os.environ.get("TEST_DATABASE_URL")
        if not url:
            pytest.exit("ANYAM_TEST_BACKEND=postgres needs TEST_DATABASE_URL", returncode=2)
        fresh, drop = _create_postgres_database(url)
        yield fresh
        drop()
    else:
        yield "sqlite:///" + str(tmp_path_factory.mktemp("db") / "anyam-test.sqlite")


def test_config(database_url: str, **overrides) -> dict:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": None,
        # One PBKDF2 round instead of scrypt: a login or a new user costs microseconds.
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1",
    }
    config.update(overrides)
    return config


test_config.__test__ = False  # not a test


@pytest.fixture(scope="session")
def _migrated(database_url, tmp_path_factory):
    """Build the schema from nothing with the migrations, once per run."""
    from flask_migrate import upgrade
    app = create_app(test_config(database_url))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return True


def _empty_all_tables():
    # data_version is never emptied: pages kept by the shared app are kept under its number,
    # which only grows (the emptying below raises it)
    tables = [t for t in reversed(db.metadata.sorted_tables) if t.name != "data_version"]
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        # A connection that a test or fixture left inside a transaction would make the
        # TRUNCATE wait forever: fail within seconds instead, naming what holds the lock.
        db.session.execute(text("SET LOCAL lock_timeout = '10s'"))
        try:
            db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        except OperationalError:
            db.session.rollback()
            holders = db.session.execute(text(
                "SELECT state, left(query, 200) FROM pg_stat_activity WHERE datname = "
                "current_database() AND pid <> pg_backend_pid() AND state LIKE 'idle in%'")).all()
            db.session.rollback()
            raise RuntimeError(f"a connection left a transaction open (end it with "
                               f"db.session.remove()): {holders}") from None
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


def _fresh_request_state():
    """Tests keep an app context pushed, so requests share `g`: forget per-request caches
    (the chosen language, the logged-in user) as a new request in production would."""
    from flask import g
    for key in ("_flask_babel", "_login_user", "_policy_ties", "_certificates_by_user",
                "_anyam_data_version"):
        g.pop(key, None)


@pytest.fixture(scope="session")
def _shared_app(database_url, _migrated):
    return _SharedApp(database_url)


@pytest.fixture
def app_factory(database_url, _migrated, _shared_app, tmp_path):
    """Make an app with extra config; tables are emptied after the test."""
    made = []

    def make(**overrides):
        _shared_app.stale = True  # the extensions are now bound to this app's settings
        overrides.setdefault("INSTANCE_PATH", str(tmp_path / "instance"))
        app = create_app(test_config(database_url, **overrides))
        app.before_request(_fresh_request_state)
        made.append(app)
        return app

    yield make
    if made and has_app_context():
        # The test's own app context (the shared app) may hold a read transaction: end it,
        # or on PostgreSQL the TRUNCATE below waits for its lock forever.
        db.session.rollback()
    for app in made:
        with app.app_context():
            db.session.rollback()
            if app.config["SQLALCHEMY_DATABASE_URI"] == database_url:
                _empty_all_tables()
                break
    for app in made:
        with app.app_context():
            db.engine.dispose()


class _SharedApp:
    """The app without overrides, made once per run: ``create_app`` compiles every URL rule
    (~0.2 s, more than most tests take). Each test gets it with the configuration restored
    and its own instance folder; a test that adds routes or hooks, or that makes another app
    (extensions such as Flask-Limiter keep the settings of the last app they were bound to),
    causes a fresh one for the next test."""

    def __init__(self, database_url: str):
        self.database_url = database_url
        self.current = None
        self.stale = False

    @staticmethod
    def _shape(app) -> tuple:
        hooks = (app.before_request_funcs, app.after_request_funcs, app.teardown_request_funcs,
                 app.template_context_processors, app.error_handler_spec, app.url_value_preprocessors)
        return (len(list(app.url_map.iter_rules())), tuple(app.view_functions),
                repr(sorted(((str(k), len(v)) for hook in hooks for k, v in hook.items()
                             if isinstance(v, list)))), tuple(app.blueprints))

    def get(self, instance_path: str):
        if self.current is None or self.stale:
            self.stale = False
            app = create_app(test_config(self.database_url, INSTANCE_PATH=instance_path))
            app.before_request(_fresh_request_state)
            self.current = (app, dict(app.config), self._shape(app))
        app = self.current[0]
        app.instance_path = instance_path
        app.config["INSTANCE_PATH"] = instance_path
        Path(instance_path).mkdir(parents=True, exist_ok=True)
        app._got_first_request = False  # a test may still add a route, as on a new app
        return app

    def release(self, app) -> None:
        _app, config, shape = self.current
        with app.app_context():
            db.session.rollback()
            _empty_all_tables()
            db.engine.dispose()
        app.config.clear()
        app.config.update(config)
        if self._shape(app) != shape:
            self.stale = True


@pytest.fixture
def app(_shared_app, tmp_path):
    app = _shared_app.get(str(tmp_path / "instance"))
    try:
        with app.app_context():
            yield app
            db.session.remove()
    finally:
        _shared_app.release(app)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make(app):
    """Callable factories bound to the current app: make.user(), make.training(), ..."""
    return factories


@pytest.fixture
def login(client):
    """Log a user in on the test client (through the real login form)."""
    def do(user, password=factories.PASSWORD):
        response = client.post("/login", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return client
    return do


@pytest.fixture
def api(client):
    """JSON API calls with a fresh token for a user: api(user).get('/api/v1/trainings')."""
    from trainings.auth.services import issue_token

    class Api:
        def __init__(self, user):
            self.token = issue_token(user, "test")
            db.session.commit()
            self.headers = {"Authorization": f"Bearer {self.token}"}

        def __getattr__(self, method):
            def call(path, **kwargs):
                headers = {**self.headers, **kwargs.pop("headers", {})}
                return getattr(client, method)(path, headers=headers, **kwargs)
            return call

    return Api


@pytest.fixture
def count_queries(app):
    """with count_queries() as counter: ...; counter.count is the number of statements run."""
    @contextmanager
    def counting():
        class Counter:
            count = 0
            statements: list = []
        counter = Counter()
        counter.statements = []

        def before(conn, cursor, statement, parameters, context, executemany):
            counter.count += 1
            counter.statements.append(statement)

        engine = db.engine
        event.listen(engine, "before_cursor_execute", before)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", before)
    return counting
