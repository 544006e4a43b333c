"""Surveys and tests without HTTP: creation, answering once, anonymity, results, the gate."""
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import inspect, select

from trainings.errors import Conflict, ValidationError
from trainings.evaluation import services
from trainings.evaluation.models import SurveyParticipation, SurveyResponse
from trainings.extensions import db
from trainings.outbox.models import OutboxMessage

from .evaluation_helpers import feedback_data, make_test_data, survey


@pytest.fixture
def setup(make):
    organiser = make.user("organiser")
    training = make.training(organiser=organiser, sessions=2)
    people = [make.enrolment(training, user=make.user(), country=c, language=lang)
              for c, lang in (("ID", "id"), ("ID", "id"), ("MY", "en"), ("PK", "en"))]
    return {"organiser": organiser, "training": training, "people": people}


def test_create_survey_rejects_bad_input_listing_every_problem(setup):
    bad = feedback_data(kind="exam", title={"id": "", "en": "x"}, questions=[
        {"key": "q1", "type": "scale", "text": {"id": "a", "en": "b"}, "correct": [0]},
        {"key": "q1", "type": "choice", "text": {"id": "a", "en": "b"}, "options": [{"id": "x", "en": "y"}]}])
    with pytest.raises(ValidationError) as info:
        services.create_survey(setup["training"], bad, actor=setup["organiser"])
    fields = {d["field"] for d in info.value.details}
    assert {"kind", "title.id", "questions.1.key", "questions.1.options"} <= fields
    assert services.surveys_of(setup["training"]) == []


def test_tests_cannot_be_anonymous_and_correct_needs_a_test(setup):
    with pytest.raises(ValidationError) as info:
        services.create_survey(setup["training"], make_test_data(anonymous=True), actor=setup["organiser"])
    assert info.value.details[0]["field"] == "anonymous"
    data = feedback_data()
    data["questions"][1]["correct"] = [0]
    with pytest.raises(ValidationError):
        services.create_survey(setup["training"], data, actor=setup["organiser"])


def test_one_response_each_and_answers_validated(setup):
    s = survey(setup["training"], setup["organiser"])
    person = setup["people"][0]
    with pytest.raises(ValidationError) as info:
        services.submit_response(s, person, {"q1": 6}, actor=None)
    assert info.value.details[0]["field"] == "answers.q1"
    with pytest.raises(ValidationError) as info:
        services.submit_response(s, person, {"q2": [0]}, actor=None)
    assert info.value.details[0]["field"] == "answers.q1"  # required
    with pytest.raises(ValidationError):
        services.submit_response(s, person, {"q1": 3, "q2": [0, 0]}, actor=None)
    with pytest.raises(ValidationError):
        services.submit_response(s, person, {"q1": True}, actor=None)
    assert db.session.scalar(select(SurveyResponse.id)) is None
    services.submit_response(s, person, {"q1": 4, "q2": [2, 0], "q3": " fine "}, actor=None)
    db.session.commit()
    with pytest.raises(Conflict):
        services.submit_response(s, person, {"q1": 5}, actor=None)
    stored = db.session.scalars(select(SurveyResponse)).one()
    assert stored.answers == {"q1": 4, "q2": [0, 2], "q3": "fine"}
    assert stored.enrolment_id == person.id and stored.submitted_at is not None


def test_closed_or_not_yet_open_survey_refuses_answers(setup):
    now = datetime.now(UTC)
    closed = survey(setup["training"], setup["organiser"], feedback_data(
        opens_at=(now - timedelta(days=2)).isoformat(), closes_at=(now - timedelta(days=1)).isoformat()))
    later = survey(setup["training"], setup["organiser"], feedback_data(
        opens_at=(now + timedelta(days=1)).isoformat()))
    for s in (closed, later):
        with pytest.raises(Conflict) as info:
            services.submit_response(s, setup["people"][0], {"q1": 3}, actor=None)
        assert info.value.code == "survey_closed"
    assert db.session.scalar(select(SurveyParticipation.survey_id)) is None


def test_only_accepted_participants_answer(setup, make):
    s = survey(setup["training"], setup["organiser"])
    waiting = make.enrolment(setup["training"], status="waitlisted")
    with pytest.raises(ValidationError) as info:
        services.submit_response(s, waiting, {"q1": 3}, actor=None)
    assert info.value.status == 403


def test_anonymous_survey_stores_no_link_to_a_person(setup):
    s = survey(setup["training"], setup["organiser"], feedback_data(anonymous=True))
    for person, value in zip(setup["people"][:3], (5, 4, 3), strict=True):
        services.submit_response(s, person, {"q1": value, "q3": f"note {value}"}, actor=None)
    db.session.commit()
    responses = db.session.scalars(select(SurveyResponse)).all()
    assert all(r.enrolment_id is None and r.submitted_at is None for r in responses)
    # no column of the response table can point at a person or a time
    columns = {c["name"] for c in inspect(db.engine).get_columns("survey_responses")}
    participation = {c["name"] for c in inspect(db.engine).get_columns("survey_participations")}
    assert participation == {"survey_id", "enrolment_id"}
    assert columns == {"id", "survey_id", "enrolment_id", "answers", "score", "submitted_at"}
    # still one each
    with pytest.raises(Conflict):
        services.submit_response(s, setup["people"][0], {"q1": 1}, actor=None)
    with pytest.raises(ValidationError):
        services.not_answered(s)
    result = services.results(s)
    assert result["responses"] == 3 and result["invited"] == 4
    assert result["questions"][0]["counts"] == [0, 0, 1, 1, 1]
    assert result["questions"][2]["answers"] == ["note 3", "note 4", "note 5"]


def test_results_counts_rate_and_not_answered(setup):
    s = survey(setup["training"], setup["organiser"])
    a, b, c, d = setup["people"]
    services.submit_response(s, a, {"q1": 5, "q2": [0, 1]}, actor=None)
    services.submit_response(s, b, {"q1": 2, "q2": [1]}, actor=None)
    result = services.results(s)
    assert result["response_rate"] == 0.5
    assert result["questions"][0]["mean"] == 3.5
    assert result["questions"][1]["counts"] == [1, 2, 0]
    assert {e.id for e in services.not_answered(s)} == {c.id, d.id}


def test_reminder_goes_to_those_who_have_not_answered_in_their_language(setup, app):
    s = survey(setup["training"], setup["organiser"])
    a, b, c, d = setup["people"]
    services.submit_response(s, a, {"q1": 5}, actor=None)
    assert services.send_reminder(s, actor=setup["organiser"]) == 3
    mails = {m.to_email: m for m in db.session.scalars(select(OutboxMessage))}
    assert set(mails) == {b.email, c.email, d.email}
    assert mails[b.email].subject.startswith("Pengingat")
    assert mails[c.email].subject.startswith("Reminder")
    assert f"/surveys/{s.id}" in mails[c.email].body


def test_anonymous_reminder_goes_to_everyone(setup):
    s = survey(setup["training"], setup["organiser"], feedback_data(anonymous=True))
    services.submit_response(s, setup["people"][0], {"q1": 5}, actor=None)
    assert services.send_reminder(s, actor=setup["organiser"]) == 4


def test_scores_and_paired_knowledge_gain_by_country(setup):
    pre = survey(setup["training"], setup["organiser"], make_test_data("pre_test"))
    post = survey(setup["training"], setup["organiser"], make_test_data("post_test"))
    a, b, c, d = setup["people"]
    right = {"k1": 1, "k2": [0, 2]}
    half = {"k1": 1, "k2": [0]}
    wrong = {"k1": 0, "k2": [1]}
    services.submit_response(pre, a, wrong, actor=None)
    services.submit_response(pre, b, half, actor=None)
    services.submit_response(pre, c, half, actor=None)
    services.submit_response(post, a, right, actor=None)
    services.submit_response(post, b, right, actor=None)
    services.submit_response(post, d, right, actor=None)  # no pre-test: not paired
    assert services.results(pre)["score"]["mean"] == pytest.approx((0 + .5 + .5) / 3, abs=1e-4)
    assert [s["score"] for s in services.scores(post)] == [1.0, 1.0, 1.0]
    result = services.evaluation(setup["training"])
    assert result["knowledge"] == {"pre_mean": 0.25, "post_mean": 1.0, "paired": 2, "gain": 0.75}
    assert result["by_country"]["ID"]["knowledge"]["paired"] == 2
    assert result["by_country"]["MY"]["knowledge"]["paired"] == 0
    assert result["by_country"]["PK"]["knowledge"]["gain"] is None


def test_required_survey_gates_the_certificate(setup):
    s = survey(setup["training"], setup["organiser"], feedback_data(required_for_certificate=True))
    survey(setup["training"], setup["organiser"])  # not required
    a, b = setup["people"][:2]
    services.submit_response(s, a, {"q1": 4}, actor=None)
    pending = services.required_surveys_pending([a, b])
    assert pending[a.id] == [] and [x.id for x in pending[b.id]] == [s.id]


def test_questions_freeze_once_answered(setup):
    s = survey(setup["training"], setup["organiser"])
    services.add_question(s, {"type": "scale", "text": {"id": "x", "en": "y"}, "key": "q9"},
                          actor=setup["organiser"])
    services.submit_response(s, setup["people"][0], {"q1": 4, "q9": 2}, actor=None)
    with pytest.raises(Conflict):
        services.add_question(s, {"type": "text", "text": {"id": "x", "en": "y"}}, actor=None)
    with pytest.raises(Conflict):
        services.remove_question(s, "q1", actor=None)
