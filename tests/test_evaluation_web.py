"""Evaluation pages: wiring, permissions, form errors that write nothing."""
import pytest
from sqlalchemy import func, select

from trainings.evaluation import services
from trainings.evaluation.models import Demographics, Survey, SurveyResponse
from trainings.extensions import db

from .evaluation_helpers import feedback_data, survey


@pytest.fixture
def setup(make):
    organiser = make.user("organiser")
    training = make.training(organiser=organiser, sessions=2)
    siti = make.user(name="Siti Rahmawati", language="id")
    tan = make.user(name="Tan Mei Ling")
    e_siti = make.enrolment(training, user=siti, country="ID")
    e_tan = make.enrolment(training, user=tan, country="MY")
    return dict(organiser=organiser, training=training, siti=siti, tan=tan, e_siti=e_siti, e_tan=e_tan)


def test_organiser_creates_a_survey_and_adds_questions(setup, login, client):
    login(setup["organiser"])
    tid = setup["training"].id
    page = client.get(f"/trainings/{tid}/surveys")
    assert page.status_code == 200 and "New survey or test" in page.get_data(as_text=True)
    bad = client.post(f"/trainings/{tid}/surveys/new", data={"title_id": "", "title_en": "Feedback",
                                                             "kind": "feedback", "session": ""})
    assert bad.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(Survey)) == 0
    made = client.post(f"/trainings/{tid}/surveys/new", data={
        "title_id": "Umpan balik", "title_en": "Feedback", "kind": "feedback", "session": "",
        "anonymous": "y", "opens_at": "2023-12-01T08:00"})
    assert made.status_code == 302
    s = db.session.scalars(select(Survey)).one()
    assert s.is_anonymous and s.opens_at.hour == 1  # 08:00 WIB
    added = client.post(f"/surveys/{s.id}/edit", data={
        "question-type": "choice", "question-text_id": "Mana?", "question-text_en": "Which?",
        "question-required": "y", "question-options": "Satu | One\nDua | Two"})
    assert added.status_code == 302
    assert s.questions[0].options == [{"id": "Satu", "en": "One"}, {"id": "Dua", "en": "Two"}]
    wrong = client.post(f"/surveys/{s.id}/edit", data={
        "question-type": "choice", "question-text_id": "Mana?", "question-text_en": "Which?",
        "question-options": "Satu | One"})
    assert wrong.status_code == 422 and "Give from 2 to 20 options." in wrong.get_data(as_text=True)
    assert len(s.questions) == 1


def test_participants_cannot_reach_organiser_pages(setup, login, client):
    s = survey(setup["training"], setup["organiser"])
    login(setup["siti"])
    tid = setup["training"].id
    for url in (f"/trainings/{tid}/surveys", f"/surveys/{s.id}/results", f"/surveys/{s.id}/edit",
                f"/trainings/{tid}/action-plans", f"/trainings/{tid}/evaluation-report"):
        assert client.get(url).status_code == 403, url


def test_participant_answers_in_their_language_once(setup, login, client):
    s = survey(setup["training"], setup["organiser"])
    login(setup["siti"])
    page = client.get(f"/surveys/{s.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "How useful? (id)" in html and "<fieldset" in html
    assert "<legend" in html
    missing = client.post(f"/surveys/{s.id}", data={"q-q3": "nothing"})
    assert missing.status_code == 422 and "Pertanyaan ini perlu dijawab." in missing.get_data(as_text=True)
    out_of_range = client.post(f"/surveys/{s.id}", data={"q-q1": "9"})
    assert out_of_range.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 0
    done = client.post(f"/surveys/{s.id}", data={"q-q1": "4", "q-q2": ["0", "2"], "q-q3": "Bagus"})
    assert done.status_code == 302
    assert db.session.scalars(select(SurveyResponse)).one().answers == {"q1": 4, "q2": [0, 2], "q3": "Bagus"}
    again = client.post(f"/surveys/{s.id}", data={"q-q1": "5"})
    assert again.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 1
    listing = client.get(f"/trainings/{setup['training'].id}/my-surveys").get_data(as_text=True)
    assert "sudah dijawab" in listing


def test_results_page_names_only_for_named_surveys(setup, login, client):
    named = survey(setup["training"], setup["organiser"])
    anonymous = survey(setup["training"], setup["organiser"], feedback_data(anonymous=True))
    for s in (named, anonymous):
        services.submit_response(s, setup["e_siti"], {"q1": 5, "q3": "Inspiring"}, actor=None)
    db.session.commit()
    login(setup["organiser"])
    named_page = client.get(f"/surveys/{named.id}/results").get_data(as_text=True)
    assert "Tan Mei Ling" in named_page and "Siti Rahmawati" not in named_page
    anonymous_page = client.get(f"/surveys/{anonymous.id}/results").get_data(as_text=True)
    assert "Tan Mei Ling" not in anonymous_page and "Siti Rahmawati" not in anonymous_page
    assert "Inspiring" in anonymous_page
    reminded = client.post(f"/surveys/{named.id}/remind", follow_redirects=True)
    assert "1 reminders queued" in reminded.get_data(as_text=True)


def test_action_plan_pages(setup, login, client):
    tid = setup["training"].id
    login(setup["siti"])
    bad = client.post(f"/trainings/{tid}/my-action-plan", data={"new-text_1": "Latih paralegal",
                                                                "new-due_1": ""})
    assert bad.status_code == 422
    assert client.post(f"/trainings/{tid}/my-action-plan", data={
        "new-text_1": "Latih paralegal", "new-due_1": "2024-03-31"}).status_code == 302
    commitment = services.plan_of(setup["e_siti"]).commitments[0]
    assert client.post(f"/commitments/{commitment.id}", data={
        f"c{commitment.id}-status": "in_progress", f"c{commitment.id}-note": "Dua orang"}).status_code == 302
    page = client.get(f"/trainings/{tid}/my-action-plan").get_data(as_text=True)
    assert "Sedang berjalan" in page and "Dua orang" in page
    login(setup["tan"])
    assert client.post(f"/commitments/{commitment.id}", data={
        f"c{commitment.id}-status": "done"}).status_code == 403
    login(setup["organiser"])
    overview = client.get(f"/trainings/{tid}/action-plans").get_data(as_text=True)
    assert "Siti Rahmawati" in overview and "Dua orang" in overview
    assert client.post(f"/trainings/{tid}/action-plans", data={"days": "30, 90"}).status_code == 302
    assert services.follow_up_days(setup["training"]) == [30, 90]
    soon = client.post(f"/trainings/{tid}/action-plans", data={"days": "soon"})
    assert soon.status_code == 422
    assert "Give whole numbers of days, e.g. 30, 90." in soon.get_data(as_text=True)
    assert services.follow_up_days(setup["training"]) == [30, 90]


def test_demographics_page_needs_consent(setup, login, client):
    tid = setup["training"].id
    login(setup["siti"])
    refused = client.post(f"/trainings/{tid}/about-you", data={"gender": "woman"})
    assert refused.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(Demographics)) == 0
    saved = client.post(f"/trainings/{tid}/about-you", data={"consent": "yes", "gender": "woman",
                                                             "wg-seeing": "cannot_do_at_all"})
    assert saved.status_code == 302
    assert services.demographics_of(setup["e_siti"]).has_disability is True
    client.post(f"/trainings/{tid}/about-you", data={})
    assert services.demographics_of(setup["e_siti"]) is None


def test_report_page_has_charts_tables_and_downloads(setup, login, client):
    login(setup["organiser"])
    tid = setup["training"].id
    page = client.get(f"/trainings/{tid}/evaluation-report")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<svg" in html and "<table" in html and "&lt;5" in html
    assert client.get(f"/trainings/{tid}/evaluation-report?format=xlsx").data[:2] == b"PK"
    assert client.get(f"/trainings/{tid}/evaluation-report?format=pdf").data[:4] == b"%PDF"


def test_responses_export_names_people_only_for_named_surveys(setup, login, client):
    import io

    from openpyxl import load_workbook
    named = survey(setup["training"], setup["organiser"])
    anonymous = survey(setup["training"], setup["organiser"], feedback_data(anonymous=True))
    for s in (named, anonymous):
        services.submit_response(s, setup["e_siti"], {"q1": 5, "q2": [1], "q3": "=cmd()"}, actor=None)
        services.submit_response(s, setup["e_tan"], {"q1": 3}, actor=None)
    db.session.commit()
    login(setup["organiser"])

    def cells(s):
        data = client.get(f"/surveys/{s.id}/responses.xlsx").data
        return [list(r) for r in load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True)]

    rows = cells(named)
    assert rows[0][:2] == ["Participant", "Country"]
    assert rows[1][:3] == ["Siti Rahmawati", "ID", 5] and rows[1][3] == "Two"
    assert rows[1][4] == "'=cmd()"  # formula-safe
    flat = [str(c) for row in cells(anonymous) for c in row]
    assert "Siti Rahmawati" not in flat and "Tan Mei Ling" not in flat and "ID" not in flat
    assert len(cells(anonymous)) == 3
    login(setup["siti"])
    assert client.get(f"/surveys/{named.id}/responses.xlsx").status_code == 403
