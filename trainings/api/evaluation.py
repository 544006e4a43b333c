"""Evaluation and follow-up (see docs/api-v1.md): surveys, responses, results, knowledge
gain, action plans, the donor report. Thin routes over ``trainings.evaluation.services``."""
from __future__ import annotations

from flask import request
from flask_babel import lazy_gettext as _l

from ..errors import ValidationError
from ..evaluation import services
from ..policy import can, require
from ..programmes.services import get_programme
from ..scheduling.services import load_training
from ..timezones import iso_utc
from ..web import send_download
from .base import actor, body, bp, commit, doc
from .schemas import dump
from .schemas.evaluation import (
    ActionPlanOut,
    ActionPlans,
    CommitmentOut,
    CommitmentPatch,
    CommitmentsIn,
    Evaluation,
    ProgrammeReport,
    Queued,
    Report,
    ResponseIn,
    ResponseOut,
    Results,
    SurveyIn,
    SurveyOut,
    Surveys,
    TrainingActionPlans,
)


def survey_dict(survey, *, with_correct: bool = False) -> dict:
    return {
        "id": survey.id, "training": survey.training_id,
        "title": {"id": survey.title_id, "en": survey.title_en}, "kind": survey.kind,
        "session": survey.session_id, "anonymous": survey.is_anonymous,
        "required_for_certificate": survey.is_required_for_certificate,
        "opens_at": iso_utc(survey.opens_at), "closes_at": iso_utc(survey.closes_at),
        "is_open": services.is_open(survey),
        "questions": [{
            "key": q.key, "type": q.type, "text": {"id": q.text_id, "en": q.text_en},
            "required": q.is_required, "options": list(q.options or []),
            **({"correct": q.correct} if with_correct and q.correct is not None else {}),
        } for q in survey.questions],
    }


def survey_out(survey, *, with_correct: bool) -> dict:
    """The contract's survey through its schema; ``correct`` only where it may be seen."""
    data = dump(SurveyOut, survey_dict(survey, with_correct=with_correct))
    for question in data["questions"]:
        if question.get("correct") is None:
            question.pop("correct", None)
    return data


def _survey_answer(survey) -> dict:
    return survey_out(survey, with_correct=can(actor(), "survey.manage", survey.training))


@bp.post("/trainings/<int:training_id>/surveys")
@doc(_l("Create a survey or knowledge test with its questions"), body=SurveyIn,
     answer=SurveyOut, status=201)
def create_survey(training_id: int):
    training = load_training(training_id)
    require(actor(), "survey.manage", training)
    data = body(SurveyIn)
    survey = commit(lambda: services.create_survey(training, data, actor=actor()))
    return survey_out(survey, with_correct=True), 201


@bp.get("/trainings/<int:training_id>/surveys")
@doc(_l("The training's surveys and tests"), answer=Surveys)
def list_surveys(training_id: int):
    training = load_training(training_id)
    require(actor(), "training.view", training)
    return {"items": [_survey_answer(s) for s in services.surveys_of(training)]}


@bp.get("/surveys/<int:survey_id>")
@doc(_l("One survey (the correct answers only for organisers)"), answer=SurveyOut)
def get_survey(survey_id: int):
    survey = services.load_survey(survey_id)
    require(actor(), "survey.view", survey)
    return _survey_answer(survey)


@bp.post("/surveys/<int:survey_id>/responses")
@doc(_l("Answer a survey (accepted participants, once)"), body=ResponseIn, answer=ResponseOut,
     status=201)
def submit_response(survey_id: int):
    survey = services.load_survey(survey_id)
    require(actor(), "survey.answer", survey)
    enrolment = services.own_enrolment(survey, actor())
    answers = body(ResponseIn)["answers"]
    response = commit(lambda: services.submit_response(survey, enrolment, answers, actor=actor()))
    return dump(ResponseOut, {"survey": survey.id, "answers": response.answers,
                              "score": response.score}), 201


@bp.get("/surveys/<int:survey_id>/results")
@doc(_l("Response rate, answers per question, scores; who has not answered (not for "
        "anonymous surveys)"), answer=Results)
def survey_results(survey_id: int):
    survey = services.load_survey(survey_id)
    require(actor(), "survey.manage", survey.training)
    data = services.results(survey)
    if not survey.is_anonymous:
        data["not_answered"] = [{"enrolment": e.id, "name": e.name, "country": e.country_code}
                                for e in services.not_answered(survey)]
        if survey.is_test:
            data["scores"] = services.scores(survey)
    return dump(Results, data)


@bp.post("/surveys/<int:survey_id>/reminders")
@doc(_l("Remind participants through the outbox"), answer=Queued, status=202)
def send_reminder(survey_id: int):
    survey = services.load_survey(survey_id)
    require(actor(), "survey.manage", survey.training)
    queued = commit(lambda: services.send_reminder(survey, actor=actor()))
    return Queued(queued=queued).dump(), 202


@bp.get("/trainings/<int:training_id>/evaluation")
@doc(_l("Knowledge gain from paired pre- and post-tests, satisfaction, by country"),
     answer=Evaluation)
def training_evaluation(training_id: int):
    training = load_training(training_id)
    require(actor(), "evaluation.view", training)
    return dump(Evaluation, services.evaluation(training))


# ---------------------------------------------------------------- action plans

@bp.post("/trainings/<int:training_id>/action-plans")
@doc(_l("Write commitments into one's own action plan"), body=CommitmentsIn,
     answer=ActionPlanOut, status=201)
def write_action_plan(training_id: int):
    training = load_training(training_id)
    require(actor(), "action_plan.write_own", training)
    enrolment = services.own_enrolment_in(training, actor())
    items = body(CommitmentsIn)["commitments"]
    plan = commit(lambda: services.add_commitments(enrolment, items, actor=actor()))
    return dump(ActionPlanOut, services.plan_dict(plan)), 201


@bp.get("/me/action-plans")
@doc(_l("The caller's action plans"), answer=ActionPlans)
def my_action_plans():
    return dump(ActionPlans, {"items": [services.plan_dict(p)
                                        for p in services.plans_of_user(actor())]})


@bp.patch("/commitments/<int:commitment_id>")
@doc(_l("Update a commitment's status or add a note (every update is kept)"),
     body=CommitmentPatch, answer=CommitmentOut)
def update_commitment(commitment_id: int):
    commitment = services.get_commitment(commitment_id)
    require(actor(), "commitment.update", commitment)
    data = body(CommitmentPatch)
    commit(lambda: services.update_commitment(commitment, data, actor=actor()))
    return dump(CommitmentOut, services.commitment_dict(commitment))


@bp.get("/trainings/<int:training_id>/action-plans")
@doc(_l("Every action plan of the training with its history and totals"),
     answer=TrainingActionPlans)
def training_action_plans(training_id: int):
    training = load_training(training_id)
    require(actor(), "action_plan.list", training)
    plans = services.plans_of_training(training)
    return dump(TrainingActionPlans, {
        "items": [services.plan_dict(p, with_person=True) for p in plans],
        "totals": services.totals(plans), "follow_up_days": services.follow_up_days(training)})


# ---------------------------------------------------------------- the donor report

@bp.get("/trainings/<int:training_id>/report")
@doc(_l("The donor report: reach, completion, attendance, evaluation, by country, gender "
        "and disability; cells under 5 people are \"<5\""), answer=Report,
     query={"format": ("string", _l("json (default), xlsx or pdf"))},
     answers={200: ("application/pdf", _l("The report (json, xlsx or pdf)"))})
def training_report(training_id: int):
    training = load_training(training_id)
    require(actor(), "evaluation.view", training)
    fmt = _report_format()
    return _report_answer(Report, services.build_report(training), fmt)


@bp.get("/programmes/<int:programme_id>/report")
@doc(_l("The donor report of a programme: its trainings together, people counted once by "
        "e-mail, by country, gender and disability, and a row per training; cells under 5 "
        "people are \"<5\""), answer=ProgrammeReport,
     query={"format": ("string", _l("json (default), xlsx or pdf"))},
     answers={200: ("application/pdf", _l("The report (json, xlsx or pdf)"))})
def programme_report(programme_id: int):
    programme = get_programme(programme_id)
    require(actor(), "programme.report", programme)
    fmt = _report_format()
    return _report_answer(ProgrammeReport, services.build_programme_report(programme), fmt)


def _report_format() -> str:
    """``?format=``: json (the default), xlsx or pdf; anything else is a 422."""
    fmt = request.args.get("format", "json")
    if fmt not in ("json", "xlsx", "pdf"):
        raise ValidationError(_l("format is json, xlsx or pdf."), field="format")
    return fmt


def _report_answer(schema, report: dict, fmt: str):
    """A donor report as JSON in ``schema``'s shape, or as its XLSX/PDF file."""
    if fmt in ("xlsx", "pdf"):
        return send_download(*services.report_file(report, fmt, actor().language or "en"))
    return dump(schema, report)
