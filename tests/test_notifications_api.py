"""The API of the worker's work: reminders settings, the outbox, announcements."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from trainings.extensions import db
from trainings.outbox.delivery import deliver_due
from trainings.outbox.models import OutboxMessage
from trainings.scheduling.models import Training


@pytest.fixture
def training_with_people(make):
    organiser = make.user("organiser")
    training = make.training(organiser=organiser, sessions=1)
    make.enrolment(training, name="Siti", email="siti@example.org", language="id", country="ID")
    make.enrolment(training, name="Ayesha", email="ayesha@example.org", language="en",
                   country="PK")
    make.enrolment(training, name="Omar", email="omar@example.org", language="en", country="PK",
                   status="waitlisted")
    return organiser, training


def test_reminders_default_and_patch(api, training_with_people):
    organiser, training = training_with_people
    client = api(organiser)
    url = f"/api/v1/trainings/{training.id}"
    assert client.get(url).get_json()["reminders"] == {"hours_before": [24, 1]}
    changed = client.patch(url, json={"reminders": {"hours_before": [1, 48]}})
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["reminders"] == {"hours_before": [48, 1]}
    none = client.patch(url, json={"reminders": {"hours_before": []}})
    assert none.get_json()["reminders"] == {"hours_before": []}
    db.session.expire_all()
    assert db.session.get(Training, training.id).reminders_hours_before == []


@pytest.mark.parametrize("bad", [{"hours_before": "24"}, {"hours_before": [0]},
                                 {"hours_before": ["1"]}, {"hours_before": [100000]},
                                 {"hours": [1]}, [24, 1], "24"])
def test_a_malformed_reminder_setting_is_422_and_changes_nothing(api, training_with_people, bad):
    organiser, training = training_with_people
    response = api(organiser).patch(f"/api/v1/trainings/{training.id}",
                                    json={"title": {"en": "Renamed"}, "reminders": bad})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["details"] and error["details"][0]["field"].startswith("reminders")
    db.session.expire_all()
    unchanged = db.session.get(Training, training.id)
    assert unchanged.reminders_hours_before == [24, 1] and unchanged.title_en != "Renamed"


def test_the_outbox_shows_each_message_and_its_delivery(api, training_with_people, mail_app,
                                                       smtp_server):
    organiser, training = training_with_people
    client = api(organiser)
    created = client.post(f"/api/v1/trainings/{training.id}/announcements", json={
        "subject": {"id": "Info", "en": "News"}, "body": {"id": "Isi", "en": "Text"}})
    assert created.status_code == 201 and created.get_json() == {"queued": 2}
    pending = client.get(f"/api/v1/trainings/{training.id}/outbox").get_json()
    assert pending["total"] == 2
    assert {i["state"] for i in pending["items"]} == {"pending"}
    assert set(pending["items"][0]) == {"id", "to", "kind", "subject", "language", "state",
                                        "attempts", "sent_at", "error"}
    from datetime import UTC, datetime
    deliver_due(datetime.now(UTC))
    items = {i["to"]: i for i in client.get(f"/api/v1/trainings/{training.id}/outbox")
             .get_json()["items"]}
    siti = items["siti@example.org"]
    assert (siti["state"], siti["attempts"], siti["language"], siti["subject"]) == (
        "sent", 1, "id", "Info")
    assert siti["sent_at"].endswith("Z") and siti["error"] is None
    assert items["ayesha@example.org"]["subject"] == "News"
    assert {m["Subject"] for m in smtp_server.messages} == {"Info", "News"}


def test_announcements_filter_by_country_and_status(api, training_with_people):
    organiser, training = training_with_people
    client = api(organiser)
    preview = client.get(f"/api/v1/trainings/{training.id}/announcements/recipients"
                         "?country=PK").get_json()
    assert preview["count"] == 1 and preview["items"][0]["name"] == "Ayesha"
    waiting = client.post(f"/api/v1/trainings/{training.id}/announcements", json={
        "subject": {"en": "A place?"}, "body": {"en": "Soon."},
        "to": {"status": "waitlisted", "country": "Pakistan"}})
    assert waiting.get_json() == {"queued": 1}
    (message,) = db.session.scalars(select(OutboxMessage)).all()
    assert message.to_email == "omar@example.org" and message.language == "en"


@pytest.mark.parametrize("payload, field", [
    ({"subject": {"en": "S"}, "body": {}}, "body"),
    ({"subject": {"en": "x" * 201}, "body": {"en": "B"}}, "subject.en"),
    ({"subject": {"en": "S"}, "body": {"en": "B"}, "to": {"country": "Atlantis"}}, "to.country"),
    ({"subject": {"en": "S"}, "body": {"en": "B"}, "to": {"status": "vip"}}, "to.status"),
    ({"subject": {"en": "S"}, "body": {"en": "B"}, "to": {"colour": "red"}}, "to.colour"),
    ({"subject": {"en": "S"}, "body": {"en": "B"}, "to": {"status": "rejected"}}, "to"),
])
def test_a_bad_announcement_is_refused_and_queues_nothing(api, training_with_people, payload,
                                                          field):
    organiser, training = training_with_people
    response = api(organiser).post(f"/api/v1/trainings/{training.id}/announcements",
                                   json=payload)
    assert response.status_code == 422, response.get_json()
    assert field in [d["field"] for d in response.get_json()["error"]["details"]]
    assert db.session.scalar(select(OutboxMessage)) is None


@pytest.mark.parametrize("role", ["facilitator", "participant", "organiser"])
def test_only_the_trainings_organisers_see_the_outbox_and_announce(make, api,
                                                                   training_with_people, role):
    _organiser, training = training_with_people
    stranger = make.user(role)  # an organiser of nothing here
    client = api(stranger)
    assert client.get(f"/api/v1/trainings/{training.id}/outbox").status_code in (403, 404)
    answer = client.post(f"/api/v1/trainings/{training.id}/announcements",
                         json={"subject": "S", "body": "B"})
    assert answer.status_code in (403, 404)
    assert db.session.scalar(select(OutboxMessage)) is None
