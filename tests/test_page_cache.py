"""Whole pages kept until the data changes or their next moment (trainings/pagecache.py).

A kept page is answered without reading what it shows; every write raises the data version
in its own transaction, so the next request renders the page again; the page's own moments
(a session ending) end it too; another account, another language or a message to show
never gets it; each answer carries its own session's CSRF token."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from trainings import pagecache
from trainings.extensions import db
from trainings.scheduling import page as scheduling_page

from .conftest import BACKEND


def version() -> int:
    return db.session.execute(text("SELECT value FROM data_version WHERE id = 1")).scalar_one()


def test_every_write_raises_the_version_in_its_own_transaction(app, make):
    start = version()
    db.session.rollback()
    user = make.user()  # an ORM flush and commit
    assert version() > start
    after_orm = version()
    db.session.rollback()
    with db.engine.begin() as connection:  # Core, outside the session
        connection.execute(text("UPDATE users SET name = 'Ratna' WHERE id = :id"), {"id": user.id})
    assert version() > after_orm
    after_core = version()
    db.session.rollback()
    # a write that is rolled back changes nothing, nor does a read
    db.session.execute(text("UPDATE users SET name = 'Sari' WHERE id = :id"), {"id": user.id})
    db.session.rollback()
    db.session.execute(text("SELECT count(*) FROM users")).scalar()
    db.session.commit()
    assert version() == after_core
    # the rate limits' counters are shown on no page
    with db.engine.begin() as connection:
        connection.execute(text("INSERT INTO rate_limits (key, count, expires_at) "
                                "VALUES ('k', 1, '2030-01-01 00:00:00')"))
    assert version() == after_core


def test_training_page_is_answered_without_its_statement_then_again_after_a_change(
        make, login, client, count_queries):
    organiser = make.user("organiser")
    training = make.training(organiser=organiser, sessions=2, title_en="Feminist leadership")
    login(organiser)
    client.get("/trainings")  # the login's welcome message shown: pages are kept from now on
    first = client.get(f"/trainings/{training.id}").get_data(as_text=True)
    with count_queries() as counter:
        kept = client.get(f"/trainings/{training.id}")
    assert kept.status_code == 200
    assert kept.get_data(as_text=True) == first
    assert not any("trainings.id" in s and "FROM trainings" in s for s in counter.statements)
    assert counter.count <= 2  # the user (with the version), nothing the page shows

    training.title_en = "Feminist leadership in humanitarian work"
    db.session.commit()
    with count_queries() as counter:
        fresh = client.get(f"/trainings/{training.id}").get_data(as_text=True)
    assert "Feminist leadership in humanitarian work" in fresh
    assert counter.count > 2


def test_a_kept_page_ends_when_its_next_session_ends(make, login, client, monkeypatch):
    organiser = make.user("organiser")
    starts = datetime.now(UTC) + timedelta(hours=1)
    training = make.training(organiser=organiser, sessions=1, first_start=starts,
                             duration_minutes=60)
    login(organiser)
    client.get("/trainings")
    assert "Scheduled" in client.get(f"/trainings/{training.id}").get_data(as_text=True)
    later = starts + timedelta(hours=2)  # the session has ended: the page says it was held
    monkeypatch.setattr(pagecache, "utcnow", lambda: later)
    monkeypatch.setattr(scheduling_page, "utcnow", lambda: later)
    html = client.get(f"/trainings/{training.id}").get_data(as_text=True)
    assert "Held" in html and "Scheduled" not in html


def test_no_page_is_kept_longer_than_the_configured_seconds(app, make, login, client,
                                                            monkeypatch, count_queries):
    organiser = make.user("organiser")
    training = make.training(organiser=organiser, sessions=1)  # held in 2023: no moment left
    login(organiser)
    client.get("/trainings")
    client.get(f"/trainings/{training.id}")
    later = datetime.now(UTC) + timedelta(seconds=app.config["PAGE_CACHE_SECONDS"] + 1)
    monkeypatch.setattr(pagecache, "utcnow", lambda: later)
    with count_queries() as counter:
        client.get(f"/trainings/{training.id}")
    assert any("FROM trainings" in s for s in counter.statements)
    with count_queries() as counter:  # rendered again, and kept again from then on
        client.get(f"/trainings/{training.id}")
    assert not any("FROM trainings" in s for s in counter.statements)


def test_another_account_or_language_never_gets_the_page(app, make, login, client):
    organiser = make.user("organiser", name="Ayu Organiser")
    other = make.user("organiser", name="Bima Organiser")
    training = make.training(organiser=organiser, sessions=1)
    training.staff[0].user  # noqa: B018 - loaded
    from trainings.scheduling.models import TrainingStaff
    training.staff.append(TrainingStaff(user=other, role="organiser"))
    db.session.commit()
    login(organiser)
    client.get("/trainings")
    assert "Ayu Organiser" in client.get(f"/trainings/{training.id}").get_data(as_text=True)
    second = app.test_client()
    second.post("/login", data={"email": other.email, "password": "correct-horse-battery"})
    second.get("/trainings")
    html = second.get(f"/trainings/{training.id}").get_data(as_text=True)
    assert "Bima Organiser" in html and "(Ayu Organiser)" not in html
    other.language = "id"
    db.session.commit()
    assert 'lang="id"' in second.get(f"/trainings/{training.id}").get_data(as_text=True)


def test_a_message_to_show_once_is_shown_on_a_kept_page(make, login, client):
    organiser = make.user("organiser")
    training = make.training(organiser=organiser, sessions=1)
    login(organiser)
    client.get("/trainings")
    client.get(f"/trainings/{training.id}")  # kept
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Saved the sessions.")]
    assert "Saved the sessions." in client.get(f"/trainings/{training.id}").get_data(as_text=True)
    assert "Saved the sessions." not in client.get(
        f"/trainings/{training.id}").get_data(as_text=True)


def test_each_answer_carries_its_own_sessions_csrf_token(app_factory, make):
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        participant = make.user()
        training = make.training(sessions=1)
        make.enrolment(training, user=participant)
        email, training_id = participant.email, training.id

    def logged_in():
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        client.post("/login", data={"email": email, "password": "correct-horse-battery",
                                    "csrf_token": token})
        client.get("/trainings")
        return client

    def token_on(client) -> str:
        html = client.get(f"/trainings/{training_id}").get_data(as_text=True)
        assert pagecache._PLACEHOLDER not in html
        return html.split('name="csrf_token" value="')[1].split('"')[0]

    first, second = logged_in(), logged_in()  # the same person, two browsers
    token_on(first)
    token = token_on(second)  # answered from the page kept for the first
    assert token != token_on(first)
    response = second.post("/logout", data={"csrf_token": token})  # the token works
    assert response.status_code == 302
    assert second.get(f"/trainings/{training_id}").status_code == 302  # logged out


def test_verification_page_is_kept_for_everyone_until_the_certificate_changes(
        make, client, count_queries):
    from trainings.certificates import services as certificates
    certificate, organiser = _issued_certificate(make)
    code = certificate.code
    client.get(f"/verify/{code}")
    with count_queries() as counter:
        html = client.get(f"/verify/{code}").get_data(as_text=True)
    assert "Dewi Lestari" in html
    assert counter.count == 1  # the version only
    certificates.revoke(certificate, actor=organiser, reason="Issued by mistake")
    db.session.commit()
    assert "Issued by mistake" in client.get(f"/verify/{code}").get_data(as_text=True)


def test_keeping_can_be_turned_off(app, make, login, client, count_queries):
    app.config["PAGE_CACHE_SECONDS"] = 0
    organiser = make.user("organiser")
    training = make.training(organiser=organiser, sessions=1)
    login(organiser)
    client.get("/trainings")
    client.get(f"/trainings/{training.id}")
    with count_queries() as counter:
        client.get(f"/trainings/{training.id}")
    assert any("FROM trainings" in s for s in counter.statements)


def _issued_certificate(make):
    from trainings.attendance.models import AttendanceRecord
    from trainings.certificates import services as certificates
    organiser = make.user("organiser")
    training = make.training(organiser=organiser, sessions=1)
    enrolment = make.enrolment(training, name="Dewi Lestari")
    db.session.add(AttendanceRecord(session_id=training.sessions[0].id,
                                    enrolment_id=enrolment.id, status="present"))
    db.session.commit()
    certificate = certificates.issue_all(training, actor=organiser, base="http://localhost")[0]
    db.session.commit()
    return certificate, organiser


def test_a_kept_verification_page_costs_only_the_rate_limits_hit(app_factory, make,
                                                                 count_queries):
    """The hit returns the version: the kept page needs no statement of its own, and the
    limit still counts every request."""
    app = app_factory(RATELIMIT_ENABLED=True, CERTIFICATE_VERIFY_RATE_LIMIT="3/minute")
    client = app.test_client()
    with app.app_context():
        code = _issued_certificate(make)[0].code
        db.session.remove()
    assert client.get(f"/verify/{code}").status_code == 200
    with app.app_context():
        with count_queries() as counter:
            kept = client.get(f"/verify/{code}")
    assert kept.status_code == 200 and "Dewi Lestari" in kept.get_data(as_text=True)
    assert len(counter.statements) == 1 and "rate_limits" in counter.statements[0]
    assert client.get(f"/verify/{code}").status_code == 200
    assert client.get(f"/verify/{code}").status_code == 429  # the 4th in the minute


@pytest.mark.skipif(BACKEND != "postgres", reason="unlogged tables: PostgreSQL only")
def test_rate_limit_counters_skip_postgresqls_write_ahead_log(app):
    persistence = db.session.execute(text(
        "SELECT relpersistence FROM pg_class WHERE relname = 'rate_limits'")).scalar_one()
    assert persistence == "u"
