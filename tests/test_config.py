"""Configuration order, the secret-key refusal, SQLite pragmas."""
import pytest
from sqlalchemy import text

from trainings import create_app
from trainings.extensions import db


def test_refuses_to_start_without_a_real_secret_key(tmp_path, monkeypatch):
    monkeypatch.delenv("ANYAM_SECRET_KEY", raising=False)
    monkeypatch.setenv("ANYAM_INSTANCE_PATH", str(tmp_path))
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app()
    monkeypatch.setenv("ANYAM_SECRET_KEY", "dev")
    with pytest.raises(RuntimeError):
        create_app()


def test_instance_config_then_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("ANYAM_INSTANCE_PATH", str(tmp_path))
    (tmp_path / "config.py").write_text("SECRET_KEY = 'from-instance-config-0123456789'\n"
                                        "MAIL_SERVER = 'smtp.instance.example'\n")
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-instance-config-0123456789"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/anyam.sqlite"

    monkeypatch.setenv("ANYAM_MAIL_SERVER", "smtp.env.example")
    monkeypatch.setenv("ANYAM_MAX_CONTENT_LENGTH", "1024")
    app = create_app()
    assert app.config["MAIL_SERVER"] == "smtp.env.example"
    assert app.config["MAX_CONTENT_LENGTH"] == 1024  # parsed as JSON


def test_sqlite_connections_enforce_foreign_keys_and_use_wal(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite pragmas apply to SQLite only")
    with db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL


def test_cookies_are_httponly_and_samesite_lax(app, client, make):
    user = make.user()
    response = client.post("/login", data={"email": user.email, "password": "correct-horse-battery",
                                           "remember": "y"})
    cookies = response.headers.getlist("Set-Cookie")
    assert cookies
    for cookie in cookies:
        assert "HttpOnly" in cookie
        assert "SameSite=Lax" in cookie


def test_cookies_are_secure_when_served_over_https(app_factory, make):
    app = app_factory(PUBLIC_BASE_URL="https://anyam.example.org")
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    with app.app_context():
        user = make.user()
        email = user.email
    response = app.test_client().post("/login", base_url="https://anyam.example.org",
                                      data={"email": email, "password": "correct-horse-battery"})
    assert all("Secure" in c for c in response.headers.getlist("Set-Cookie"))
