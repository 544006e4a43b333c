"""Calendar feeds parsed back with icalendar: UIDs, DTSTAMP, UTC times, SEQUENCE, links, language."""
from datetime import UTC, datetime

from icalendar import Calendar

from trainings.extensions import db
from trainings.scheduling import services


def _events(body: bytes) -> list:
    return [c for c in Calendar.from_ical(body).walk("VEVENT")]


def test_training_feed(make, login, client):
    organiser = make.user("organiser")
    training = make.training(organiser=organiser, sessions=3)
    login(organiser)
    response = client.get(f"/trainings/{training.id}/calendar.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    events = _events(response.data)
    assert [str(e["UID"]) for e in events] == [f"session-{s.id}@localhost" for s in training.sessions]
    first = events[0]
    assert first.decoded("DTSTART") == datetime(2023, 12, 5, 7, 0, tzinfo=UTC)
    assert first.decoded("DTEND") == datetime(2023, 12, 5, 9, 0, tzinfo=UTC)
    assert first.decoded("DTSTART").utcoffset().total_seconds() == 0
    assert "DTSTAMP" in first and int(first["SEQUENCE"]) == 0
    assert str(first["URL"]) == training.sessions[0].meeting_url
    assert training.sessions[0].meeting_url in str(first["DESCRIPTION"])
    assert "session 1" in str(first["SUMMARY"])
    alarms = first.walk("VALARM")
    assert len(alarms) == 1 and alarms[0].decoded("TRIGGER").total_seconds() == -30 * 60


def test_feed_uids_are_unique_to_the_host(make, login, client, app):
    organiser = make.user("organiser")
    training = make.training(organiser=organiser, sessions=1)
    app.config["PUBLIC_BASE_URL"] = "https://pelatihan.example.org"
    login(organiser)
    events = _events(client.get(f"/trainings/{training.id}/calendar.ics").data)
    assert str(events[0]["UID"]) == f"session-{training.sessions[0].id}@pelatihan.example.org"


def test_feed_sequence_and_cancellation_follow_changes(make, login, client):
    organiser = make.user("organiser")
    training = make.training(organiser=organiser, sessions=2)
    first, second = training.sessions
    login(organiser)
    before = _events(client.get(f"/trainings/{training.id}/calendar.ics").data)

    services.update_session(first, {"starts_at": "2023-12-05T16:00:00+07:00"}, actor=organiser)
    services.cancel_session(second, actor=organiser)
    db.session.commit()
    after = _events(client.get(f"/trainings/{training.id}/calendar.ics").data)

    assert [str(e["UID"]) for e in after] == [str(e["UID"]) for e in before]  # stable UIDs
    assert int(after[0]["SEQUENCE"]) == int(before[0]["SEQUENCE"]) + 1
    assert after[0].decoded("DTSTART") == datetime(2023, 12, 5, 9, 0, tzinfo=UTC)
    assert str(after[1]["STATUS"]) == "CANCELLED" and int(after[1]["SEQUENCE"]) == 1
    assert str(after[0]["STATUS"]) == "CONFIRMED"


def test_training_feed_needs_permission(make, login, client):
    training = make.training(organiser=make.user("organiser"), sessions=1)
    assert client.get(f"/trainings/{training.id}/calendar.ics").status_code == 302  # to login
    login(make.user())
    assert client.get(f"/trainings/{training.id}/calendar.ics").status_code == 403


def test_personal_feed_token_links_and_language(make, client, login):
    participant = make.user(language="id")
    accepted = make.training(organiser=make.user("organiser"), sessions=2,
                             title_id="Kepemimpinan", title_en="Leadership")
    waiting = make.training(organiser=make.user("organiser"), sessions=1)
    make.enrolment(accepted, user=participant)
    make.enrolment(waiting, user=participant, status="waitlisted")
    make.training(organiser=make.user("organiser"), sessions=1)  # not theirs
    token = services.issue_calendar_token(participant)
    db.session.commit()

    response = client.get(f"/me/calendar.ics?token={token}")  # no login: calendar apps
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    events = _events(response.data)
    assert len(events) == 3
    by_uid = {str(e["UID"]): e for e in events}
    mine = by_uid[f"session-{accepted.sessions[0].id}@localhost"]
    assert "Kepemimpinan" in str(mine["SUMMARY"]) and "sesi 1" in str(mine["SUMMARY"])
    assert str(mine["URL"]) == accepted.sessions[0].meeting_url
    assert "Gabung ke pertemuan" in str(mine["DESCRIPTION"])
    waitlisted = by_uid[f"session-{waiting.sessions[0].id}@localhost"]
    assert waiting.sessions[0].meeting_url not in waitlisted.to_ical().decode()

    # revoking kills the old link; a new link replaces it
    login(participant)
    client.post("/me/calendar-token", data={"action": "revoke"})
    assert client.get(f"/me/calendar.ics?token={token}").status_code == 404
    client.post("/me/calendar-token", data={"action": "create"})
    db.session.expire_all()
    page = client.get("/me/schedule").get_data(as_text=True)  # the page shows the new link
    fresh = page.split("/me/calendar.ics?token=")[1].split('"')[0].split("<")[0]
    assert fresh and fresh != token
    stored = db.session.get(type(participant), participant.id)
    assert fresh not in (stored.calendar_token_hash, stored.calendar_feed_nonce)  # digest only
    assert client.get(f"/me/calendar.ics?token={fresh}").status_code == 200


def test_personal_feed_refuses_missing_or_wrong_token(make, client):
    make.user()
    assert client.get("/me/calendar.ics").status_code == 404
    assert client.get("/me/calendar.ics?token=").status_code == 404
    assert client.get("/me/calendar.ics?token=guess").status_code == 404


def test_training_feed_with_the_personal_token_for_calendar_apps(make, client, login):
    participant = make.user(language="en")
    training = make.training(organiser=make.user("organiser"), sessions=2)
    other = make.training(organiser=make.user("organiser"), sessions=1)
    make.enrolment(training, user=participant)
    token = services.issue_calendar_token(participant)
    db.session.commit()
    response = client.get(f"/trainings/{training.id}/calendar.ics?token={token}")
    assert response.status_code == 200
    events = _events(response.data)
    assert len(events) == 2 and str(events[0]["URL"]) == training.sessions[0].meeting_url
    assert client.get(f"/trainings/{other.id}/calendar.ics?token={token}").status_code == 403
    assert client.get(f"/trainings/{training.id}/calendar.ics?token=wrong").status_code == 404
    login(participant)
    page = client.get(f"/trainings/{training.id}").get_data(as_text=True)
    assert f"/trainings/{training.id}/calendar.ics?token={token}" in page


def test_webcal_and_google_calendar_links(make):
    from urllib.parse import parse_qs, urlsplit

    from trainings.scheduling.calendar import google_calendar_url, webcal_url
    assert webcal_url("https://anyam.example.org/me/calendar.ics?token=t") == \
        "webcal://anyam.example.org/me/calendar.ics?token=t"
    training = make.training(sessions=1, title_en="Leadership", title_id="Kepemimpinan")
    link = urlsplit(google_calendar_url(training.sessions[0], training, "id"))
    query = parse_qs(link.query)
    assert link.netloc == "calendar.google.com" and query["action"] == ["TEMPLATE"]
    assert query["dates"] == ["20231205T070000Z/20231205T090000Z"]
    assert query["text"][0].startswith("Kepemimpinan")


def test_the_google_calendar_link_is_what_urlencode_writes(make):
    from datetime import UTC, datetime
    from types import SimpleNamespace
    from urllib.parse import urlencode

    from trainings.scheduling.calendar import google_calendar_url
    start, end = datetime(2024, 2, 29, 23, 30, tzinfo=UTC), datetime(2024, 3, 1, 1, 0, tzinfo=UTC)
    for title, description in (("Sesi & <b>1</b>", "Baris 1\nBaris 2 = 100% / ok?"),
                               ("Ñoño: kepemimpinan", ""), ("", "#hash +plus")):
        session = SimpleNamespace(title_en=title, title_id="", description_en=description,
                                  description_id="", starts_at=start, ends_at=end)
        training = SimpleNamespace(title_en="Pelatihan / Training", title_id="Pelatihan")
        for lang in ("en", "id"):
            text = (training.title_id if lang == "id" else training.title_en) + ": " + title
            expected = "https://calendar.google.com/calendar/render?" + urlencode({
                "action": "TEMPLATE", "text": text,
                "dates": "20240229T233000Z/20240301T010000Z", "details": description})
            assert google_calendar_url(session, training, lang) == expected
