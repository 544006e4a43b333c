"""The enrolment routes of the API contract (docs/api-v1.md): shapes and status codes."""
from pathlib import Path

import pytest

from trainings.attendance.models import AttendanceRecord
from trainings.extensions import db

DATA = Path(__file__).parent / "data" / "enrolment"

SITI = {"name": "Siti Rahmawati", "email": "siti@example.org", "country": "ID",
        "organisation": "Kalyanamitra", "sector": "activist", "timezone": "Asia/Jakarta",
        "language": "id", "accessibility_needs": "live captions", "accessibility_consent": True}


@pytest.fixture
def setup(make):
    organiser = make.user("organiser")
    training = make.training(organiser=organiser, capacity=2, quotas={"ID": 1, "MY": 1, "PK": 1})
    return organiser, training


def test_create_enrolment(setup, api):
    organiser, training = setup
    response = api(organiser).post(f"/api/v1/trainings/{training.id}/enrolments", json=SITI)
    assert response.status_code == 201
    body = response.get_json()
    assert isinstance(body["id"], int) and body["status"] == "accepted"
    for key in ("name", "email", "organisation", "sector", "timezone", "language",
                "accessibility_needs"):
        assert body[key] == SITI[key]
    assert body["country"] == "ID"

    second = api(organiser).post(f"/api/v1/trainings/{training.id}/enrolments",
                                 json={**SITI, "email": "ayu@example.org", "country": "Indonesia"})
    assert second.status_code == 201 and second.get_json()["status"] == "waitlisted"


def test_duplicate_email_is_409(setup, api):
    organiser, training = setup
    api(organiser).post(f"/api/v1/trainings/{training.id}/enrolments", json=SITI)
    again = api(organiser).post(f"/api/v1/trainings/{training.id}/enrolments",
                                json={**SITI, "email": "SITI@Example.ORG"})
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "duplicate_email"


@pytest.mark.parametrize("field,value", [("email", "nope"), ("country", "Atlantis"),
                                         ("timezone", "Mars/Olympus"), ("language", "de"),
                                         ("sector", "army"), ("name", None)])
def test_bad_fields_are_422_with_details(setup, api, field, value):
    organiser, training = setup
    response = api(organiser).post(f"/api/v1/trainings/{training.id}/enrolments",
                                   json={**SITI, field: value})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["details"][0]["field"] == field and error["details"][0]["message"]


def test_not_json_is_refused(setup, api):
    organiser, training = setup
    response = api(organiser).post(f"/api/v1/trainings/{training.id}/enrolments", data="x",
                                   headers={"Content-Type": "text/plain"})
    assert response.status_code == 415
    assert api(organiser).post(f"/api/v1/trainings/{training.id}/enrolments",
                               json=[1, 2]).status_code == 422


def test_import_csv(setup, api):
    organiser, training = setup
    response = api(organiser).post(f"/api/v1/trainings/{training.id}/enrolments/import",
                                   data=(DATA / "participants.csv").read_bytes(),
                                   headers={"Content-Type": "text/csv"})
    assert response.status_code == 200
    body = response.get_json()
    assert (body["created"], body["accepted"], body["waitlisted"]) == (4, 2, 2)
    again = api(organiser).post(f"/api/v1/trainings/{training.id}/enrolments/import",
                                data=(DATA / "participants.csv").read_bytes(),
                                headers={"Content-Type": "text/csv; charset=utf-8"})
    assert again.get_json() == {"created": 0, "accepted": 0, "waitlisted": 0, "skipped": 4}


def test_import_xlsx(setup, api):
    organiser, training = setup
    response = api(organiser).post(
        f"/api/v1/trainings/{training.id}/enrolments/import",
        data=(DATA / "participants.xlsx").read_bytes(),
        headers={"Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"})
    assert response.status_code == 200 and response.get_json()["created"] == 3


def test_import_bad_rows_is_422_and_writes_nothing(setup, api):
    organiser, training = setup
    response = api(organiser).post(f"/api/v1/trainings/{training.id}/enrolments/import",
                                   data=(DATA / "bad-rows.csv").read_bytes(),
                                   headers={"Content-Type": "text/csv"})
    assert response.status_code == 422
    details = response.get_json()["error"]["details"]
    assert [d["row"] for d in details] == [2, 3, 4]
    assert all(d["field"] and d["message"] for d in details)
    listed = api(organiser).get(f"/api/v1/trainings/{training.id}/enrolments").get_json()
    assert listed["items"] == []


def test_import_wrong_encoding_and_content_type(setup, api):
    organiser, training = setup
    url = f"/api/v1/trainings/{training.id}/enrolments/import"
    binary = api(organiser).post(url, data=b"\x00\x01\x02\xff" * 50,
                                 headers={"Content-Type": "text/csv"})
    assert binary.status_code == 422
    assert binary.get_json()["error"]["code"] == "invalid_encoding"
    assert api(organiser).post(url, json={"rows": []}).status_code == 415


def test_oversized_import_is_413_json(setup, api, app):
    organiser, training = setup
    app.config["MAX_CONTENT_LENGTH"] = 2000
    response = api(organiser).post(f"/api/v1/trainings/{training.id}/enrolments/import",
                                   data=b"name,email,country\n" + b"A,a@example.org,ID\n" * 200,
                                   headers={"Content-Type": "text/csv"})
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "file_too_large"


def test_patch_withdrawn_promotes_oldest_waitlisted_that_fits(setup, api, make):
    organiser, training = setup
    client = api(organiser)
    url = f"/api/v1/trainings/{training.id}/enrolments"
    siti = client.post(url, json=SITI).get_json()
    tan = client.post(url, json={**SITI, "email": "tan@example.org", "country": "MY"}).get_json()
    ayu = client.post(url, json={**SITI, "email": "ayu@example.org"}).get_json()
    ayesha = client.post(url, json={**SITI, "email": "ayesha@example.org", "country": "PK"}).get_json()
    assert [siti["status"], tan["status"], ayu["status"], ayesha["status"]] == [
        "accepted", "accepted", "waitlisted", "waitlisted"]

    response = client.patch(f"/api/v1/enrolments/{tan['id']}", json={"status": "withdrawn"})
    assert response.status_code == 200
    body = response.get_json()
    # Ayu is older but Indonesia's quota (1) is taken by Siti: Ayesha (Pakistan) fits
    assert body["status"] == "withdrawn" and body["promoted"] == [ayesha["id"]]
    assert client.get(f"/api/v1/enrolments/{ayesha['id']}").get_json()["status"] == "accepted"

    rejected = client.patch(f"/api/v1/enrolments/{siti['id']}", json={"status": "rejected"})
    assert rejected.status_code == 200 and rejected.get_json()["promoted"] == [ayu["id"]]

    full = client.patch(f"/api/v1/enrolments/{tan['id']}", json={"status": "accepted"})
    assert full.status_code == 409 and full.get_json()["error"]["code"] == "no_place"
    bad = client.patch(f"/api/v1/enrolments/{tan['id']}", json={"status": "deleted"})
    assert bad.status_code == 422


def test_participant_withdraws_own_enrolment_through_the_api(setup, api, make):
    organiser, training = setup
    participant = make.user("participant")
    mine = make.enrolment(training, user=participant, status="accepted")
    other = make.enrolment(training, status="accepted", country="MY")
    waiting = make.enrolment(training, status="waitlisted", country="ID")
    client = api(participant)
    assert client.patch(f"/api/v1/enrolments/{mine.id}",
                        json={"status": "accepted"}).status_code == 403
    assert client.patch(f"/api/v1/enrolments/{other.id}",
                        json={"status": "withdrawn"}).status_code == 403
    response = client.patch(f"/api/v1/enrolments/{mine.id}", json={"status": "withdrawn"})
    assert response.status_code == 200 and response.get_json()["promoted"] == [waiting.id]
    assert "accessibility_needs" not in response.get_json()


def test_stats(setup, api, make):
    organiser, training = setup
    session = make.session(training)
    a = make.enrolment(training, country="ID", status="accepted")
    b = make.enrolment(training, country="PK", status="accepted")
    make.enrolment(training, country="ID", status="waitlisted")
    client = api(organiser)
    empty = client.get(f"/api/v1/trainings/{training.id}/stats").get_json()
    assert empty["attendance_rate"] is None
    assert empty["sessions"] == [{"id": session.id, "number": 1, "status": "scheduled",
                                  "attendance_rate": None}]
    db.session.add_all([AttendanceRecord(session_id=session.id, enrolment_id=a.id, status="present"),
                        AttendanceRecord(session_id=session.id, enrolment_id=b.id, status="absent")])
    db.session.commit()
    body = client.get(f"/api/v1/trainings/{training.id}/stats").get_json()
    assert body["by_country"]["ID"]["accepted"] == 1 and body["by_country"]["ID"]["waitlisted"] == 1
    assert body["by_country"]["PK"] == {"applied": 0, "accepted": 1, "waitlisted": 0,
                                        "rejected": 0, "withdrawn": 0}
    assert body["attendance_rate"] == 0.5
    assert body["sessions"][0]["attendance_rate"] == 0.5


@pytest.mark.parametrize("who", ["other_organiser", "facilitator", "participant"])
def test_others_may_not_manage_enrolments(setup, api, make, who):
    organiser, training = setup
    enrolment = make.enrolment(training, status="accepted")
    if who == "other_organiser":
        user = make.user("organiser")
        make.training(organiser=user)
    elif who == "facilitator":
        user = make.user("facilitator")
        from trainings.scheduling.models import TrainingStaff
        training.staff.append(TrainingStaff(user=user, role="facilitator"))
        db.session.commit()
    else:
        user = make.user("participant")
        make.enrolment(training, user=user, status="accepted", country="MY")
    client = api(user)
    base = f"/api/v1/trainings/{training.id}"
    assert client.post(f"{base}/enrolments", json=SITI).status_code == 403
    assert client.get(f"{base}/enrolments").status_code == 403
    assert client.get(f"{base}/stats").status_code == 403
    assert client.post(f"{base}/enrolments/import", data=b"name,email,country\nA,a@example.org,ID\n",
                       headers={"Content-Type": "text/csv"}).status_code == 403
    assert client.patch(f"/api/v1/enrolments/{enrolment.id}",
                        json={"status": "withdrawn"}).status_code == 403
    assert client.get(f"/api/v1/enrolments/{enrolment.id}").status_code == 403


def test_no_token_is_401_and_unknown_training_404(setup, client, api):
    organiser, training = setup
    assert client.post(f"/api/v1/trainings/{training.id}/enrolments", json=SITI).status_code == 401
    assert api(organiser).post("/api/v1/trainings/999999/enrolments", json=SITI).status_code == 404
    assert api(organiser).patch("/api/v1/enrolments/999999",
                                json={"status": "withdrawn"}).status_code == 404
