"""Enrolment pages: the public application, the participant list, settings, status
buttons, imports, exports, outbox, invitations, the participant's own page; permissions."""
import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from trainings.auth.models import User
from trainings.enrolment.models import Enrolment
from trainings.extensions import db
from trainings.outbox.models import OutboxMessage
from trainings.scheduling.models import TrainingStaff

DATA = Path(__file__).parent / "data" / "enrolment"

FORM = {"name": "Siti Rahmawati", "email": "Siti@Example.org", "country": "ID",
        "organisation": "Kalyanamitra", "sector": "activist", "timezone": "Asia/Jakarta",
        "language": "id", "privacy_consent": "y"}


@pytest.fixture
def open_training(make):
    organiser = make.user("organiser")
    training = make.training(organiser=organiser, capacity=1, quotas={"ID": 1}, sessions=2,
                             applications_open=True)
    db.session.commit()
    return organiser, training


def test_public_application_page_lists_countries_in_the_page_language(client, open_training):
    _organiser, training = open_training
    page = client.get(f"/trainings/{training.id}/apply", headers={"Accept-Language": "id"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<option value="DE">Jerman</option>' in html
    assert 'data-suggest-timezone' in html
    english = client.get(f"/trainings/{training.id}/apply",
                         headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<option value="DE">Germany</option>' in english


def test_public_application_accepted_then_waitlisted(client, open_training):
    _organiser, training = open_training
    response = client.post(f"/trainings/{training.id}/apply", data=FORM)
    assert response.status_code == 302
    thanks = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You have a place." in thanks
    enrolment = db.session.scalar(select(Enrolment))
    assert enrolment.email == "siti@example.org" and enrolment.status == "accepted"

    second = client.post(f"/trainings/{training.id}/apply",
                         data={**FORM, "email": "ayu@example.org"})
    assert "You are on the waiting list." in client.get(second.headers["Location"]).get_data(as_text=True)


def test_duplicate_and_bad_input_show_errors_next_to_fields(client, open_training):
    _organiser, training = open_training
    client.post(f"/trainings/{training.id}/apply", data=FORM)
    again = client.post(f"/trainings/{training.id}/apply", data={**FORM, "email": "SITI@example.org"})
    assert again.status_code == 422
    assert "already enrolled" in again.get_data(as_text=True)
    bad = client.post(f"/trainings/{training.id}/apply",
                      data={**FORM, "email": "not-an-email", "timezone": "Mars/Olympus",
                            "country": "XX", "privacy_consent": ""})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert 'id="email-error"' in html or 'id="timezone-error"' in html
    assert 'id="privacy_consent-error"' in html
    assert db.session.scalar(select(db.func.count()).select_from(Enrolment)) == 1


def test_accessibility_needs_require_their_own_consent(client, open_training):
    _organiser, training = open_training
    refused = client.post(f"/trainings/{training.id}/apply",
                          data={**FORM, "accessibility_needs": "Live captions"})
    assert refused.status_code == 422
    assert 'id="accessibility_consent-error"' in refused.get_data(as_text=True)
    ok = client.post(f"/trainings/{training.id}/apply",
                     data={**FORM, "accessibility_needs": "Live captions",
                           "accessibility_consent": "y"})
    assert ok.status_code == 302
    assert db.session.scalar(select(Enrolment.accessibility_needs)) == "Live captions"


def test_closed_applications(client, make):
    training = make.training()
    page = client.get(f"/trainings/{training.id}/apply").get_data(as_text=True)
    assert "Applications for this training are closed." in page
    assert training.description_en not in page  # a closed training shows no details to visitors and "<form method=\"post\" class=\"form" not in page
    response = client.post(f"/trainings/{training.id}/apply", data=FORM)
    assert response.status_code == 302
    assert db.session.scalar(select(db.func.count()).select_from(Enrolment)) == 0
    assert client.get("/trainings/999999/apply").status_code == 404


def test_approval_setting_makes_applications_wait(client, open_training):
    _organiser, training = open_training
    training.requires_approval = True
    db.session.commit()
    response = client.post(f"/trainings/{training.id}/apply", data=FORM)
    assert "Your application is received." in client.get(response.headers["Location"]).get_data(as_text=True)
    assert db.session.scalar(select(Enrolment.status)) == "applied"


def test_participant_list_with_counts_filters_and_actions(make, login, open_training):
    organiser, training = open_training
    siti = make.enrolment(training, name="Siti", country="ID", status="accepted",
                          accessibility_needs="Live captions")
    ayu = make.enrolment(training, name="Ayu", country="ID", status="waitlisted", sector="academic")
    make.enrolment(training, name="Tan", country="MY", status="waitlisted")
    client = login(organiser)
    html = client.get(f"/trainings/{training.id}/participants").get_data(as_text=True)
    assert "Live captions" in html and "Siti" in html and "Tan" in html
    assert "(full)" in html  # Indonesia 1 of 1
    filtered = client.get(f"/trainings/{training.id}/participants?country=MY").get_data(as_text=True)
    assert "Tan" in filtered and "Ayu" not in filtered
    by_sector = client.get(f"/trainings/{training.id}/participants?sector=academic&q=ay")
    assert "Ayu" in by_sector.get_data(as_text=True)
    bad = client.get(f"/trainings/{training.id}/participants?country=Atlantis")
    assert bad.status_code == 422

    confirm = client.post(f"/enrolments/{siti.id}/status", data={"status": "withdrawn"})
    assert confirm.status_code == 200 and "Withdraw Siti?" in confirm.get_data(as_text=True)
    db.session.expire_all()
    assert siti.status == "accepted"  # nothing happens before the confirmation
    response = client.post(f"/enrolments/{siti.id}/status",
                           data={"status": "withdrawn", "confirmed": "1", "notify": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    assert siti.status == "withdrawn" and ayu.status == "accepted"
    flashes = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Moved up from the waiting list: Ayu." in flashes

    full = client.post(f"/enrolments/{siti.id}/status", data={"status": "accepted"})
    assert "No place is free" in client.get(full.headers["Location"]).get_data(as_text=True)


def test_settings_open_and_close_applications(make, login, open_training):
    organiser, training = open_training
    client = login(organiser)
    client.post(f"/trainings/{training.id}/participants/settings",
                data={"requires_approval": "y"})
    db.session.expire_all()
    assert training.applications_open is False and training.requires_approval is True


def test_exports_csv_and_xlsx(make, login, open_training):
    organiser, training = open_training
    make.enrolment(training, name="Nighat Parveen", country="PK", status="accepted")
    make.enrolment(training, name="=cmd|' /C calc'!A0", country="MY", status="waitlisted")
    client = login(organiser)
    response = client.get(f"/trainings/{training.id}/enrolments.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf")
    text = response.data.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("id,name,email,country")
    assert "Nighat Parveen" in text and "'=cmd" in text
    only_pk = client.get(f"/trainings/{training.id}/enrolments.csv?country=PK").data.decode("utf-8-sig")
    assert "Nighat" in only_pk and "cmd" not in only_pk

    xlsx = client.get(f"/trainings/{training.id}/enrolments.xlsx")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    values = [c.value for row in sheet.iter_rows() for c in row]
    assert "Nighat Parveen" in values and "'=cmd|' /C calc'!A0" in values
    assert all(not (isinstance(v, str) and v.startswith("=")) for v in values)


def test_import_preview_then_apply_then_reimport_skips(make, login, open_training):
    organiser, training = open_training
    training.capacity = 10
    db.session.commit()
    client = login(organiser)
    url = f"/trainings/{training.id}/enrolments/import"
    assert client.get(url).status_code == 200
    preview = client.post(url, data={"action": "preview", "file": (
        io.BytesIO((DATA / "participants.csv").read_bytes()), "participants.csv")},
        content_type="multipart/form-data")
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "New: 4" in html
    assert db.session.scalar(select(db.func.count()).select_from(Enrolment)) == 0  # preview writes nothing
    rows = re.search(r'name="rows"[^>]*value="([^"]*)"', html) or re.search(
        r'value="([^"]*)"[^>]*name="rows"', html)
    import html as html_lib
    applied = client.post(url, data={"action": "apply", "rows": html_lib.unescape(rows.group(1))})
    assert applied.status_code == 302
    assert db.session.scalar(select(db.func.count()).select_from(Enrolment)) == 4

    again = client.post(url, data={"action": "preview", "file": (
        io.BytesIO((DATA / "participants.csv").read_bytes()), "participants.csv")},
        content_type="multipart/form-data").get_data(as_text=True)
    assert "skipped: 4" in again and "nothing to import" in again


def test_import_page_shows_row_errors(make, login, open_training):
    organiser, training = open_training
    client = login(organiser)
    response = client.post(f"/trainings/{training.id}/enrolments/import", data={
        "action": "preview", "file": (io.BytesIO((DATA / "bad-rows.csv").read_bytes()), "bad.csv")},
        content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "with errors: 3" in html and 'name="rows"' not in html.split("Preview")[1]
    binary = client.post(f"/trainings/{training.id}/enrolments/import", data={
        "action": "preview", "file": (io.BytesIO(b"\x00\x01binary\xff"), "x.csv")},
        content_type="multipart/form-data")
    assert binary.status_code == 422 and "binary data" in binary.get_data(as_text=True)


def test_oversized_upload_is_413_with_a_clear_message(make, login, open_training, app):
    organiser, training = open_training
    client = login(organiser)
    app.config["MAX_CONTENT_LENGTH"] = 2000
    response = client.post(f"/trainings/{training.id}/enrolments/import", data={
        "action": "preview", "file": (io.BytesIO(b"x" * 5000), "big.csv")},
        content_type="multipart/form-data")
    assert response.status_code == 413
    assert "larger than the limit" in response.get_data(as_text=True)


def test_outbox_and_invitation_set_password_and_log_in(make, login, client, open_training):
    organiser, training = open_training
    client.post(f"/trainings/{training.id}/apply", data=FORM)
    message = db.session.scalar(select(OutboxMessage))
    token = message.body.split("/invitation/")[1].split()[0]
    assert message.body.count("http://localhost/invitation/") == 1  # an absolute link

    anonymous_form = client.get(f"/invitation/{token}")
    assert anonymous_form.status_code == 200
    short = client.post(f"/invitation/{token}", data={"password": "short", "confirm": "short"})
    assert short.status_code == 422
    done = client.post(f"/invitation/{token}", data={"password": "a-long-password-1",
                                                     "confirm": "a-long-password-1"})
    assert done.status_code == 302
    welcome = client.get(done.headers["Location"], follow_redirects=True).get_data(as_text=True)
    assert "Selamat datang, Siti Rahmawati." in welcome  # in her language, after the redirect
    user = db.session.scalar(select(User).where(User.email == "siti@example.org"))
    assert user.check_password("a-long-password-1")
    assert client.get(f"/trainings/{training.id}/my-enrolment").status_code == 200  # logged in
    assert client.get(f"/invitation/{token}").status_code == 404  # used

    client.post("/logout")
    staff = login(organiser)
    outbox = staff.get(f"/trainings/{training.id}/outbox").get_data(as_text=True)
    assert "siti@example.org" in outbox and message.subject in outbox


def test_participant_withdraws_own_enrolment(make, login, open_training):
    from datetime import timedelta

    from trainings.db import utcnow
    _organiser, training = open_training
    for number, session in enumerate(training.sessions):  # a training still to come
        session.starts_at = utcnow() + timedelta(days=3 + number)
    participant = make.user("participant")
    mine = make.enrolment(training, user=participant, status="accepted")
    waiting = make.enrolment(training, status="waitlisted", country="ID")
    client = login(participant)
    assert "You have already applied; your status is: Accepted." in client.get(
        f"/trainings/{training.id}/apply").get_data(as_text=True)
    assert "Withdraw my enrolment" in client.get(f"/trainings/{training.id}/my-enrolment").get_data(as_text=True)
    client.post(f"/trainings/{training.id}/my-enrolment")
    db.session.expire_all()
    assert mine.status == "withdrawn" and waiting.status == "accepted"


@pytest.mark.parametrize("who", ["other_organiser", "facilitator", "participant"])
def test_pages_refused_to_others(make, login, open_training, who):
    organiser, training = open_training
    enrolment = make.enrolment(training, status="accepted")
    user = make.user("organiser" if who == "other_organiser" else who)
    if who == "facilitator":
        training.staff.append(TrainingStaff(user=user, role="facilitator"))
        db.session.commit()
    if who == "participant":
        make.enrolment(training, user=user, status="waitlisted", country="MY")
    client = login(user)
    base = f"/trainings/{training.id}"
    for path in ("/participants", "/outbox", "/enrolments.csv", "/enrolments.xlsx",
                 "/enrolments/import", "/participants/add"):
        assert client.get(base + path).status_code == 403, path
    assert client.post(f"/enrolments/{enrolment.id}/status",
                       data={"status": "withdrawn"}).status_code == 403
    assert client.post(f"/enrolments/{enrolment.id}/invitation").status_code == 403
    assert client.post(f"{base}/participants/add", data=FORM).status_code == 403
    assert client.post(f"{base}/participants/settings",
                       data={"applications_open": "y"}).status_code == 403
    db.session.expire_all()
    assert enrolment.status == "accepted"


def test_anonymous_is_sent_to_login(client, open_training):
    _organiser, training = open_training
    response = client.get(f"/trainings/{training.id}/participants")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_state_changes_need_a_csrf_token(app_factory, make):
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        organiser = make.user("organiser")
        training = make.training(organiser=organiser, sessions=1, applications_open=True)
        db.session.commit()
        client = app.test_client()
        response = client.post(f"/trainings/{training.id}/apply", data=FORM)
        assert response.status_code in (400, 422)
        assert db.session.scalar(select(db.func.count()).select_from(Enrolment)) == 0
        db.session.remove()


def test_organiser_adds_a_participant_by_hand_and_resends_an_invitation(make, login, open_training):
    organiser, training = open_training
    client = login(organiser)
    assert client.get(f"/trainings/{training.id}/participants/add").status_code == 200
    form = {k: v for k, v in FORM.items() if k != "privacy_consent"}
    response = client.post(f"/trainings/{training.id}/participants/add", data=form)
    assert response.status_code == 302
    enrolment = db.session.scalar(select(Enrolment))
    assert enrolment.status == "accepted"
    duplicate = client.post(f"/trainings/{training.id}/participants/add", data=form)
    assert duplicate.status_code == 422 and 'id="email-error"' in duplicate.get_data(as_text=True)

    assert "Send a new invitation" in client.get(
        f"/trainings/{training.id}/participants").get_data(as_text=True)
    client.post(f"/enrolments/{enrolment.id}/invitation")
    kinds = db.session.scalars(select(OutboxMessage.kind).order_by(OutboxMessage.id)).all()
    assert kinds == ["invitation", "invitation"]
    enrolment.user.set_password("now-it-is-set-1")
    db.session.commit()
    again = client.post(f"/enrolments/{enrolment.id}/invitation")
    assert "already set a password" in client.get(again.headers["Location"]).get_data(as_text=True)


def test_rejecting_is_confirmed_first_and_may_send_no_mail(make, login, open_training):
    organiser, training = open_training
    ayu = make.enrolment(training, name="Ayu", country="ID", status="applied")
    client = login(organiser)
    page = client.get(f"/enrolments/{ayu.id}/status?status=rejected")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Reject Ayu?" in html and ayu.email in html
    before = db.session.scalar(select(db.func.count()).select_from(OutboxMessage))
    done = client.post(f"/enrolments/{ayu.id}/status", data={"status": "rejected", "confirmed": "1"})
    assert done.status_code == 302
    db.session.expire_all()
    assert ayu.status == "rejected"
    assert db.session.scalar(select(db.func.count()).select_from(OutboxMessage)) == before


def test_withdrawing_by_an_organiser_is_confirmed_first_then_mails_only_when_asked(
        make, login, open_training):
    organiser, training = open_training
    ayu = make.enrolment(training, name="Ayu", country="ID", status="accepted")
    client = login(organiser)
    count = lambda: db.session.scalar(select(db.func.count()).select_from(OutboxMessage))  # noqa: E731
    before = count()
    unconfirmed = client.post(f"/enrolments/{ayu.id}/status", data={"status": "withdrawn"})
    assert unconfirmed.status_code == 200 and "Withdraw Ayu?" in unconfirmed.get_data(as_text=True)
    db.session.expire_all()
    assert ayu.status == "accepted" and count() == before  # one click changes nothing
    client.post(f"/enrolments/{ayu.id}/status",
                data={"status": "withdrawn", "confirmed": "1", "notify": "1"})
    db.session.expire_all()
    assert ayu.status == "withdrawn" and count() == before + 1


def test_withdrawing_from_a_finished_training_is_refused(make, login):
    training = make.training(sessions=2, first_start=make.PAST_START)  # December 2023
    participant = make.user("participant")
    mine = make.enrolment(training, user=participant, status="accepted")
    client = login(participant)
    answer = client.post(f"/trainings/{training.id}/my-enrolment")
    db.session.expire_all()
    assert mine.status == "accepted"
    assert "can no longer be withdrawn" in client.get(answer.headers["Location"]).get_data(as_text=True)


def test_an_applicant_sees_where_the_application_stands(client, open_training):
    _organiser, training = open_training
    training.requires_approval = True
    db.session.commit()
    assert client.get(f"/trainings/{training.id}/application").status_code == 404
    sent = client.post(f"/trainings/{training.id}/apply", data=FORM)
    thanks = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert f"/trainings/{training.id}/application" in thanks
    status = client.get(f"/trainings/{training.id}/application")
    assert status.status_code == 200
    assert "waiting for the organisers" in status.get_data(as_text=True)


def test_the_invitation_opens_in_the_language_the_person_chose(client, open_training):
    _organiser, training = open_training
    client.post(f"/trainings/{training.id}/apply", data=FORM)  # language "id", accepted
    message = db.session.scalar(select(OutboxMessage))
    token = message.body.split("/invitation/")[1].split()[0]
    fresh = client.application.test_client()  # another browser, English by default
    page = fresh.get(f"/invitation/{token}", headers={"Accept-Language": "en"})
    assert 'lang="id"' in page.get_data(as_text=True)


def test_participant_list_pages_and_quota_total(make, login):
    organiser = make.user("organiser")
    training = make.training(organiser=organiser, capacity=30, quotas={"ID": 15, "PK": 10})
    for n in range(55):
        make.enrolment(training, name=f"Person {n:02d}", status="applied", commit=False)
    db.session.commit()
    client = login(organiser)
    first = client.get(f"/trainings/{training.id}/participants?sort=name").get_data(as_text=True)
    assert "page 1 of 2" in first and "Person 00" in first and "Person 54" not in first
    second = client.get(f"/trainings/{training.id}/participants?sort=name&page=2").get_data(as_text=True)
    assert "Person 54" in second and "Person 00" not in second
    assert "<td>25</td>" in first  # the quota total is the sum of the quotas
    assert "fewer than the capacity of 30" in first


def test_bulk_accept_takes_free_places_and_reports_the_rest(make, login):
    organiser = make.user("organiser")
    training = make.training(organiser=organiser, capacity=2)
    first = make.enrolment(training, name="First", status="applied")
    second = make.enrolment(training, name="Second", status="applied")
    third = make.enrolment(training, name="Third", status="applied")
    other = make.enrolment(make.training(organiser=organiser), name="Elsewhere", status="applied")
    client = login(organiser)
    page = client.get(f"/trainings/{training.id}/participants").get_data(as_text=True)
    assert 'form="bulk"' in page
    answer = client.post(f"/trainings/{training.id}/participants/bulk", data={
        "status": "accepted", "enrolment": [str(first.id), str(second.id), str(third.id), str(other.id)]})
    assert answer.status_code == 302
    db.session.expire_all()
    assert (first.status, second.status, third.status) == ("accepted", "accepted", "applied")
    assert other.status == "applied"  # another training's enrolment is not touched
    flashes = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "2 people changed." in flashes and "Third: No place is free" in flashes
    refused = client.post(f"/trainings/{training.id}/participants/bulk",
                          data={"status": "rejected", "enrolment": [str(third.id)]})
    db.session.expire_all()
    assert refused.status_code == 302 and third.status == "applied"
