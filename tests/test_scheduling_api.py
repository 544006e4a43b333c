"""The scheduling API per contract: trainings, staff, sessions, series, session PATCH, me/schedule."""
from datetime import UTC, datetime

import pytest

from trainings.extensions import db
from trainings.scheduling.models import Training, TrainingSession

TRAINING = {"title": {"id": "Kepemimpinan Perempuan", "en": "Women's Leadership"},
            "description": {"id": "Tentang", "en": "About"},
            "timezone": "Asia/Jakarta", "capacity": 30,
            "country_quotas": {"ID": 10, "MY": 10, "PK": 10},
            "certificate_rule": {"min_sessions": 6},
            "organisations": ["Komnas Perempuan", "INFID"]}


def test_create_training_answers_201_with_every_field(make, api):
    organiser = make.user("organiser")
    response = api(organiser).post("/api/v1/trainings", json=TRAINING)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert isinstance(body["id"], int)
    for key, value in TRAINING.items():
        assert body[key] == value
    # the creator is an organiser: may read and edit it
    assert api(organiser).get(f"/api/v1/trainings/{body['id']}").status_code == 200
    staff = api(organiser).get(f"/api/v1/trainings/{body['id']}/staff").get_json()["items"]
    assert [(s["email"], s["role"]) for s in staff] == [(organiser.email, "organiser")]


def test_create_training_optional_fields_and_normalised_countries(make, api):
    organiser = make.user("organiser")
    body = api(organiser).post("/api/v1/trainings", json={
        "title": {"id": "Pelatihan", "en": "Training"}, "timezone": "Asia/Karachi",
        "country_quotas": {"Pakistan": 5, "MYS": 4}}).get_json()
    assert body["capacity"] is None and body["certificate_rule"] == {}
    assert body["country_quotas"] == {"MY": 4, "PK": 5}


@pytest.mark.parametrize("role", ["participant", "facilitator"])
def test_only_organisers_and_admins_create_trainings(make, api, role):
    response = api(make.user(role)).post("/api/v1/trainings", json=TRAINING)
    assert response.status_code == 403
    assert db.session.query(Training).count() == 0
    assert api(make.user("admin")).post("/api/v1/trainings", json=TRAINING).status_code == 201


@pytest.mark.parametrize("change, field", [
    ({"timezone": "Asia/Atlantis"}, "timezone"),
    ({"country_quotas": {"Narnia": 2}}, "country_quotas.Narnia"),
    ({"country_quotas": {"ID": -1}}, "country_quotas.ID"),
    ({"capacity": "many"}, "capacity"),
    ({"certificate_rule": {"min_sessions": -1}}, "certificate_rule.min_sessions"),
    ({"certificate_rule": {"bogus": 1}}, "certificate_rule"),
])
def test_create_training_422_writes_nothing(make, api, change, field):
    response = api(make.user("organiser")).post("/api/v1/trainings", json={**TRAINING, **change})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert field in [d["field"] for d in error["details"]]
    assert db.session.query(Training).count() == 0


def test_patch_training(make, api):
    organiser = make.user("organiser")
    training = make.training(organiser=organiser, capacity=20)
    response = api(organiser).patch(f"/api/v1/trainings/{training.id}", json={
        "capacity": 40, "country_quotas": {"ID": 20}, "title": {"id": "Baru", "en": "New"}})
    assert response.status_code == 200
    body = response.get_json()
    assert body["capacity"] == 40 and body["country_quotas"] == {"ID": 20}
    assert body["title"] == {"id": "Baru", "en": "New"}
    assert body["organisations"] == ["Komnas Perempuan", "INFID"]  # untouched
    bad = api(organiser).patch(f"/api/v1/trainings/{training.id}", json={"timezone": "Nowhere"})
    assert bad.status_code == 422


def test_others_cannot_edit(make, api):
    organiser = make.user("organiser")
    facilitator = make.user("facilitator")
    participant = make.user()
    training = make.training(organiser=organiser, facilitators=[facilitator], sessions=1)
    make.enrolment(training, user=participant)
    session_id = training.sessions[0].id
    stranger = make.user("organiser")
    for user, expected in ((stranger, (403, 404)), (facilitator, (403,)), (participant, (403,))):
        client = api(user)
        assert client.patch(f"/api/v1/trainings/{training.id}", json={"capacity": 1}).status_code in expected
        assert client.post(f"/api/v1/trainings/{training.id}/sessions", json={
            "title": {"id": "x", "en": "x"}, "starts_at": "2023-12-05T14:00:00+07:00",
            "duration_minutes": 60}).status_code in expected
        assert client.post(f"/api/v1/trainings/{training.id}/sessions/series", json={
            "first_starts_at": "2023-12-05T14:00:00+07:00", "count": 2,
            "duration_minutes": 60}).status_code in expected
        assert client.patch(f"/api/v1/sessions/{session_id}",
                            json={"status": "cancelled"}).status_code in expected
        assert client.post(f"/api/v1/trainings/{training.id}/staff", json={
            "email": user.email, "role": "organiser"}).status_code in expected
    db.session.expire_all()
    assert db.session.get(Training, training.id).capacity is None
    assert db.session.query(TrainingSession).count() == 1
    assert db.session.get(TrainingSession, session_id).status == "scheduled"
    assert api(organiser).get("/api/v1/trainings/999999").status_code == 404


def test_add_staff(make, api):
    organiser = make.user("organiser")
    fac = make.user("facilitator", email="fac@example.org")
    training = make.training(organiser=organiser)
    response = api(organiser).post(f"/api/v1/trainings/{training.id}/staff",
                                   json={"email": "FAC@example.org", "role": "facilitator"})
    assert response.status_code == 201
    assert response.get_json()["email"] == fac.email and response.get_json()["role"] == "facilitator"
    again = api(organiser).post(f"/api/v1/trainings/{training.id}/staff",
                                json={"email": "fac@example.org", "role": "facilitator"})
    assert again.status_code == 409
    unknown = api(organiser).post(f"/api/v1/trainings/{training.id}/staff",
                                  json={"email": "nobody@example.org", "role": "facilitator"})
    assert unknown.status_code == 422
    bad_role = api(organiser).post(f"/api/v1/trainings/{training.id}/staff",
                                   json={"email": "fac@example.org", "role": "king"})
    assert bad_role.status_code == 422


def test_create_session_201_in_contract_shape(make, api):
    organiser = make.user("organiser", timezone="Asia/Karachi")
    fac = make.user("facilitator", email="fac@example.org")
    training = make.training(organiser=organiser)
    response = api(organiser).post(f"/api/v1/trainings/{training.id}/sessions", json={
        "title": {"id": "Pembukaan", "en": "Opening"}, "starts_at": "2023-12-05T14:00:00+07:00",
        "duration_minutes": 120, "meeting_url": "https://meet.example.org/abc",
        "facilitators": ["fac@example.org"], "module": "kepemimpinan-perempuan"})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["number"] == 1 and body["status"] == "scheduled"
    assert body["starts_at"] == "2023-12-05T07:00:00Z" and body["ends_at"] == "2023-12-05T09:00:00Z"
    assert body["local"]["starts_at"] == "2023-12-05T12:00:00+05:00"
    assert body["local"]["timezone"] == "Asia/Karachi"
    assert body["title"] == {"id": "Pembukaan", "en": "Opening"}
    assert body["facilitators"] == [fac.email] and body["module"] == "kepemimpinan-perempuan"
    assert body["meeting_url"] == "https://meet.example.org/abc"
    assert body["warnings"] == [] and body["sequence"] == 0


@pytest.mark.parametrize("change, field", [
    ({"starts_at": "2023-12-05T14:00:00"}, "starts_at"),
    ({"starts_at": "not a date"}, "starts_at"),
    ({"starts_at": "1999-12-31T23:00:00+00:00"}, "starts_at"),
    ({"starts_at": "2150-01-01T10:00:00+07:00"}, "starts_at"),
    ({"duration_minutes": 0}, "duration_minutes"),
    ({"duration_minutes": -60}, "duration_minutes"),
    ({"duration_minutes": 100000}, "duration_minutes"),
    ({"meeting_url": "javascript:alert(1)"}, "meeting_url"),
    ({"facilitators": ["ghost@example.org"]}, "facilitators"),
    ({"title": {"id": "", "en": ""}}, "title"),
])
def test_create_session_422_writes_nothing(make, api, change, field):
    organiser = make.user("organiser")
    training = make.training(organiser=organiser)
    data = {"title": {"id": "Sesi", "en": "Session"}, "starts_at": "2023-12-05T14:00:00+07:00",
            "duration_minutes": 120, **change}
    response = api(organiser).post(f"/api/v1/trainings/{training.id}/sessions", json=data)
    assert response.status_code == 422
    assert field in [d["field"] for d in response.get_json()["error"]["details"]]
    assert db.session.query(TrainingSession).count() == 0


def test_unknown_tz_parameter_is_422_before_anything_is_written(make, api):
    organiser = make.user("organiser")
    training = make.training(organiser=organiser)
    response = api(organiser).post(f"/api/v1/trainings/{training.id}/sessions?tz=Mars/Base", json={
        "title": {"id": "Sesi", "en": "Session"}, "starts_at": "2023-12-05T14:00:00+07:00",
        "duration_minutes": 60})
    assert response.status_code == 422
    assert db.session.query(TrainingSession).count() == 0


def test_create_series_201_items(make, api):
    organiser = make.user("organiser")
    training = make.training(organiser=organiser)
    response = api(organiser).post(f"/api/v1/trainings/{training.id}/sessions/series?tz=Asia/Karachi", json={
        "first_starts_at": "2023-12-05T14:00:00+07:00", "count": 7, "interval_days": 2,
        "duration_minutes": 120, "title_prefix": {"id": "Sesi", "en": "Session"}})
    assert response.status_code == 201, response.get_json()
    items = response.get_json()["items"]
    assert [i["number"] for i in items] == list(range(1, 8))
    assert items[0]["starts_at"] == "2023-12-05T07:00:00Z"
    assert items[6]["starts_at"] == "2023-12-17T07:00:00Z"
    assert items[0]["local"]["starts_at"] == "2023-12-05T12:00:00+05:00"
    assert items[2]["title"] == {"id": "Sesi 3", "en": "Session 3"}
    assert all(i["warnings"] == [] for i in items)
    listed = api(organiser).get(f"/api/v1/trainings/{training.id}/sessions").get_json()["items"]
    assert len(listed) == 7


def test_create_series_weekly_via_api(make, api):
    organiser = make.user("organiser")
    training = make.training(organiser=organiser)
    items = api(organiser).post(f"/api/v1/trainings/{training.id}/sessions/series", json={
        "first_starts_at": "2023-12-04T09:00:00+07:00", "count": 3, "weekdays": ["mon", "wed"],
        "duration_minutes": 60}).get_json()["items"]
    assert [i["local"]["starts_at"][:10] for i in items] == ["2023-12-04", "2023-12-06", "2023-12-11"]


@pytest.mark.parametrize("change, field", [
    ({"count": 101}, "count"),
    ({"first_starts_at": "2023-12-05T14:00:00"}, "first_starts_at"),
    ({"duration_minutes": 0}, "duration_minutes"),
    ({"duration_minutes": -5}, "duration_minutes"),
    ({"first_starts_at": "0001-01-01T00:00:00+00:00"}, "first_starts_at"),
    ({"first_starts_at": "9999-01-01T00:00:00+00:00"}, "first_starts_at"),
])
def test_create_series_422_writes_nothing(make, api, change, field):
    organiser = make.user("organiser")
    training = make.training(organiser=organiser)
    data = {"first_starts_at": "2023-12-05T14:00:00+07:00", "count": 7, "interval_days": 2,
            "duration_minutes": 120, **change}
    response = api(organiser).post(f"/api/v1/trainings/{training.id}/sessions/series", json=data)
    assert response.status_code == 422
    assert field in [d["field"] for d in response.get_json()["error"]["details"]]
    assert db.session.query(TrainingSession).count() == 0


def test_series_of_100_passing_the_year_2100_is_refused(make, api):
    organiser = make.user("organiser")
    training = make.training(organiser=organiser)
    response = api(organiser).post(f"/api/v1/trainings/{training.id}/sessions/series", json={
        "first_starts_at": "2099-06-01T10:00:00+07:00", "count": 100, "interval_days": 30,
        "duration_minutes": 60})
    assert response.status_code == 422
    assert db.session.query(TrainingSession).count() == 0


def test_patch_session_reschedule_and_cancel(make, api):
    organiser = make.user("organiser")
    training = make.training(organiser=organiser, sessions=2)
    first, second = training.sessions
    response = api(organiser).patch(f"/api/v1/sessions/{first.id}",
                                    json={"starts_at": "2023-12-20T14:00:00+07:00"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["starts_at"] == "2023-12-20T07:00:00Z"
    assert body["number"] == 2 and body["sequence"] == 1  # numbering follows the start time
    cancelled = api(organiser).patch(f"/api/v1/sessions/{second.id}", json={"status": "cancelled"})
    assert cancelled.status_code == 200
    assert cancelled.get_json()["status"] == "cancelled" and cancelled.get_json()["sequence"] == 1
    listed = api(organiser).get(f"/api/v1/trainings/{training.id}/sessions").get_json()["items"]
    assert [s["status"] for s in listed] == ["cancelled", "scheduled"]  # still listed

    for bad, field in (({"starts_at": "2023-12-20T14:00:00"}, "starts_at"),
                       ({"duration_minutes": 0}, "duration_minutes"),
                       ({"status": "postponed"}, "status")):
        response = api(organiser).patch(f"/api/v1/sessions/{first.id}", json=bad)
        assert response.status_code == 422
        assert response.get_json()["error"]["details"][0]["field"] == field
    db.session.expire_all()
    assert db.session.get(TrainingSession, first.id).sequence == 1
    assert api(organiser).patch("/api/v1/sessions/999999", json={"status": "cancelled"}).status_code == 404


def test_conflict_warning_in_session_answer(make, api):
    organiser = make.user("organiser")
    fac = make.user("facilitator", email="fac@example.org")
    training = make.training(organiser=organiser)
    booked = make.session(make.training(), starts_at=datetime(2023, 12, 5, 7, 0, tzinfo=UTC),
                          facilitators=[fac])
    response = api(organiser).post(f"/api/v1/trainings/{training.id}/sessions", json={
        "title": {"id": "Sesi", "en": "Session"}, "starts_at": "2023-12-05T15:00:00+07:00",
        "duration_minutes": 60, "facilitators": ["fac@example.org"]})
    assert response.status_code == 201
    warnings = response.get_json()["warnings"]
    assert len(warnings) == 1
    assert warnings[0]["facilitator"] == "fac@example.org"
    assert warnings[0]["conflicting_session"] == booked.id
    assert warnings[0]["code"] == "facilitator_conflict"


def test_me_schedule(make, api):
    participant = make.user(timezone="Asia/Karachi")
    training = make.training(organiser=make.user("organiser"), sessions=3)
    enrolment = make.enrolment(training, user=participant)
    waiting = make.training(organiser=make.user("organiser"), sessions=2)
    make.enrolment(waiting, user=participant, status="waitlisted")
    from trainings.attendance.models import AttendanceRecord
    db.session.add(AttendanceRecord(session_id=training.sessions[0].id, enrolment_id=enrolment.id,
                                    status="present"))
    db.session.commit()

    response = api(participant).get("/api/v1/me/schedule")
    assert response.status_code == 200
    items = response.get_json()["items"]
    assert [i["training"] for i in items] == [training.id] * 3  # accepted enrolments only
    assert items[0]["local"]["starts_at"] == "2023-12-05T12:00:00+05:00"
    assert items[0]["meeting_url"] == training.sessions[0].meeting_url
    assert [i["attendance"] for i in items] == ["present", None, None]
    assert items[0]["enrolment"] == enrolment.id
    assert api(participant).get("/api/v1/me/schedule?tz=Nowhere/City").status_code == 422


def test_api_needs_a_token(client):
    assert client.post("/api/v1/trainings", json=TRAINING).status_code == 401
    assert client.get("/api/v1/me/schedule").status_code == 401


def test_remove_staff_keeps_the_last_organiser(make, api):
    organiser = make.user("organiser")
    training = make.training(organiser=organiser, facilitators=[make.user("facilitator")])
    staff = {s.role: s.id for s in training.staff}
    client = api(organiser)
    assert client.delete(f"/api/v1/trainings/{training.id}/staff/{staff['organiser']}").status_code == 409
    assert client.delete(f"/api/v1/trainings/{training.id}/staff/{staff['facilitator']}").status_code == 204
    assert client.delete(f"/api/v1/trainings/{training.id}/staff/{staff['facilitator']}").status_code == 404
    assert api(make.user("organiser")).delete(
        f"/api/v1/trainings/{training.id}/staff/{staff['organiser']}").status_code == 403
