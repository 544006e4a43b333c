"""Migration 0006_networks on a database that already has data: every existing enrolment
is linked to the account of its email (made when missing), search keys and organisation
name keys are filled in, and the downgrade undoes the schema."""
from datetime import UTC, datetime

from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, text


def test_upgrade_links_existing_enrolments_to_one_person_per_email(app_factory, tmp_path):
    url = f"sqlite:///{tmp_path / 'before.sqlite'}"
    app = app_factory(SQLALCHEMY_DATABASE_URI=url)
    now = datetime(2023, 11, 1, tzinfo=UTC).isoformat()
    with app.app_context():
        upgrade(revision="0005_certificates")
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO users (id, email, name, role, language, timezone, "
                "is_active_account, created_at) VALUES (1, 'ayu@example.org', 'Ayu', "
                "'participant', 'id', 'Asia/Jakarta', 1, :now)"), {"now": now})
            connection.execute(text(
                "INSERT INTO organisations (id, name, created_at) VALUES (1, 'Fundación Sur', :now)"),
                {"now": now})
            for tid in (1, 2):
                connection.execute(text(
                    "INSERT INTO trainings (id, title_id, title_en, description_id, description_en,"
                    " timezone, certificate_rule, applications_open, requires_approval,"
                    " attendance_threshold_percent, late_after_minutes, certificate_statement_id,"
                    " certificate_statement_en, created_at, updated_at) VALUES (:id, 'P', 'T',"
                    " '', '', 'UTC', '{}', 0, 0, 60, 15, '', '', :now, :now)"),
                    {"id": tid, "now": now})
            rows = [(1, 1, None, "Ayu", "ayu@example.org"), (2, 2, None, "Ayu L.", "ayu@example.org"),
                    (3, 1, None, "Zoë Ñuñez", "zoe@example.org"),
                    (4, 2, None, "Zoe Nunez", "zoe@example.org")]
            for eid, tid, uid, name, email in rows:
                connection.execute(text(
                    "INSERT INTO enrolments (id, training_id, user_id, name, email, country_code,"
                    " organisation, sector, timezone, language, accessibility_consent, status,"
                    " created_at, updated_at) VALUES (:id, :tid, :uid, :name, :email, 'ID', '',"
                    " 'other', 'Asia/Jakarta', 'id', 0, 'accepted', :now, :now)"),
                    {"id": eid, "tid": tid, "uid": uid, "name": name, "email": email, "now": now})
        upgrade()
        with engine.connect() as connection:
            people = dict(connection.execute(text("SELECT id, user_id FROM enrolments")).all())
            keys = dict(connection.execute(text("SELECT id, search_key FROM enrolments")).all())
            name_key = connection.execute(text("SELECT name_key FROM organisations")).scalar()
            accounts = connection.execute(text("SELECT count(*) FROM users")).scalar()
        assert people[1] == people[2] == 1  # the existing account of that email
        assert people[3] == people[4] and people[3] not in (None, 1)  # one new account
        assert accounts == 2
        assert keys[3] == "zoe nunez zoe@example.org"
        assert name_key == "fundacion sur"
        downgrade(revision="0005_certificates")
        with engine.connect() as connection:
            columns = [r[1] for r in connection.execute(text("PRAGMA table_info(enrolments)"))]
        assert "search_key" not in columns
        engine.dispose()
