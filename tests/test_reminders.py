"""Session reminders: once per session, person and offset, in each person's language and
zone, with the meeting link and an .ics; none when cancelled; again after a move."""
from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from sqlalchemy import func, select

from trainings.errors import ValidationError
from trainings.extensions import db
from trainings.notifications import reminders
from trainings.notifications.models import Reminder
from trainings.outbox.delivery import deliver_due
from trainings.outbox.models import OutboxMessage

START = datetime(2031, 3, 4, 7, 0, tzinfo=UTC)  # 14:00 WIB, 12:00 PKT


@pytest.fixture
def session_with_people(make):
    facilitator = make.user("facilitator", name="Fasilitator Nur", language="en",
                            timezone="Europe/Berlin")
    training = make.training(organiser=make.user("organiser"), facilitators=[facilitator],
                             title_en="Digital safety", title_id="Keamanan digital")
    session = make.session(training, starts_at=START, facilitators=[facilitator],
                           title_en="Threat models")
    session.meeting_url = "https://meet.example.org/threats"
    siti = make.enrolment(training, name="Siti", email="siti@example.org", language="id",
                          timezone="Asia/Jakarta")
    ayesha = make.enrolment(training, name="Ayesha", email="ayesha@example.org", language="en",
                            timezone="Asia/Karachi", country="PK")
    make.enrolment(training, name="Waiting", email="wait@example.org", status="waitlisted")
    db.session.commit()
    return training, session, {"siti": siti, "ayesha": ayesha, "facilitator": facilitator}


def mails(kind="reminder"):
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)
                                   .order_by(OutboxMessage.to_email, OutboxMessage.id)))


def test_nothing_before_the_first_offset(session_with_people):
    assert reminders.send_due(START - timedelta(hours=25)) == 0
    assert mails() == []


def test_the_24_hour_reminder_reaches_each_person_once_in_their_language_and_zone(
        session_with_people):
    _training, _session, people = session_with_people
    now = START - timedelta(hours=23, minutes=59)
    assert reminders.send_due(now) == 3  # two accepted participants and the facilitator
    assert reminders.send_due(now + timedelta(minutes=5)) == 0  # never twice
    by_address = {m.to_email: m for m in mails()}
    assert set(by_address) == {"siti@example.org", "ayesha@example.org",
                               people["facilitator"].email}
    siti = by_address["siti@example.org"]
    assert siti.language == "id"
    assert siti.subject.startswith("Pengingat") and "Keamanan digital" in siti.subject
    assert "14.00 WIB" in siti.body or "14:00 WIB" in siti.body
    assert "https://meet.example.org/threats" in siti.body
    ayesha = by_address["ayesha@example.org"]
    assert ayesha.language == "en" and "Digital safety" in ayesha.subject
    assert "12:00 PKT" in ayesha.body
    assert "08:00 CET" in by_address[people["facilitator"].email].body
    (attachment,) = siti.attachments
    event = icalendar.Calendar.from_ical(attachment["text"]).walk("VEVENT")[0]
    assert event.decoded("dtstart") == START
    assert str(event["url"]) == "https://meet.example.org/threats"


def test_then_the_one_hour_reminder(session_with_people):
    reminders.send_due(START - timedelta(hours=24))
    assert reminders.send_due(START - timedelta(minutes=59)) == 3
    offsets = db.session.execute(select(Reminder.hours_before, func.count()).group_by(
        Reminder.hours_before)).all()
    assert sorted(offsets) == [(1, 3), (24, 3)]
    assert reminders.send_due(START + timedelta(minutes=1)) == 0  # started: nothing more


def test_a_cancelled_session_is_not_reminded(session_with_people):
    _training, session, _people = session_with_people
    session.status = "cancelled"
    db.session.commit()
    assert reminders.send_due(START - timedelta(minutes=30)) == 0


def test_a_moved_session_is_reminded_at_its_new_time(session_with_people):
    _training, session, _people = session_with_people
    reminders.send_due(START - timedelta(hours=24))
    session.starts_at = START + timedelta(days=2)
    db.session.commit()
    assert reminders.send_due(START - timedelta(minutes=30)) == 0  # the old time means nothing
    new_time = START + timedelta(days=2)
    assert reminders.send_due(new_time - timedelta(hours=23)) == 3
    latest = mails()[-1]
    assert "March 6, 2031" in latest.body  # the facilitator's English mail, the new day
    event = icalendar.Calendar.from_ical(latest.attachments[0]["text"]).walk("VEVENT")[0]
    assert event.decoded("dtstart") == new_time


def test_someone_enrolled_late_gets_only_the_nearest_reminder_at_once(make,
                                                                      session_with_people):
    training, _session, _people = session_with_people
    make.enrolment(training, name="Late", email="late@example.org", language="en")
    assert reminders.send_due(START - timedelta(minutes=30)) == 4
    late = [m for m in mails() if m.to_email == "late@example.org"]
    assert len(late) == 1 and "one hour" in late[0].body
    skipped = db.session.scalar(select(Reminder).where(Reminder.email == "late@example.org",
                                                       Reminder.hours_before == 24))
    assert skipped.is_skipped and skipped.message_id is None


def test_no_reminders_when_the_training_wants_none(session_with_people):
    training, _session, _people = session_with_people
    training.reminders_hours_before = []
    db.session.commit()
    assert reminders.send_due(START - timedelta(minutes=30)) == 0


def test_two_workers_at_once_send_each_reminder_once(app, session_with_people):
    now = START - timedelta(hours=23)
    results = []

    def worker():
        with app.app_context():
            try:
                results.append(reminders.send_due(now))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    db.session.expire_all()
    assert sum(results) == 3
    assert len(mails()) == 3


@pytest.mark.parametrize("bad", ["24", [0], [24, "1"], [1.5], [True], [10000], list(range(1, 8)),
                                 {"hours": 24}, None])
def test_a_malformed_setting_is_refused(bad):
    with pytest.raises(ValidationError) as error:
        reminders.clean_hours(bad)
    assert error.value.status == 422
    assert error.value.details[0]["field"].startswith("reminders.hours_before")


def test_a_clean_setting_is_sorted_and_unique():
    assert reminders.clean_hours([1, 24, 24]) == [24, 1]
    assert reminders.clean_hours([]) == []
    assert reminders.parse_hours_text("1, 48") == [48, 1]
    assert reminders.parse_hours_text("") == []


def test_a_reminder_arrives_over_smtp_with_its_calendar_file(mail_app, smtp_server,
                                                            session_with_people):
    reminders.send_due(START - timedelta(hours=24))
    assert deliver_due(datetime.now(UTC)) == 3
    (received,) = smtp_server.to("siti@example.org")
    assert received["Content-Language"] == "id"
    (ics,) = [p for p in received.iter_attachments() if p.get_content_type() == "text/calendar"]
    event = icalendar.Calendar.from_ical(ics.get_content()).walk("VEVENT")[0]
    assert event.decoded("dtstart") == START
