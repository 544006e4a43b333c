"""Migration 0012_accounts on a database that already has data: staff, enrolments and
tokens survive (no rebuild of users on SQLite), feed links keep working as digests,
old API tokens get an expiry, and the downgrade keeps the data too."""
import hashlib
from datetime import UTC, datetime
from pathlib import Path

from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, text

from trainings.auth.services import user_for_calendar_token

MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"
# The revision before this one (the lead re-chains it at merge).
BEFORE = ScriptDirectory(str(MIGRATIONS)).get_revision("0012_accounts").down_revision


def test_upgrade_and_downgrade_keep_the_accounts_data(app_factory, tmp_path):
    url = f"sqlite:///{tmp_path / 'before.sqlite'}"
    app = app_factory(SQLALCHEMY_DATABASE_URI=url)
    now = datetime(2026, 11, 1, tzinfo=UTC).isoformat()
    with app.app_context():
        upgrade(revision=BEFORE)
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text("PRAGMA foreign_keys=ON"))
            connection.execute(text(
                "INSERT INTO users (id, email, name, role, language, timezone, is_active_account,"
                " created_at, calendar_token) VALUES (1, 'rina@example.org', 'Rina', 'organiser',"
                " 'id', 'Asia/Jakarta', 1, :now, 'old-feed-token')"), {"now": now})
            connection.execute(text(
                "INSERT INTO trainings (id, title_id, title_en, description_id, description_en,"
                " timezone, certificate_rule, applications_open, requires_approval,"
                " attendance_threshold_percent, late_after_minutes, certificate_statement_id,"
                " certificate_statement_en, created_at, updated_at) VALUES (1, 'P', 'T',"
                " '', '', 'UTC', '{}', 0, 0, 60, 15, '', '', :now, :now)"), {"now": now})
            connection.execute(text("INSERT INTO training_staff (id, training_id, user_id, role)"
                                    " VALUES (1, 1, 1, 'organiser')"))
            connection.execute(text(
                "INSERT INTO api_tokens (id, user_id, name, token_hash, prefix, created_at)"
                " VALUES (1, 1, 'crm', 'h', 'anyam_x', :now)"), {"now": now})
        upgrade()
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM training_staff")).scalar() == 1
            row = connection.execute(text(
                "SELECT calendar_token, session_version, failed_logins FROM users")).one()
            token = connection.execute(text("SELECT scope, expires_at FROM api_tokens")).one()
        assert row == (hashlib.sha256(b"old-feed-token").hexdigest(), 1, 0)
        assert token.scope == "write" and token.expires_at is not None
        assert user_for_calendar_token("old-feed-token").email == "rina@example.org"

        downgrade(revision=BEFORE)
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM training_staff")).scalar() == 1
            assert connection.execute(text("SELECT count(*) FROM api_tokens")).scalar() == 1
            columns = [r[1] for r in connection.execute(text("PRAGMA table_info(users)"))]
        assert "session_version" not in columns and "calendar_token" in columns
        engine.dispose()
