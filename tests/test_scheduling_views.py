"""Scheduling pages: wiring, permissions, forms with errors, zone lines, personal pages."""
from datetime import UTC, datetime, timedelta

import pytest

from trainings.attendance.models import AttendanceRecord
from trainings.extensions import db
from trainings.scheduling.models import Training, TrainingSession


def test_organiser_creates_a_training_through_the_form(make, login, client):
    organiser = make.user("organiser")
    login(organiser)
    assert client.get("/trainings/new").status_code == 200
    response = client.post("/trainings/new", data={
        "title_id": "Kepemimpinan Perempuan", "title_en": "Women's Leadership",
        "description_id": "", "description_en": "", "timezone": "Asia/Jakarta",
        "capacity": "30", "quotas": "ID: 10\nMalaysia: 10\nPAK = 10", "min_sessions": "6",
        "organisations": "Komnas Perempuan\nINFID\n", "applications_open": "y"})
    assert response.status_code == 302
    training = db.session.query(Training).one()
    assert training.applications_open and not training.requires_approval  # opened at creation
    assert response.headers["Location"].endswith(f"/trainings/{training.id}/sessions")
    assert training.country_quotas == {"ID": 10, "MY": 10, "PK": 10}
    assert training.certificate_rule == {"min_sessions": 6}
    assert [o.name for o in training.organisations] == ["Komnas Perempuan", "INFID"]


@pytest.mark.parametrize("change, message", [
    ({"quotas": "Atlantis: 3"}, "Unknown country"),
    ({"quotas": "just text"}, "Line 1"),
    ({"timezone": "Mars/Olympus"}, "valid time zone"),
    ({"title_id": "", "title_en": ""}, "Indonesian or English"),
    ({"capacity": "-3"}, "whole number"),
])
def test_training_form_errors_show_next_to_fields_and_write_nothing(make, login, client, change, message):
    login(make.user("organiser"))
    data = {"title_id": "Judul", "title_en": "Title", "timezone": "Asia/Jakarta", "quotas": "",
            "organisations": "", **change}
    response = client.post("/trainings/new", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.query(Training).count() == 0


def test_participants_and_facilitators_cannot_create_or_edit(make, login, client):
    organiser = make.user("organiser")
    facilitator = make.user("facilitator")
    participant = make.user()
    training = make.training(organiser=organiser, facilitators=[facilitator], sessions=1)
    make.enrolment(training, user=participant)
    session_id = training.sessions[0].id
    for user in (participant, facilitator, make.user("organiser")):
        login(user)
        if user.role != "organiser":
            assert client.get("/trainings/new").status_code == 403
        assert client.get(f"/trainings/{training.id}/edit").status_code == 403
        assert client.post(f"/trainings/{training.id}/edit", data={"title_en": "Hacked"}).status_code == 403
        assert client.get(f"/trainings/{training.id}/sessions").status_code == 403
        assert client.post(f"/sessions/{session_id}/cancel").status_code == 403
        assert client.get(f"/sessions/{session_id}/edit").status_code == 403
    db.session.expire_all()
    assert db.session.get(TrainingSession, session_id).status == "scheduled"
    assert client.get("/trainings/424242/edit").status_code == 404


def test_settings_page_edits_and_manages_staff(make, login, client):
    organiser = make.user("organiser")
    make.user("facilitator", email="fac@example.org", name="Fatima")
    training = make.training(organiser=organiser, quotas={"ID": 5})
    login(organiser)
    page = client.get(f"/trainings/{training.id}/edit").get_data(as_text=True)
    assert "ID: 5" in page and "Komnas Perempuan" in page
    response = client.post(f"/trainings/{training.id}/edit", data={
        "title_id": "Judul baru", "title_en": "New title", "timezone": "Asia/Karachi",
        "capacity": "", "quotas": "PK: 4", "min_sessions": "", "organisations": "INFID"})
    assert response.status_code == 302
    db.session.expire_all()
    training = db.session.get(Training, training.id)
    assert training.title_en == "New title" and training.timezone == "Asia/Karachi"
    assert training.country_quotas == {"PK": 4} and training.capacity is None
    assert client.post(f"/trainings/{training.id}/staff", data={
        "staff-email": "fac@example.org", "staff-role": "facilitator"}).status_code == 302
    missing = client.post(f"/trainings/{training.id}/staff", data={
        "staff-email": "ghost@example.org", "staff-role": "facilitator"})
    assert missing.status_code == 422 and "ghost@example.org" in missing.get_data(as_text=True)
    page = client.get(f"/trainings/{training.id}/edit").get_data(as_text=True)
    assert "Fatima" in page


def test_sessions_page_adds_one_and_a_weekly_series_and_warns_of_conflicts(make, login, client):
    organiser = make.user("organiser")
    fac = make.user("facilitator", email="fac@example.org", name="Fatima")
    training = make.training(organiser=organiser, facilitators=[fac])
    make.session(make.training(), starts_at=datetime(2030, 3, 4, 7, 30, tzinfo=UTC), facilitators=[fac])
    login(organiser)
    page = client.get(f"/trainings/{training.id}/sessions").get_data(as_text=True)
    assert "Fatima" in page
    response = client.post(f"/trainings/{training.id}/sessions", data={
        "action": "series", "series-first_starts_at": "2030-03-04T14:00", "series-zone": "Asia/Jakarta",
        "series-count": "4", "series-mode": "weekly", "series-weekdays": ["0", "2"],
        "series-interval_days": "", "series-duration_minutes": "90",
        "series-title_prefix_id": "Sesi", "series-title_prefix_en": "Session",
        "series-facilitators": ["fac@example.org"]}, follow_redirects=True)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "4 sessions are added" in text
    assert "Fatima already facilitates a session of another training" in text  # the conflict, as a warning
    assert text.count("Overlap:") == 1  # and in the list, next to the session concerned
    starts = [s.starts_at for s in db.session.query(TrainingSession).filter_by(training_id=training.id)
              .order_by(TrainingSession.starts_at)]
    assert starts[0] == datetime(2030, 3, 4, 7, 0, tzinfo=UTC)
    assert starts[1] == datetime(2030, 3, 6, 7, 0, tzinfo=UTC)

    response = client.post(f"/trainings/{training.id}/sessions", data={
        "action": "one", "one-title_id": "Penutupan", "one-title_en": "Closing",
        "one-starts_at": "2030-04-01T09:00", "one-zone": "Asia/Karachi",
        "one-duration_minutes": "60", "one-meeting_url": "https://meet.example.org/x"})
    assert response.status_code == 302
    closing = db.session.query(TrainingSession).filter_by(title_en="Closing").one()
    assert closing.starts_at == datetime(2030, 4, 1, 4, 0, tzinfo=UTC)


@pytest.mark.parametrize("change, message", [
    ({"series-count": "101"}, "from 1 to 100 sessions"),
    ({"series-duration_minutes": "0"}, "duration must be"),
    ({"series-duration_minutes": "-10"}, "duration must be"),
    ({"series-first_starts_at": "1800-01-01T10:00"}, "between the years"),
    ({"series-zone": "Mars/Base"}, "valid time zone"),
    ({"series-first_starts_at": ""}, "This field is required"),
    ({"series-mode": "weekly"}, "Choose at least one weekday"),
])
def test_series_form_errors_write_nothing(make, login, client, change, message):
    organiser = make.user("organiser")
    training = make.training(organiser=organiser)
    login(organiser)
    data = {"action": "series", "series-first_starts_at": "2030-03-04T14:00",
            "series-zone": "Asia/Jakarta", "series-count": "7", "series-mode": "interval",
            "series-interval_days": "2", "series-duration_minutes": "120",
            "series-title_prefix_id": "Sesi", "series-title_prefix_en": "Session", **change}
    response = client.post(f"/trainings/{training.id}/sessions", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.query(TrainingSession).count() == 0


def test_reschedule_and_cancel_from_the_pages(make, login, client):
    organiser = make.user("organiser")
    training = make.training(organiser=organiser, sessions=2)
    first = training.sessions[0]
    login(organiser)
    form = client.get(f"/sessions/{first.id}/edit").get_data(as_text=True)
    assert 'value="2023-12-05T14:00"' in form  # shown in the home zone
    response = client.post(f"/sessions/{first.id}/edit", data={
        "s-title_id": "Sesi 1", "s-title_en": "Session 1", "s-starts_at": "2023-12-05T15:00",
        "s-zone": "Asia/Jakarta", "s-duration_minutes": "120",
        "s-meeting_url": first.meeting_url})
    assert response.status_code == 302
    confirm = client.get(f"/sessions/{first.id}/cancel")
    assert confirm.status_code == 200 and "Cancel session 1?" in confirm.get_data(as_text=True)
    assert client.post(f"/sessions/{first.id}/cancel").status_code == 200  # asks first
    db.session.expire_all()
    assert db.session.get(TrainingSession, first.id).status == "scheduled"
    assert client.post(f"/sessions/{first.id}/cancel", data={"confirmed": "1"}).status_code == 302
    db.session.expire_all()
    session = db.session.get(TrainingSession, first.id)
    assert session.starts_at == datetime(2023, 12, 5, 8, 0, tzinfo=UTC)
    assert session.status == "cancelled" and session.sequence == 2
    bad = client.post(f"/sessions/{first.id}/edit", data={
        "s-title_en": "Session 1", "s-starts_at": "2023-12-05T15:00", "s-zone": "Asia/Jakarta",
        "s-duration_minutes": "0"})
    assert bad.status_code == 422
    page = client.get(f"/trainings/{training.id}").get_data(as_text=True)
    assert "Cancelled" in page


def test_training_page_shows_participant_zones_and_marks_another_date(make, login, client):
    organiser = make.user("organiser", timezone="Asia/Jakarta")
    training = make.training(organiser=organiser, sessions=0)
    make.session(training, starts_at=datetime(2023, 12, 5, 13, 0, tzinfo=UTC))  # 20:00 WIB
    make.enrolment(training, timezone="Asia/Kuala_Lumpur")
    make.enrolment(training, timezone="Asia/Kuching")  # also MYT: shown once
    make.enrolment(training, timezone="Asia/Karachi")
    make.enrolment(training, timezone="Pacific/Auckland")
    make.enrolment(training, timezone="Europe/London", status="waitlisted")  # not counted
    login(organiser)
    page = client.get(f"/trainings/{training.id}").get_data(as_text=True)
    assert "20:00 WIB · " in page
    assert "21:00 MYT" in page and "18:00 PKT" in page
    assert "02:00 NZDT (Wed 6 Dec, next day)" in page
    assert "GMT" not in page
    assert page.count("21:00 MYT") == 1


def test_module_link_only_when_the_modules_page_exists(make, login, client, app):
    organiser = make.user("organiser")
    training = make.training(organiser=organiser, sessions=1)
    training.sessions[0].module_slug = "kepemimpinan-perempuan"
    db.session.commit()
    login(organiser)
    page = client.get(f"/trainings/{training.id}").get_data(as_text=True)
    if "modules.detail" in app.view_functions:
        assert "#section-1" in page
    else:
        assert "#section-1" not in page


def test_my_schedule_for_a_participant(make, login, client):
    participant = make.user(timezone="Asia/Karachi")
    now = datetime.now(UTC)
    training = make.training(organiser=make.user("organiser"), sessions=0,
                             certificate_rule={"min_sessions": 3})
    past = [make.session(training, starts_at=now - timedelta(days=d)) for d in (6, 4, 2)]
    soon = make.session(training, starts_at=now + timedelta(minutes=20))
    later = make.session(training, starts_at=now + timedelta(days=3))
    for s in (soon, later):
        s.meeting_url = f"https://meet.example.org/{s.id}"
    enrolment = make.enrolment(training, user=participant)
    db.session.add(AttendanceRecord(session_id=past[0].id, enrolment_id=enrolment.id, status="present"))
    db.session.add(AttendanceRecord(session_id=past[1].id, enrolment_id=enrolment.id, status="absent"))
    waiting = make.training(organiser=make.user("organiser"), sessions=0)
    hidden = make.session(waiting, starts_at=now + timedelta(days=1))
    hidden.meeting_url = "https://meet.example.org/secret"
    make.enrolment(waiting, user=participant, status="waitlisted")
    db.session.commit()

    login(participant)
    page = client.get("/me/schedule").get_data(as_text=True)
    assert "PKT" in page
    assert "Join the session now" in page  # within 30 minutes: prominent
    assert f"https://meet.example.org/{later.id}" in page
    assert "https://meet.example.org/secret" not in page
    assert "once your place is confirmed" in page
    assert "Present" in page and "Absent" in page and "Not recorded yet" in page
    assert "1 of 5 sessions attended; 2 more needed for the certificate." in page


def test_my_schedule_queries_do_not_grow_with_trainings(app, make, login, client, count_queries):
    app.config["PAGE_CACHE_SECONDS"] = 0  # rendering it (kept pages: test_page_cache.py)
    participant = make.user()
    login(participant)

    def queries():
        with count_queries() as counter:
            assert client.get("/me/schedule").status_code == 200
        return counter.count

    make.enrolment(make.training(organiser=make.user("organiser"), sessions=7), user=participant)
    one = queries()
    for _ in range(5):
        make.enrolment(make.training(organiser=make.user("organiser"), sessions=7), user=participant)
    six = queries()
    # neither per training nor per session: progress, attendance and certificates are batched
    assert six == one


def test_my_sessions_for_a_facilitator(make, login, client):
    fac = make.user("facilitator")
    training = make.training(organiser=make.user("organiser"), sessions=0)
    make.session(training, starts_at=datetime.now(UTC) + timedelta(days=2), facilitators=[fac])
    make.enrolment(training, name="Siti Rahmawati", accessibility_needs="live captions")
    make.enrolment(training, name="Ayesha Khan", country="PK", timezone="Asia/Karachi",
                   accessibility_needs="sign language interpreter")
    login(fac)
    page = client.get("/me/sessions").get_data(as_text=True)
    assert "Siti Rahmawati" in page and "Ayesha Khan" in page
    assert "Live captions" in page and "Sign language interpretation" in page
    login(make.user())
    answer = client.get("/me/sessions")  # a participant facilitates nothing: My schedule
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/me/schedule")


def test_csrf_is_required_for_changes(make, app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        organiser = make.user("organiser")
        training = make.training(organiser=organiser, sessions=1)
        client = app.test_client()
        client.post("/login", data={"email": organiser.email, "password": "correct-horse-battery"})
        client.post(f"/sessions/{training.sessions[0].id}/cancel", data={"confirmed": "1"})
        db.session.expire_all()
        assert db.session.get(TrainingSession, training.sessions[0].id).status == "scheduled"


def test_trainings_index_summarises_sessions_in_fixed_queries(make, login, client, count_queries):
    organiser = make.user("organiser")
    make.training(organiser=organiser, sessions=7, title_en="Leadership")
    login(organiser)

    def queries():
        with count_queries() as counter:
            page = client.get("/trainings").get_data(as_text=True)
        return counter.count, page

    one, page = queries()
    assert "7 sessions" in page and "December 5, 2023 – December 17, 2023" in page
    assert "New training" in page
    for _ in range(4):
        make.training(organiser=organiser, sessions=7)
    five, _page = queries()
    assert five - one <= 1  # neither per training nor per session


def test_meeting_link_on_the_training_page_only_for_accepted_and_staff(make, login, client):
    training = make.training(organiser=make.user("organiser"), sessions=1)
    link = training.sessions[0].meeting_url
    accepted, waiting = make.user(), make.user()
    make.enrolment(training, user=accepted)
    make.enrolment(training, user=waiting, status="waitlisted")
    login(waiting)
    assert link not in client.get(f"/trainings/{training.id}").get_data(as_text=True)
    login(accepted)
    assert link in client.get(f"/trainings/{training.id}").get_data(as_text=True)


def test_cancelling_a_session_asks_first_and_may_mail_nobody(make, login, client):
    from trainings.outbox.models import OutboxMessage
    organiser = make.user("organiser")
    training = make.training(organiser=organiser, sessions=2,
                             first_start=datetime.now(UTC) + timedelta(days=3))
    make.enrolment(training, user=make.user(), status="accepted")
    login(organiser)
    first, second = training.sessions
    page = client.get(f"/sessions/{first.id}/cancel").get_data(as_text=True)
    assert 'name="notify"' in page  # an upcoming session: mailing is offered, ticked
    mails = lambda: db.session.scalar(db.select(db.func.count()).select_from(OutboxMessage))  # noqa: E731
    before = mails()
    client.post(f"/sessions/{first.id}/cancel", data={"confirmed": "1"})
    assert mails() == before  # the box was unticked: nobody mailed
    client.post(f"/sessions/{second.id}/cancel", data={"confirmed": "1", "notify": "1"})
    assert mails() > before
    db.session.expire_all()
    assert {s.status for s in db.session.get(type(training), training.id).sessions} == {"cancelled"}


def test_past_sessions_say_held(make, login, client):
    organiser = make.user("organiser")
    training = make.training(organiser=organiser, sessions=1)  # December 2023
    make.session(training, starts_at=datetime.now(UTC) + timedelta(days=2))
    login(organiser)
    page = client.get(f"/trainings/{training.id}/sessions").get_data(as_text=True)
    assert "Held" in page and "Scheduled" in page


def test_zone_line_is_ordered_by_offset():
    from trainings.scheduling.page import zone_line as _zone_line
    line = _zone_line(datetime(2023, 12, 5, 7, 0, tzinfo=UTC), "Asia/Jakarta",
                      ["Asia/Tokyo", "Asia/Karachi", "Asia/Kuala_Lumpur", "Asia/Kathmandu"])
    assert [e["zone"] for e in line] == ["Asia/Jakarta", "Asia/Karachi", "Asia/Kathmandu",
                                         "Asia/Kuala_Lumpur", "Asia/Tokyo"]


def test_series_form_offers_facilitators_and_modules(make, login, client):
    organiser = make.user("organiser")
    make.user("facilitator", name="Fitri Handayani")  # not yet on this training's team
    training = make.training(organiser=organiser, sessions=0)
    login(organiser)
    page = client.get(f"/trainings/{training.id}/sessions").get_data(as_text=True)
    assert "Fitri Handayani" in page
    assert 'value="kepemimpinan-perempuan"' in page  # the module chosen from a list
