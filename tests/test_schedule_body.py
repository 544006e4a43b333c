"""My schedule's content is kept under everything it shows (overview/schedule_body.py):
the same page again is the kept one, and every change of the rows, the instant, the
language, the zone or the person is another page; pages that depend on more than the rows
(check-in cards, required surveys) are rendered each time."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from trainings.attendance.models import AttendanceRecord
from trainings.extensions import db
from trainings.overview.schedule_body import schedule_body
from trainings.scheduling.page import fragments

from .evaluation_helpers import survey


def _kept() -> int:
    return len(fragments("schedule_body"))


def _page(client) -> str:
    response = client.get("/me/schedule")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_same_page_is_kept_and_every_change_is_another(app, make, login, client):
    organiser, person = make.user("organiser"), make.user(timezone="Asia/Jakarta")
    training = make.training(organiser=organiser, sessions=3, certificate_rule={"min_sessions": 2})
    enrolment = make.enrolment(training, user=person)
    login(person)
    _page(client)  # the welcome message shows once
    first = _page(client)
    count = _kept()
    assert _page(client) == first and _kept() == count  # the same page: the kept one
    assert "0 of 3 sessions attended" in first
    session = sorted(training.sessions, key=lambda s: s.starts_at)[0]
    db.session.add(AttendanceRecord(session_id=session.id, enrolment_id=enrolment.id,
                                    status="present"))
    db.session.commit()
    attended = _page(client)
    assert "1 of 3 sessions attended" in attended and "Present" in attended
    make.session(training, starts_at=datetime.now(UTC) + timedelta(days=2), title_en="Extra")
    assert "Extra" in _page(client)
    training.title_en = "Renamed training"
    db.session.commit()
    assert "Renamed training" in _page(client)
    person.timezone = "Asia/Karachi"
    db.session.commit()
    assert "Asia/Karachi (PKT)" in _page(client)
    person.language = "id"
    db.session.commit()
    assert "Jadwal saya" in _page(client)
    assert _kept() == count + 5


def test_the_instant_decides_past_upcoming_and_the_join_button(app, make):
    organiser, person = make.user("organiser"), make.user()
    training = make.training(organiser=organiser, sessions=0)
    starts = datetime(2030, 3, 4, 8, 0, tzinfo=UTC)
    make.session(training, starts_at=starts, duration_minutes=60).meeting_url = (
        "https://meet.example.org/room")
    db.session.commit()
    make.enrolment(training, user=person)
    with app.test_request_context("/"):
        def at(moment):
            return str(schedule_body(person, moment, "UTC"))
        early, soon, running, over = (at(starts - timedelta(hours=2)),
                                      at(starts - timedelta(minutes=10)),
                                      at(starts + timedelta(minutes=30)),
                                      at(starts + timedelta(minutes=61)))
        assert at(starts - timedelta(hours=1)) == early  # nothing changed in between
    assert "join-now" not in early and "join-now" in soon and "join-now" in running
    assert 'id="past-heading"' not in running and 'id="past-heading"' in over


def test_a_page_is_never_shared_between_people(app, make, login, client):
    training = make.training(organiser=make.user("organiser"), sessions=2)
    one, other = make.user("facilitator"), make.user("facilitator")
    for person in (one, other):
        make.enrolment(training, user=person)
    login(one)
    _page(client)
    count = _kept()
    client.post("/logout")
    login(other)
    _page(client)
    assert _kept() == count + 1


def test_pages_with_check_in_cards_or_required_surveys_are_not_kept(app, make, login, client):
    organiser, person = make.user("organiser"), make.user()
    gathering = make.training(organiser=organiser, sessions=1)
    gathering.sessions[0].mode, gathering.sessions[0].venue_name = "in_person", "Gedung A"
    db.session.commit()
    make.enrolment(gathering, user=person)
    login(person)
    _page(client)  # the welcome message shows once
    count = _kept()
    page = _page(client)
    assert "Check-in at gatherings" in page and _page(client) == page and _kept() == count
    gathering.sessions[0].mode = "online"
    db.session.commit()
    _page(client)
    assert _kept() == count + 1  # online only again: kept
    data = survey(gathering, organiser)
    data.is_required_for_certificate = True
    db.session.commit()
    required = _page(client)
    assert "The certificate also needs your answers to:" in required
    assert _kept() == count + 1
