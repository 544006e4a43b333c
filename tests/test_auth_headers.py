"""HSTS over https, 503 while the database is away, pooled connections tested before use,
secrets masked in the access logs."""
import logging
import time

from trainings.logs import mask

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


def test_server_databases_ping_pooled_connections(app_factory, app):
    assert app_factory(SQLALCHEMY_DATABASE_URI=CLOSED_PORT_URL).config[
        "SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is True


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
