"""Applications close by themselves once the last session has ended (issue 18, point 11):
the rule (computed on read, time given explicitly), the public application, the waitlist,
the catalogue, the organiser's pages, in English and Indonesian."""
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from trainings.enrolment import services
from trainings.enrolment.models import Enrolment
from trainings.errors import Conflict
from trainings.extensions import db

FORM = {"name": "Siti Rahmawati", "email": "siti@example.org", "country": "ID",
        "organisation": "Kalyanamitra", "sector": "activist", "timezone": "Asia/Jakarta",
        "language": "id", "privacy_consent": "y"}
ENDED_EN = "Applications for this training are closed: its last session has ended."
ENDED_ID = "Pendaftaran untuk pelatihan ini sudah ditutup: sesi terakhirnya sudah selesai."


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Enrolment))


def _ended(make, **kwargs):
    """A training with the switch on whose two sessions were in December 2023."""
    return make.training(sessions=2, applications_open=True, first_start=make.PAST_START,
                         **kwargs)


# --------------------------------------------------------------------------- the rule

def test_applications_close_exactly_when_the_last_held_session_ends(make):
    start = datetime(2030, 3, 4, 2, 0, tzinfo=UTC)
    training = make.training(sessions=2, interval_days=2, duration_minutes=120,
                             first_start=start, applications_open=True)
    end = start + timedelta(days=2, minutes=120)
    assert training.last_session_end == end
    assert services.applications_state(training, now=start - timedelta(days=30)) == "open"
    assert services.applications_state(training, now=end - timedelta(minutes=1)) == "open"
    assert services.applications_state(training, now=end) == "ended"
    # a cancelled session later on does not keep them open
    make.session(training, starts_at=end + timedelta(days=5), status="cancelled")
    db.session.refresh(training)
    assert services.applications_state(training, now=end) == "ended"
    # the organiser's switch closes them before the end; after it, the end is the reason
    training.applications_open = False
    assert services.applications_state(training, now=end - timedelta(minutes=1)) == "closed"
    assert services.applications_state(training, now=end) == "ended"
    # a training without sessions never ends: only the switch counts
    assert services.applications_state(make.training(applications_open=True)) == "open"


def test_a_public_application_after_the_end_is_refused_and_writes_nothing(make):
    training = _ended(make, capacity=10)
    with pytest.raises(Conflict) as closed:
        services.enrol(training, dict(FORM), public=True)
    assert closed.value.code == "applications_closed"
    assert str(closed.value.message) == ENDED_EN
    db.session.rollback()
    assert _count() == 0
    # organisers may still add somebody (late paperwork): they are never subject to it
    added = services.enrol(training, dict(FORM), actor=make.user("organiser"))
    assert added.status == "accepted"


def test_a_session_added_in_the_future_opens_applications_again(make):
    training = _ended(make)
    assert services.applications_state(training) == "ended"
    make.session(training, starts_at=make.in_days(3))
    db.session.refresh(training)
    assert services.applications_state(training) == "open"
    assert services.enrol(training, dict(FORM), public=True).status == "accepted"


def test_nobody_is_promoted_from_the_waitlist_after_the_end(make):
    organiser = make.user("organiser")
    for training, promoted in ((make.training(capacity=1, sessions=1, applications_open=True), 1),
                               (_ended(make, capacity=1), 0)):
        first = make.enrolment(training, status="accepted")
        waiting = make.enrolment(training, status="waitlisted")
        assert len(services.change_status(first, "withdrawn", actor=organiser)) == promoted
        db.session.commit()
        db.session.refresh(waiting)
        assert waiting.status == ("accepted" if promoted else "waitlisted")
    assert services.promote_waitlisted(training) == []  # the ended one, with a free seat


# --------------------------------------------------------------------------- pages

@pytest.mark.parametrize(("lang", "message"), [("en", ENDED_EN), ("id", ENDED_ID)])
def test_the_apply_page_says_the_training_has_ended(make, client, lang, message):
    training = _ended(make)
    headers = {"Accept-Language": lang}
    page = client.get(f"/trainings/{training.id}/apply", headers=headers).get_data(as_text=True)
    assert message in page and 'name="privacy_consent"' not in page
    posted = client.post(f"/trainings/{training.id}/apply", data=FORM, headers=headers)
    assert posted.status_code == 302 and _count() == 0
    again = client.get(posted.headers["Location"], headers=headers).get_data(as_text=True)
    assert again.count(message) == 2  # the flash and the note


def test_the_organiser_sees_why_applications_are_closed_and_can_open_them(make, login):
    organiser = make.user("organiser", language="id")
    training = _ended(make, organiser=organiser)
    client = login(organiser)
    for path in (f"/trainings/{training.id}/participants", f"/trainings/{training.id}/edit"):
        page = client.get(path).get_data(as_text=True)
        assert "Pendaftaran ditutup:" in page and 'id="applications-ended"' in page, path
        assert "WIB" in page  # the end is shown in the organiser's zone, named
    make.session(training, starts_at=make.in_days(10))
    page = client.get(f"/trainings/{training.id}/participants").get_data(as_text=True)
    assert 'id="applications-ended"' not in page


def test_a_waitlisted_applicant_reads_that_no_place_comes_after_the_end(make, login):
    person = make.user("participant", language="en")
    training = _ended(make)
    make.enrolment(training, user=person, status="waitlisted")
    page = login(person).get(f"/trainings/{training.id}/application").get_data(as_text=True)
    assert "This training has ended: no more places are given" in page
    assert "If a place becomes free" not in page


# --------------------------------------------------------------------------- catalogue

def test_the_catalogue_lists_a_training_until_its_last_session_ends(make, client):
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    running = make.training(title_en="Running", sessions=1, duration_minutes=180,
                            first_start=now - timedelta(minutes=60), applications_open=True)
    make.training(title_en="Just ended", sessions=1, duration_minutes=60,
                  first_start=now - timedelta(minutes=61), applications_open=True)
    items = client.get("/api/v1/catalogue").get_json()["items"]
    assert [item["title"]["en"] for item in items] == ["Running"]
    assert items[0]["ends_at"] == (now + timedelta(minutes=120)).strftime("%Y-%m-%dT%H:%M:%SZ")
    home = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert f"/trainings/{running.id}/apply" in home and "Just ended" not in home


# --------------------------------------------------------------------------- the API

APPLICATION = {"name": "Ayesha Khan", "email": "ayesha@example.org", "country": "PK",
               "timezone": "Asia/Karachi", "language": "en", "privacy_consent": True}


def test_the_api_takes_a_public_application_while_applications_are_open(make, client):
    training = make.training(sessions=2, capacity=5, applications_open=True)
    answer = client.post(f"/api/v1/trainings/{training.id}/applications", json=APPLICATION)
    assert answer.status_code == 201
    assert answer.get_json() == {"training": training.id, "status": "accepted"}
    saved = db.session.scalar(select(Enrolment))
    assert (saved.email, saved.timezone, saved.status) == ("ayesha@example.org",
                                                           "Asia/Karachi", "accepted")
    no_consent = client.post(f"/api/v1/trainings/{training.id}/applications",
                             json={**APPLICATION, "email": "b@example.org",
                                   "privacy_consent": False})
    assert no_consent.status_code == 422
    assert no_consent.get_json()["error"]["details"][0]["field"] == "privacy_consent"
    assert _count() == 1


@pytest.mark.parametrize(("lang", "message"), [("en", ENDED_EN), ("id", ENDED_ID)])
def test_the_api_refuses_an_application_after_the_end_in_the_callers_language(
        make, client, lang, message):
    training = _ended(make)
    answer = client.post(f"/api/v1/trainings/{training.id}/applications", json=APPLICATION,
                         headers={"Accept-Language": lang})
    assert answer.status_code == 409
    assert answer.get_json()["error"]["code"] == "applications_closed"
    assert answer.get_json()["error"]["message"] == message
    switched_off = make.training(sessions=1, applications_open=False,
                                 first_start=make.in_days(5))
    closed = client.post(f"/api/v1/trainings/{switched_off.id}/applications", json=APPLICATION)
    assert closed.status_code == 409 and closed.get_json()["error"]["code"] == "applications_closed"
    assert _count() == 0


def test_the_catalogue_query_count_does_not_grow_with_trainings(make, client, count_queries):
    def answer() -> int:
        with count_queries() as counter:
            assert client.get("/api/v1/catalogue").status_code == 200
        return counter.count

    make.training(sessions=2, applications_open=True)
    one = answer()
    for _ in range(5):
        make.training(sessions=3, applications_open=True)
    _ended(make)
    assert answer() == one
    assert len(client.get("/api/v1/catalogue").get_json()["items"]) == 6
