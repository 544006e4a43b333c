"""Gatherings: sessions online, in person or hybrid, with a venue and interpretation."""
from sqlalchemy import func, select

from trainings.extensions import db
from trainings.scheduling.models import TrainingSession

VENUE = {"name": "Hotel Santika", "address": "Jl. KH Wahid Hasyim 1, Jakarta",
         "accessibility": {"id": "Lift dan toilet aksesibel", "en": "Lift and accessible toilets"}}
NEW = {"title": {"id": "Hari 1", "en": "Day 1"}, "starts_at": "2027-03-01T09:00:00+07:00",
       "duration_minutes": 240}


def _sessions() -> int:
    return db.session.scalar(select(func.count(TrainingSession.id)))


def test_hybrid_session_with_venue_and_interpretation(make, api):
    organiser = make.user("organiser")
    training = make.training(organiser=organiser)
    response = api(organiser).post(f"/api/v1/trainings/{training.id}/sessions", json={
        **NEW, "mode": "hybrid", "venue": VENUE, "meeting_url": "https://meet.example.org/x",
        "interpretation": ["id-en", "sign:bisindo"]})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["mode"] == "hybrid"
    assert body["venue"] == VENUE
    assert body["interpretation"] == ["id-en", "sign:BISINDO"]
    again = api(organiser).get(f"/api/v1/sessions/{body['id']}").get_json()
    assert again["venue"] == VENUE and again["mode"] == "hybrid"


def test_default_is_online_without_venue(make, api):
    organiser = make.user("organiser")
    training = make.training(organiser=organiser)
    body = api(organiser).post(f"/api/v1/trainings/{training.id}/sessions", json=NEW).get_json()
    assert body["mode"] == "online" and body["venue"] is None and body["interpretation"] == []


def test_in_person_without_venue_is_422_and_writes_nothing(make, api):
    organiser = make.user("organiser")
    training = make.training(organiser=organiser)
    response = api(organiser).post(f"/api/v1/trainings/{training.id}/sessions",
                                   json={**NEW, "mode": "in_person"})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert any(d["field"] == "venue" for d in error["details"])
    assert _sessions() == 0


def test_patch_to_in_person_needs_a_venue_and_keeps_the_session(make, api):
    organiser = make.user("organiser")
    training = make.training(organiser=organiser, sessions=1)
    session = training.sessions[0]
    response = api(organiser).patch(f"/api/v1/sessions/{session.id}", json={"mode": "in_person"})
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(TrainingSession, session.id).mode == "online"
    ok = api(organiser).patch(f"/api/v1/sessions/{session.id}",
                              json={"mode": "in_person", "venue": VENUE})
    assert ok.status_code == 200 and ok.get_json()["mode"] == "in_person"
    # removing the venue of an in-person session is refused
    bad = api(organiser).patch(f"/api/v1/sessions/{session.id}", json={"venue": None})
    assert bad.status_code == 422


def test_bad_interpretation_and_mode_are_422(make, api):
    organiser = make.user("organiser")
    training = make.training(organiser=organiser)
    url = f"/api/v1/trainings/{training.id}/sessions"
    assert api(organiser).post(url, json={**NEW, "interpretation": ["klingon"]}).status_code == 422
    assert api(organiser).post(url, json={**NEW, "interpretation": ["id-id"]}).status_code == 422
    assert api(organiser).post(url, json={**NEW, "mode": "outdoors"}).status_code == 422
    assert _sessions() == 0


def test_series_in_person(make, api):
    organiser = make.user("organiser")
    training = make.training(organiser=organiser)
    url = f"/api/v1/trainings/{training.id}/sessions/series"
    series = {"first_starts_at": "2027-03-01T09:00:00+07:00", "count": 3, "interval_days": 1,
              "duration_minutes": 180}
    assert api(organiser).post(url, json={**series, "mode": "in_person"}).status_code == 422
    response = api(organiser).post(url, json={**series, "mode": "in_person", "venue": VENUE,
                                              "interpretation": ["id-en", "sign:BISINDO"]})
    assert response.status_code == 201, response.get_json()
    assert {s["venue"]["name"] for s in response.get_json()["items"]} == {"Hotel Santika"}


def test_database_refuses_in_person_without_venue(make):
    import pytest
    from sqlalchemy.exc import IntegrityError
    training = make.training()
    session = make.session(training, commit=False)
    session.mode = "in_person"
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def _in_person(make, organiser=None):
    training = make.training(organiser=organiser, sessions=1)
    session = training.sessions[0]
    session.mode, session.venue_name = "hybrid", "Hotel Santika"
    session.venue_address = "Jl. KH Wahid Hasyim 1"
    session.venue_accessibility_en, session.venue_accessibility_id = "Step-free", "Tanpa tangga"
    session.interpretation = ["id-en", "sign:BISINDO"]
    db.session.commit()
    return training, session


def test_calendar_feed_has_the_venue_as_location(make, login, client):
    organiser = make.user("organiser")
    training, _session = _in_person(make, organiser)
    login(organiser)
    text = client.get(f"/trainings/{training.id}/calendar.ics").get_data(as_text=True)
    unfolded = text.replace("\r\n ", "")
    assert "LOCATION:Hotel Santika\\, Jl. KH Wahid Hasyim 1" in unfolded
    assert "Step-free" in unfolded and "BISINDO" in unfolded


def test_training_page_and_form_show_mode_venue_interpretation(make, login, client):
    organiser = make.user("organiser")
    training, session = _in_person(make, organiser)
    login(organiser)
    page = client.get(f"/trainings/{training.id}").get_data(as_text=True)
    assert "Hybrid" in page and "Hotel Santika" in page and "Step-free" in page
    assert "Sign language: BISINDO" in page
    edit = client.get(f"/sessions/{session.id}/edit").get_data(as_text=True)
    assert 'value="Hotel Santika"' in edit


def test_session_form_needs_a_venue_in_person_and_saves_it(make, login, client):
    organiser = make.user("organiser")
    training = make.training(organiser=organiser)
    login(organiser)
    form = {"action": "one", "one-title_id": "Hari 1", "one-title_en": "Day 1",
            "one-starts_at": "2030-04-01T09:00", "one-zone": "Asia/Jakarta",
            "one-duration_minutes": "180", "one-session_mode": "in_person"}
    bad = client.post(f"/trainings/{training.id}/sessions", data=form)
    assert bad.status_code == 422
    assert "An in-person or hybrid session needs a venue." in bad.get_data(as_text=True)
    assert _sessions() == 0
    ok = client.post(f"/trainings/{training.id}/sessions", data={
        **form, "one-venue_name": "Balai Temu", "one-venue_address": "Jl. Cempaka 12",
        "one-venue_accessibility_id": "Tanpa tangga", "one-venue_accessibility_en": "Step-free",
        "one-interpretation": "id-en, sign:BISINDO"})
    assert ok.status_code == 302
    session = db.session.scalar(select(TrainingSession))
    assert (session.mode, session.venue_name, session.venue_accessibility_en,
            session.interpretation) == ("in_person", "Balai Temu", "Step-free",
                                        ["id-en", "sign:BISINDO"])
