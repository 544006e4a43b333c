"""The reminders and announcements pages: wiring, preview, permissions."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from trainings.extensions import db
from trainings.outbox.models import OutboxMessage
from trainings.scheduling.models import Training


@pytest.fixture
def setup(make):
    organiser = make.user("organiser")
    training = make.training(organiser=organiser, sessions=1)
    make.enrolment(training, name="Siti Aminah", email="siti@example.org", language="id")
    make.enrolment(training, name="Ayesha Khan", email="ayesha@example.org", language="en",
                   country="PK")
    return organiser, training


def test_reminder_settings_form(login, setup):
    organiser, training = setup
    client = login(organiser)
    url = f"/trainings/{training.id}/reminders"
    page = client.get(url).get_data(as_text=True)
    assert 'value="24, 1"' in page and "No mail server is configured" in page
    assert client.post(url, data={"hours_before": "48, 2"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Training, training.id).reminders_hours_before == [48, 2]
    bad = client.post(url, data={"hours_before": "soon"})
    assert bad.status_code == 422
    assert "Give a whole number from 1 to 336." in bad.get_data(as_text=True)
    client.post(url, data={"hours_before": ""})
    db.session.expire_all()
    assert db.session.get(Training, training.id).reminders_hours_before == []


def test_announcement_preview_then_send(login, setup):
    organiser, training = setup
    client = login(organiser)
    url = f"/trainings/{training.id}/announcements"
    page = client.get(url).get_data(as_text=True)
    assert "2 people receive it" in page and "Siti Aminah" in page and "Ayesha Khan" in page
    preview = client.post(url, data={"status": "accepted", "country": "PK", "preview": "y"})
    text = preview.get_data(as_text=True)
    assert "1 person receives it" in text and "Siti Aminah" not in text
    assert db.session.scalar(select(OutboxMessage)) is None  # a preview sends nothing
    sent = client.post(url, data={"status": "accepted", "country": "", "send": "y",
                                  "subject_id": "Info", "body_id": "Isi",
                                  "subject_en": "News", "body_en": "Text"})
    assert sent.status_code == 302
    by_address = {m.to_email: m for m in db.session.scalars(select(OutboxMessage))}
    assert (by_address["siti@example.org"].subject, by_address["siti@example.org"].body) == (
        "Info", "Isi")
    assert by_address["ayesha@example.org"].subject == "News"


def test_an_announcement_without_a_body_is_refused(login, setup):
    organiser, training = setup
    response = login(organiser).post(f"/trainings/{training.id}/announcements",
                                     data={"status": "accepted", "send": "y",
                                           "subject_en": "News"})
    assert response.status_code == 422
    assert db.session.scalar(select(OutboxMessage)) is None


@pytest.mark.parametrize("role", ["facilitator", "participant", "organiser"])
def test_others_may_not(make, login, setup, role):
    _organiser, training = setup
    client = login(make.user(role))
    for path in ("reminders", "announcements"):
        assert client.get(f"/trainings/{training.id}/{path}").status_code in (403, 404)
    client.post(f"/trainings/{training.id}/announcements",
                data={"send": "y", "subject_en": "S", "body_en": "B"})
    assert db.session.scalar(select(OutboxMessage)) is None
