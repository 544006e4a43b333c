"""Evaluation API: wiring, status codes, permissions; anonymous surveys show no name."""
import pytest

from trainings.extensions import db

from .evaluation_helpers import feedback_data, make_test_data


@pytest.fixture
def setup(make):
    organiser = make.user("organiser")
    facilitator = make.user("facilitator")
    training = make.training(organiser=organiser, facilitators=[facilitator], sessions=2)
    ayu_user, tan_user, other_user = make.user(name="Ayu Lestari"), make.user(name="Tan Mei Ling"), make.user()
    ayu = make.enrolment(training, user=ayu_user, country="ID")
    tan = make.enrolment(training, user=tan_user, country="MY")
    other_training = make.training(sessions=1)
    make.enrolment(other_training, user=other_user)
    return dict(organiser=organiser, facilitator=facilitator, training=training, ayu=ayu,
                tan=tan, ayu_user=ayu_user, tan_user=tan_user, other=other_user)


def _create(api, setup, data):
    return api(setup["organiser"]).post(f"/api/v1/trainings/{setup['training'].id}/surveys", json=data)


def test_create_list_and_get_survey(setup, api):
    response = _create(api, setup, make_test_data("pre_test", session=setup["training"].sessions[0].id))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["kind"] == "pre_test" and body["session"] == setup["training"].sessions[0].id
    assert body["questions"][0]["correct"] == [1] and body["anonymous"] is False
    assert body["title"] == {"id": "pre_test (id)", "en": "pre_test"}
    listed = api(setup["ayu_user"]).get(f"/api/v1/trainings/{setup['training'].id}/surveys").get_json()
    # participants never see the correct answers
    assert listed["items"][0]["id"] == body["id"] and "correct" not in listed["items"][0]["questions"][0]
    assert api(setup["other"]).get(f"/api/v1/surveys/{body['id']}").status_code == 403


def test_create_survey_permissions_and_errors(setup, api):
    url = f"/api/v1/trainings/{setup['training'].id}/surveys"
    assert api(setup["facilitator"]).post(url, json=feedback_data()).status_code == 403
    assert api(setup["ayu_user"]).post(url, json=feedback_data()).status_code == 403
    bad = _create(api, setup, feedback_data(questions=[]))
    assert bad.status_code == 422 and bad.get_json()["error"]["details"][0]["field"] == "questions"
    assert api(setup["organiser"]).post("/api/v1/trainings/99999/surveys", json=feedback_data()).status_code == 404


def test_responses_status_codes(setup, api):
    survey = _create(api, setup, feedback_data()).get_json()
    url = f"/api/v1/surveys/{survey['id']}/responses"
    ayu = api(setup["ayu_user"])
    assert ayu.post(url, json={"answers": {"q1": 0}}).status_code == 422
    missing = ayu.post(url, json={"answers": {"q3": "hello"}})
    assert missing.status_code == 422
    assert missing.get_json()["error"]["details"][0]["field"] == "answers.q1"
    assert ayu.post(url, json={"answers": {"q1": 4, "q2": [1, 2], "q3": "text"}}).status_code == 201
    again = ayu.post(url, json={"answers": {"q1": 4}})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_answered"
    assert api(setup["other"]).post(url, json={"answers": {"q1": 4}}).status_code == 403
    assert api(setup["organiser"]).post(url, json={"answers": {"q1": 4}}).status_code == 403


def test_closed_survey_is_409(setup, api):
    survey = _create(api, setup, feedback_data(opens_at="2020-01-01T00:00:00Z",
                                                closes_at="2020-02-01T00:00:00Z")).get_json()
    response = api(setup["ayu_user"]).post(f"/api/v1/surveys/{survey['id']}/responses",
                                           json={"answers": {"q1": 4}})
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "survey_closed"


def test_results_name_who_has_not_answered_only_when_not_anonymous(setup, api):
    named = _create(api, setup, feedback_data()).get_json()
    anonymous = _create(api, setup, feedback_data(anonymous=True)).get_json()
    for s in (named, anonymous):
        api(setup["ayu_user"]).post(f"/api/v1/surveys/{s['id']}/responses",
                                    json={"answers": {"q1": 5, "q3": "Great"}})
    organiser = api(setup["organiser"])
    result = organiser.get(f"/api/v1/surveys/{named['id']}/results").get_json()
    assert result["responses"] == 1 and result["invited"] == 2 and result["response_rate"] == 0.5
    assert [p["name"] for p in result["not_answered"]] == ["Tan Mei Ling"]
    hidden = organiser.get(f"/api/v1/surveys/{anonymous['id']}/results")
    text = hidden.get_data(as_text=True)
    assert hidden.status_code == 200 and "not_answered" not in hidden.get_json()
    assert "Ayu" not in text and "Tan Mei" not in text and "Great" in text
    assert api(setup["ayu_user"]).get(f"/api/v1/surveys/{named['id']}/results").status_code == 403
    reminded = organiser.post(f"/api/v1/surveys/{named['id']}/reminders")
    assert reminded.status_code == 202 and reminded.get_json() == {"queued": 1}


def test_evaluation_summary(setup, api):
    pre = _create(api, setup, make_test_data("pre_test")).get_json()
    post = _create(api, setup, make_test_data("post_test")).get_json()
    for user, pre_answers in ((setup["ayu_user"], {"k1": 0, "k2": [1]}), (setup["tan_user"], {"k1": 1, "k2": [1]})):
        api(user).post(f"/api/v1/surveys/{pre['id']}/responses", json={"answers": pre_answers})
        api(user).post(f"/api/v1/surveys/{post['id']}/responses", json={"answers": {"k1": 1, "k2": [0, 2]}})
    body = api(setup["organiser"]).get(f"/api/v1/trainings/{setup['training'].id}/evaluation").get_json()
    assert body["knowledge"] == {"pre_mean": 0.25, "post_mean": 1.0, "paired": 2, "gain": 0.75}
    assert body["by_country"]["MY"]["knowledge"]["gain"] == 0.5
    assert api(setup["facilitator"]).get(f"/api/v1/trainings/{setup['training'].id}/evaluation").status_code == 403


def test_action_plans(setup, api):
    tid = setup["training"].id
    ayu = api(setup["ayu_user"])
    bad = ayu.post(f"/api/v1/trainings/{tid}/action-plans", json={"commitments": [{"text": "x", "due": "soon"}]})
    assert bad.status_code == 422
    made = ayu.post(f"/api/v1/trainings/{tid}/action-plans",
                    json={"commitments": [{"text": "Run a workshop", "due": "2024-03-31"}]})
    assert made.status_code == 201
    commitment = made.get_json()["commitments"][0]
    assert commitment["status"] == "not_started" and commitment["due"] == "2024-03-31"
    assert api(setup["other"]).post(f"/api/v1/trainings/{tid}/action-plans",
                                    json={"commitments": [{"text": "x", "due": "2024-01-01"}]}).status_code == 403
    patch = ayu.patch(f"/api/v1/commitments/{commitment['id']}", json={"status": "done", "note": "Held it"})
    assert patch.status_code == 200 and len(patch.get_json()["history"]) == 2
    assert ayu.patch(f"/api/v1/commitments/{commitment['id']}", json={"status": "nope"}).status_code == 422
    assert api(setup["tan_user"]).patch(f"/api/v1/commitments/{commitment['id']}",
                                        json={"status": "dropped"}).status_code == 403
    mine = ayu.get("/api/v1/me/action-plans").get_json()
    assert mine["items"][0]["commitments"][0]["status"] == "done"
    overview = api(setup["organiser"]).get(f"/api/v1/trainings/{tid}/action-plans").get_json()
    assert overview["items"][0]["name"] == "Ayu Lestari"
    assert overview["items"][0]["commitments"][0]["history"][-1]["note"] == "Held it"
    assert overview["totals"]["by_status"]["done"] == 1
    assert ayu.get(f"/api/v1/trainings/{tid}/action-plans").status_code == 403


def test_report_formats_and_permissions(setup, api):
    tid = setup["training"].id
    organiser = api(setup["organiser"])
    body = organiser.get(f"/api/v1/trainings/{tid}/report").get_json()
    assert body["total"]["participants"] == "<5"
    xlsx = organiser.get(f"/api/v1/trainings/{tid}/report?format=xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    pdf = organiser.get(f"/api/v1/trainings/{tid}/report?format=pdf")
    assert pdf.status_code == 200 and pdf.data[:4] == b"%PDF"
    assert organiser.get(f"/api/v1/trainings/{tid}/report?format=doc").status_code == 422
    assert api(setup["ayu_user"]).get(f"/api/v1/trainings/{tid}/report").status_code == 403
    db.session.rollback()


@pytest.mark.parametrize("body", [
    [], {"title": "x", "questions": "x"}, {"title": {"id": 1, "en": None}, "questions": [1]},
    {"title": {"id": "a", "en": "b"}, "session": "abc", "opens_at": "tomorrow", "questions": [
        {"type": "choice", "text": {"id": "a", "en": "b"}, "options": ["x", {"id": "y"}], "correct": "1"}]},
    {"title": {"id": "a", "en": "b"}, "kind": ["feedback"], "anonymous": "yes", "questions": [{}]},
])
def test_bad_survey_bodies_are_4xx_never_500(setup, api, body):
    response = _create(api, setup, body)
    assert 400 <= response.status_code < 500, response.get_data(as_text=True)
    assert "error" in response.get_json()


@pytest.mark.parametrize("answers", [
    None, [], "x", {"q1": [5]}, {"q1": 2.5}, {"q1": "4"}, {"q1": 3, "q2": [[1]]}, {"q1": 3, "q2": "1"},
    {"q1": 3, "q3": {"a": 1}}, {"q1": 3, "zz": 1}, {"q1": 3, "q2": [True]},
])
def test_bad_answers_are_422_and_write_nothing(setup, api, answers):
    from sqlalchemy import func, select

    from trainings.evaluation.models import SurveyParticipation
    survey = _create(api, setup, feedback_data()).get_json()
    response = api(setup["ayu_user"]).post(f"/api/v1/surveys/{survey['id']}/responses",
                                           json={"answers": answers})
    assert response.status_code == 422, response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(SurveyParticipation)) == 0


def test_patch_training_follow_up_days(setup, api):
    url = f"/api/v1/trainings/{setup['training'].id}"
    organiser = api(setup["organiser"])
    response = organiser.patch(url, json={"follow_up_days": [90, 30]})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["follow_up_days"] == [30, 90]
    assert organiser.patch(url, json={"follow_up_days": [0]}).status_code == 422
    assert organiser.patch(url, json={"follow_up_days": "30"}).status_code == 422
    from trainings.evaluation import services
    assert services.follow_up_days(setup["training"]) == [30, 90]


def test_enrolment_demographics_need_consent_and_show_only_to_organisers(setup, api):
    from sqlalchemy import func, select

    from trainings.enrolment.models import Enrolment
    from trainings.evaluation.models import Demographics
    url = f"/api/v1/trainings/{setup['training'].id}/enrolments"
    organiser = api(setup["organiser"])
    person = {"name": "Rabia Khan", "email": "rabia@example.org", "country": "PK"}
    refused = organiser.post(url, json={**person, "gender": "woman"})
    assert refused.status_code == 422
    assert refused.get_json()["error"]["details"][0]["field"] == "demographics_consent"
    assert db.session.scalar(select(func.count()).select_from(Enrolment).where(
        Enrolment.email == "rabia@example.org")) == 0
    made = organiser.post(url, json={**person, "demographics_consent": True, "gender": "woman",
                                     "washington_group": {"hearing": "cannot_do_at_all"}})
    assert made.status_code == 201, made.get_json()
    body = made.get_json()
    assert body["gender"] == "woman" and body["disability"] is True
    listed = organiser.get(url).get_json()["items"]
    assert next(i for i in listed if i["email"] == "rabia@example.org")["washington_group"]["hearing"] == "cannot_do_at_all"
    # the participant sets their own, with consent; sees no one else's
    own = api(setup["ayu_user"]).patch(f"/api/v1/enrolments/{setup['ayu'].id}",
                                       json={"gender": "woman"})
    assert own.status_code == 422
    own = api(setup["ayu_user"]).patch(f"/api/v1/enrolments/{setup['ayu'].id}",
                                       json={"demographics_consent": True, "gender": "woman"})
    assert own.status_code == 200 and "gender" not in own.get_json()
    assert db.session.scalar(select(func.count()).select_from(Demographics)) == 2
    assert api(setup["tan_user"]).patch(f"/api/v1/enrolments/{setup['ayu'].id}",
                                        json={"demographics_consent": False}).status_code == 403
