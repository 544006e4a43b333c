"""Privacy tools: the personal export, erasure (counts stay), retention, consent in the API."""
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from trainings.audit.models import AuditEntry
from trainings.auth.models import User
from trainings.certificates import services as certificates
from trainings.certificates.models import Certificate
from trainings.enrolment.models import Enrolment
from trainings.errors import ValidationError
from trainings.extensions import db
from trainings.outbox.models import OutboxMessage
from trainings.overview import privacy
from trainings.overview.stats import stats
from trainings.web import base_url

from .certificates_helpers import base, certified_training

NAME, EMAIL, ORG = "Siti Rahmawati", "siti.rahmawati@example.org", "Kalyanamitra Jakarta"


@pytest.fixture
def world(make):
    """Siti, with an account, enrolled in two trainings of one organiser, certified in one,
    with accessibility needs, an attendance note and mails; and another participant."""
    siti = make.user(email=EMAIL, name=NAME)
    training, (_other,), organiser = certified_training(make, names=("Dewi Lestari",))
    mine = make.enrolment(training, user=siti, organisation=ORG,
                          accessibility_needs="Live captions please, Siti")
    from .certificates_helpers import attend
    attend(mine, training.sessions)
    db.session.commit()
    certificates.issue_all(training, actor=organiser, base=base())
    from trainings.attendance.services import set_records
    set_records(training.sessions[0], [{"enrolment": mine.id, "status": "late",
                                        "note": "Siti joined late from Bogor"}],
                actor=organiser)
    second = make.training(organiser=organiser, sessions=1)
    make.enrolment(second, user=siti, organisation=ORG)
    db.session.commit()
    return dict(siti=siti, training=training, second=second, organiser=organiser,
                enrolment=mine)


def test_my_export_holds_every_record(world, api):
    response = api(world["siti"]).get("/api/v1/me/export")
    assert response.status_code == 200
    data = response.get_json()
    assert data["profile"]["email"] == EMAIL
    assert {e["training"]["id"] for e in data["enrolments"]} == {world["training"].id,
                                                                  world["second"].id}
    enrolment = next(e for e in data["enrolments"] if e["id"] == world["enrolment"].id)
    assert enrolment["organisation"] == ORG
    assert enrolment["accessibility_needs"].startswith("Live captions")
    assert any(a["note"] == "Siti joined late from Bogor" for a in data["attendance"])
    assert len(data["attendance"]) == len(world["training"].sessions)
    assert [c["name"] for c in data["certificates"]] == [NAME]
    assert data["mails"]  # the certificate mail at least


def test_my_data_page_downloads_json(world, client, login):
    login(world["siti"])
    assert "Download my data" in client.get("/me/data").get_data(as_text=True)
    response = client.get("/me/data.json")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    assert json.loads(response.data)["profile"]["name"] == NAME


def _pages_text(client, training, organiser, login):
    login(organiser)
    out = []
    for url in (f"/trainings/{training.id}/participants", f"/trainings/{training.id}/attendance",
                f"/trainings/{training.id}/enrolments.csv", f"/trainings/{training.id}/attendance.csv",
                f"/trainings/{training.id}/certificates", f"/trainings/{training.id}/audit",
                f"/trainings/{training.id}/outbox", "/me/sessions"):
        response = client.get(url)
        assert response.status_code == 200, url
        out.append(response.get_data(as_text=True))
    for session in training.sessions:
        out.append(client.get(f"/sessions/{session.id}/attendance").get_data(as_text=True))
        out.append(client.get(f"/sessions/{session.id}/attendance/audit").get_data(as_text=True))
    pdf = client.get(f"/trainings/{training.id}/certificates.pdf")
    assert pdf.status_code == 200
    out.append("".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages))
    for certificate in db.session.scalars(select(Certificate).where(
            Certificate.training_id == training.id)):
        out.append(client.get(f"/verify/{certificate.code}").get_data(as_text=True))
    client.get("/logout")
    return "\n".join(out)


def _api_text(api, training, organiser):
    calls = [f"/api/v1/trainings/{training.id}/enrolments", f"/api/v1/trainings/{training.id}/stats",
             f"/api/v1/trainings/{training.id}/attendance",
             f"/api/v1/trainings/{training.id}/certificates",
             f"/api/v1/trainings/{training.id}/audit"]
    client = api(organiser)
    texts = []
    for url in calls:
        response = client.get(url)
        assert response.status_code == 200, url
        texts.append(response.get_data(as_text=True))
    return "\n".join(texts)


def _cached_pdf(app, certificate):
    from trainings.certificates import render
    with app.test_request_context():
        context = certificates.contexts_for([certificate], base_url())[0]
        return render.cache_dir() / f"{render.cache_key(context)}.pdf"


def test_an_erased_person_is_absent_everywhere_while_counts_stay(world, client, login, api, app):
    training, organiser, siti = world["training"], world["organiser"], world["siti"]
    before_pages = _pages_text(client, training, organiser, login)
    mine = db.session.scalar(select(Certificate).where(
        Certificate.enrolment_id == world["enrolment"].id))
    cached = _cached_pdf(app, mine)
    assert cached.is_file()  # rendered (with her name) for the print PDF above
    assert NAME in before_pages and EMAIL in before_pages  # the check can fail
    before_stats = stats(training)
    before_api = api(organiser).get(f"/api/v1/trainings/{training.id}/stats").get_json()
    response = api(organiser).post(f"/api/v1/people/{siti.id}/erase",
                                   json={"reason": "She asked by mail"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json() == {"person": siti.id, "enrolments": 2, "certificates_revoked": 1}
    db.session.expire_all()
    after_pages = _pages_text(client, training, organiser, login)
    after_api = _api_text(api, training, organiser)
    for secret in (NAME, "Siti", EMAIL, ORG, "Live captions", "Bogor"):
        assert secret not in after_pages, secret
        assert secret not in after_api, secret
    assert stats(training) == before_stats
    assert api(organiser).get(f"/api/v1/trainings/{training.id}/stats").get_json() == before_api
    assert db.session.scalar(select(func.count()).select_from(Enrolment).where(
        Enrolment.training_id == training.id)) == 2
    certificate = db.session.scalar(select(Certificate).where(
        Certificate.enrolment_id == world["enrolment"].id))
    assert certificate.revoke_reason == "erased on request" and certificate.name != NAME
    assert not cached.exists()  # the cached PDF with her name is gone
    account = db.session.get(User, siti.id)
    assert not account.is_active and account.email != EMAIL and account.password_hash is None
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.to_email == EMAIL)) == 0
    # in the audit, the erasure by the organiser, with ids only
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "person.erased",
                                                       AuditEntry.training_id == training.id))
    assert entry.actor_id == organiser.id and "She asked" not in json.dumps(entry.details)
    # the erased account can no longer log in, so it cannot export anything either
    assert client.post("/login", data={"email": EMAIL, "password": "correct-horse-battery"}
                       ).status_code != 302


def test_organisers_erase_only_people_wholly_in_their_trainings(world, make, api):
    stranger = make.user("organiser")
    assert api(stranger).post(f"/api/v1/people/{world['siti'].id}/erase",
                              json={"reason": "x"}).status_code == 403
    elsewhere = make.training(organiser=stranger, sessions=1)
    make.enrolment(elsewhere, user=world["siti"])
    # now one of Siti's enrolments is outside the first organiser's trainings
    response = api(world["organiser"]).post(f"/api/v1/people/{world['siti'].id}/erase",
                                            json={"reason": "x"})
    assert response.status_code == 403
    assert db.session.get(User, world["siti"].id).name == NAME  # nothing changed
    admin = make.user("admin")
    assert api(admin).post(f"/api/v1/people/{world['siti'].id}/erase",
                           json={"reason": "x"}).status_code == 200
    participant = make.user()
    assert api(participant).post(f"/api/v1/people/{stranger.id}/erase",
                                 json={"reason": "x"}).status_code == 403


def test_erasure_needs_a_reason(world, api):
    response = api(world["organiser"]).post(f"/api/v1/people/{world['siti'].id}/erase", json={})
    assert response.status_code == 422
    with pytest.raises(ValidationError):
        privacy.erase_person(world["siti"], actor=world["organiser"], reason="  ")
    assert db.session.get(User, world["siti"].id).erased_at is None


def test_an_erased_persons_open_session_ends(world, make, client, login):
    login(world["siti"])
    assert client.get("/me/schedule").status_code == 200
    privacy.erase_person(world["siti"], actor=make.user("admin"), reason="asked")
    db.session.commit()
    assert client.get("/me/schedule").status_code == 302  # back to the login page


def test_erase_page(world, client, login):
    login(world["organiser"])
    person = client.get(f"/people/{world['siti'].id}").get_data(as_text=True)
    assert f"/people/{world['siti'].id}/erase" in person
    page = client.get(f"/people/{world['siti'].id}/erase")
    assert page.status_code == 200 and NAME in page.get_data(as_text=True)
    assert client.post(f"/people/{world['siti'].id}/erase", data={"reason": ""}).status_code == 422
    done = client.post(f"/people/{world['siti'].id}/erase", data={"reason": "asked"})
    assert done.status_code == 302
    assert db.session.get(User, world["siti"].id).erased_at is not None


def test_retention_preview_and_run(world, runner, client, login):
    training = world["training"]
    login(world["organiser"])
    assert client.post(f"/trainings/{training.id}/retention",
                       data={"retention_months": "0"}).status_code == 422
    assert client.post(f"/trainings/{training.id}/retention",
                       data={"retention_months": "6"}).status_code == 302
    db.session.expire_all()
    preview = privacy.retention_preview(training)
    last = max(s.starts_at for s in training.sessions)
    assert preview["months"] == 6 and preview["enrolments"] == 2 and preview["is_due"]
    assert preview["due"] == privacy.add_months(last.date(), 6).isoformat()
    page = client.get(f"/trainings/{training.id}/retention").get_data(as_text=True)
    assert "2 enrolments" in page
    # not yet due a day after the last session
    assert privacy.run_retention(last + timedelta(days=1), dry_run=True) == []
    before = stats(training)
    dry = runner.invoke(args=["privacy", "retention", "--dry-run"])
    assert "would erase 2 enrolments" in dry.output
    assert db.session.scalar(select(func.count()).select_from(Enrolment).where(
        Enrolment.erased_at.is_not(None))) == 0
    assert privacy.retention_task(datetime.now(UTC)) == 2
    db.session.expire_all()
    assert stats(training) == before
    names = set(db.session.scalars(select(Enrolment.name).where(Enrolment.training_id == training.id)))
    assert names == {privacy.ERASED_NAME}
    # the other training of the same person is not touched, nor the account
    assert db.session.get(User, world["siti"].id).name == NAME
    assert privacy.retention_task(datetime.now(UTC)) == 0
    # Dewi was only in this training: her account is erased with her enrolment
    dewi = db.session.scalar(select(User).where(User.name == "Dewi Lestari"))
    assert dewi is None
    # once Siti's other training passes its retention too, her account goes as well
    world["second"].retention_months = 1
    db.session.commit()
    assert privacy.retention_task(datetime.now(UTC)) == 1
    db.session.expire_all()
    assert db.session.get(User, world["siti"].id).erased_at is not None


def test_add_months_keeps_the_day_or_the_month_end():
    from datetime import date
    assert privacy.add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert privacy.add_months(date(2023, 11, 15), 14) == date(2025, 1, 15)


def test_api_refuses_accessibility_needs_without_consent(make, api):
    organiser = make.user("organiser")
    training = make.training(organiser=organiser)
    person = {"name": "Ayu", "email": "ayu@example.org", "country": "ID", "sector": "activist",
              "timezone": "Asia/Jakarta", "language": "id", "accessibility_needs": "captions"}
    response = api(organiser).post(f"/api/v1/trainings/{training.id}/enrolments", json=person)
    assert response.status_code == 422
    assert response.get_json()["error"]["details"][0]["field"] == "accessibility_consent"
    assert db.session.scalar(select(func.count()).select_from(Enrolment)) == 0
    ok = api(organiser).post(f"/api/v1/trainings/{training.id}/enrolments",
                             json={**person, "accessibility_consent": True})
    assert ok.status_code == 201 and ok.get_json()["accessibility_needs"] == "captions"


def test_retention_is_a_periodic_task_of_the_worker():
    import importlib

    from trainings import periodic
    task = periodic.TASKS["privacy.retention"]
    module, _, name = task.target.partition(":")
    assert getattr(importlib.import_module(module), name) is privacy.retention_task


def test_survey_answers_and_action_plans_are_exported_and_their_text_erased(world, api):
    from trainings.evaluation.models import Survey, SurveyResponse
    from trainings.evaluation.services.plans import add_commitments
    enrolment = world["enrolment"]
    survey = Survey(training_id=world["training"].id, title_en="Feedback", title_id="Umpan balik")
    db.session.add(survey)
    db.session.flush()
    db.session.add(SurveyResponse(id="r1", survey_id=survey.id, enrolment_id=enrolment.id,
                                  answers={"q1": 4, "q2": "Siti says the Bogor venue was unsafe"},
                                  submitted_at=datetime.now(UTC)))
    add_commitments(enrolment, [{"text": "Train 20 women in Bogor", "due": "2030-01-31"}], actor=world["siti"])
    db.session.commit()
    data = api(world["siti"]).get("/api/v1/me/export").get_json()
    assert data["survey_answers"][0]["answers"]["q2"].startswith("Siti says")
    assert data["action_plans"][0]["commitments"][0]["text"] == "Train 20 women in Bogor"
    privacy.erase_person(world["siti"], actor=world["organiser"], reason="asked")
    db.session.commit()
    response = db.session.get(SurveyResponse, "r1")
    assert response.answers == {"q1": 4, "q2": ""}  # the rating counts, the text is gone
    from trainings.evaluation.models import Commitment
    assert [c.text for c in db.session.scalars(select(Commitment))] == [""]


def test_erasure_blanks_the_unmatched_report_rows_that_name_the_person(world):
    from trainings.attendance.models import AttendanceImport
    from trainings.db import utcnow
    staged = AttendanceImport(
        token="t-erase", session_id=world["training"].sessions[0].id, platform="zoom", rows=[],
        applied_at=utcnow(), unmatched_open=2, unmatched=[
            {"key": "email:x", "name": "S. (phone)", "email": EMAIL, "minutes": 50, "resolution": None},
            {"key": "name:host", "name": "Host", "email": "", "minutes": 90, "resolution": None}])
    db.session.add(staged)
    db.session.commit()
    privacy.erase_person(world["siti"], actor=world["organiser"], reason="asked")
    db.session.commit()
    staged = db.session.get(AttendanceImport, staged.id)
    assert [(r["name"], r["email"], r["resolution"]) for r in staged.unmatched] == [
        ("", "", "erased"), ("Host", "", None)]  # in place: the other row keeps its index
    assert staged.unmatched_open == 1
