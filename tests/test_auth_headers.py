"""HSTS over https, 503 while the database is away, pooled connections the server closed
replaced before use (without a round trip), secrets masked in the access logs."""
import logging
import socket
import time

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.pool import NullPool

from trainings.db import _replace_closed_connection
from trainings.extensions import db
from trainings.logs import mask

from .conftest import BACKEND

CLOSED_PORT_URL = "postgresql+psycopg://postgres@127.0.0.1:1/anyam?connect_timeout=2"


def test_hsts_only_over_https(app_factory):
    plain = app_factory().test_client().get("/login")
    assert "Strict-Transport-Security" not in plain.headers
    https = app_factory(PUBLIC_BASE_URL="https://anyam.example.org").test_client().get("/login")
    assert https.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_hsts_behind_a_proxy_that_terminates_https(app_factory):
    client = app_factory(PROXY_HOPS=1).test_client()
    response = client.get("/login", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" in response.headers
    untrusted = app_factory().test_client().get("/login", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in untrusted.headers  # no proxy configured


def test_a_database_outage_answers_503_to_the_api_and_to_pages(app_factory):
    app = app_factory(SQLALCHEMY_DATABASE_URI=CLOSED_PORT_URL)
    client = app.test_client()
    api = client.get("/api/v1/trainings", headers={"Authorization": "Bearer anyam_x"})
    assert api.status_code == 503
    assert api.get_json()["error"]["code"] == "database_unavailable"
    assert api.headers["Retry-After"] == "30"

    with client.session_transaction() as session:
        session["_user_id"] = "1:1"
        session["login_at"] = session["seen_at"] = time.time()
    page = client.get("/profile")
    assert page.status_code == 503
    assert "temporarily unavailable" in page.get_data(as_text=True)
    assert page.headers["Retry-After"] == "30"


def test_healthz_says_unavailable_while_the_database_is_away(app_factory):
    """healthz is a read-only view (its connection taken before the view on PostgreSQL):
    it still answers its own 503 when that fails."""
    response = app_factory(SQLALCHEMY_DATABASE_URI=CLOSED_PORT_URL).test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable"}


def test_pooled_connections_are_checked_without_a_round_trip(app_factory):
    """No ``pool_pre_ping`` (a round trip per request): the checkout looks at the socket."""
    options = app_factory(SQLALCHEMY_DATABASE_URI=CLOSED_PORT_URL).config[
        "SQLALCHEMY_ENGINE_OPTIONS"]
    assert "pool_pre_ping" not in options


class _Pgconn:
    def __init__(self, sock):
        self.status, self.socket = 0, sock.fileno()


class _Connection:
    """What the checkout looks at on a psycopg 3 connection, on a real socket."""

    def __init__(self, sock):
        self.closed, self.pgconn = False, _Pgconn(sock)


def test_the_checkout_tells_a_closed_connection_from_an_idle_one():
    for end in ("idle", "message", "eof", "bad status"):
        ours, server = socket.socketpair()
        connection = _Connection(ours)
        if end == "message":  # what PostgreSQL writes before it closes: a FATAL error
            server.sendall(b"E\x00\x00\x00\x10SFATAL\x00C57P01\x00\x00")
        elif end == "eof":
            server.close()
        elif end == "bad status":
            connection.pgconn.status = 1  # libpq's CONNECTION_BAD
        if end == "idle":
            _replace_closed_connection(connection, None, None)  # kept: no exception
        else:
            with pytest.raises(DisconnectionError):
                _replace_closed_connection(connection, None, None)
        ours.close()
        server.close()


@pytest.mark.skipif(BACKEND != "postgres", reason="a PostgreSQL server closing a connection")
def test_a_connection_the_server_closed_is_replaced_before_use(app_factory):
    """pg_terminate_backend (as a restart or idle_session_timeout does) closes the pooled
    connection: the next request gets a new one and answers 200, not an error."""
    app = app_factory()
    client = app.test_client()
    backends = []
    with app.app_context():
        engine = db.engine
    event.listen(engine, "checkout", lambda dbapi, record, proxy: backends.append(
        dbapi.info.backend_pid))
    assert client.get("/healthz").status_code == 200
    assert client.get("/healthz").status_code == 200
    assert len(set(backends)) == 1  # a healthy connection is used again, not replaced
    admin = create_engine(engine.url, poolclass=NullPool)
    with admin.connect() as connection:
        assert connection.scalar(text("SELECT pg_terminate_backend(:pid, 5000)"),
                                 {"pid": backends[0]})
    admin.dispose()
    response = client.get("/healthz")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json() == {"status": "ok"}
    assert backends[-1] != backends[0]  # a new connection answered
    assert client.get("/healthz").status_code == 200
    assert backends[-1] == backends[-2]


def test_feed_and_link_tokens_are_masked_in_access_logs(app, caplog, monkeypatch):
    line = ('127.0.0.1 - - [01/Dec/2026 10:00:00] "GET /me/calendar.ics?token=s3cr3tT0ken&x=1 '
            'HTTP/1.1" 200 -')
    assert "s3cr3tT0ken" not in mask(line) and "x=1" in mask(line)
    assert "abc123" not in mask("GET /password/reset/abc123 HTTP/1.1")
    assert "zzz" not in mask("GET /invitation/zzz?next=/ HTTP/1.1")
    for name in ("werkzeug", "gunicorn.access"):  # Alembic's fileConfig disabled them in tests
        monkeypatch.setattr(logging.getLogger(name), "disabled", False)
    with caplog.at_level(logging.INFO, logger="werkzeug"), \
            caplog.at_level(logging.INFO, logger="gunicorn.access"):
        logging.getLogger("werkzeug").info('%s - - [%s] "%s" %s %s', "127.0.0.1", "now",
                                           "GET /trainings/3/calendar.ics?token=s3cr3tT0ken HTTP/1.1",
                                           200, "-")
        logging.getLogger("gunicorn.access").info("%(r)s", {"r": "GET /me/calendar.ics?token=s3cr3tT0ken"})
    assert len(caplog.records) == 2
    assert all("s3cr3tT0ken" not in r.getMessage() for r in caplog.records)
    assert "[masked]" in caplog.text
