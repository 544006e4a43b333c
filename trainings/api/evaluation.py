"""Evaluation and follow-up (see docs/api-v1.md): surveys, responses, results, knowledge
gain, action plans, the donor report. Thin routes over ``trainings.evaluation.services``."""
from __future__ import annotations

from flask import request

from ..errors import ValidationError
from ..evaluation import services
from ..exports import XLSX_MIMETYPE, xlsx_bytes
from ..extensions import db
from ..policy import can, require
from ..scheduling.services import load_training
from ..timezones import iso_utc
from ..web import send_download
from .base import actor, bp, json_body


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


def _survey_answer(survey) -> dict:
    return survey_dict(survey, with_correct=can(actor(), "survey.manage", survey.training))


@bp.post("/trainings/<int:training_id>/surveys")
def create_survey(training_id: int):
    training = load_training(training_id)
    require(actor(), "survey.manage", training)
    survey = services.create_survey(training, json_body(), actor=actor())
    db.session.commit()
    return survey_dict(survey, with_correct=True), 201


@bp.get("/trainings/<int:training_id>/surveys")
def list_surveys(training_id: int):
    training = load_training(training_id)
    require(actor(), "training.view", training)
    return {"items": [_survey_answer(s) for s in services.surveys_of(training)]}


@bp.get("/surveys/<int:survey_id>")
def get_survey(survey_id: int):
    survey = services.load_survey(survey_id)
    require(actor(), "survey.view", survey)
    return _survey_answer(survey)


@bp.post("/surveys/<int:survey_id>/responses")
def submit_response(survey_id: int):
    survey = services.load_survey(survey_id)
    require(actor(), "survey.answer", survey)
    enrolment = services.own_enrolment(survey, actor())
    body = json_body()
    if "answers" not in body:
        raise ValidationError("The body needs answers: {\"answers\": {\"q1\": 4}}.", field="answers")
    response = services.submit_response(survey, enrolment, body["answers"], actor=actor())
    db.session.commit()
    data = {"survey": survey.id, "answers": response.answers}
    if response.score is not None:
        data["score"] = response.score
    return data, 201


@bp.get("/surveys/<int:survey_id>/results")
def survey_results(survey_id: int):
    survey = services.load_survey(survey_id)
    require(actor(), "survey.manage", survey.training)
    data = services.results(survey)
    if not survey.is_anonymous:
        data["not_answered"] = [{"enrolment": e.id, "name": e.name, "country": e.country_code}
                                for e in services.not_answered(survey)]
        if survey.is_test:
            data["scores"] = services.scores(survey)
    return data


@bp.post("/surveys/<int:survey_id>/reminders")
def send_reminder(survey_id: int):
    survey = services.load_survey(survey_id)
    require(actor(), "survey.manage", survey.training)
    queued = services.send_reminder(survey, actor=actor())
    db.session.commit()
    return {"queued": queued}, 202


@bp.get("/trainings/<int:training_id>/evaluation")
def training_evaluation(training_id: int):
    training = load_training(training_id)
    require(actor(), "evaluation.view", training)
    return services.evaluation(training)


# ---------------------------------------------------------------- action plans

@bp.post("/trainings/<int:training_id>/action-plans")
def write_action_plan(training_id: int):
    training = load_training(training_id)
    require(actor(), "action_plan.write_own", training)
    enrolment = services.own_enrolment_in(training, actor())
    plan = services.add_commitments(enrolment, json_body().get("commitments"), actor=actor())
    db.session.commit()
    return services.plan_dict(plan), 201


@bp.get("/me/action-plans")
def my_action_plans():
    return {"items": [services.plan_dict(p) for p in services.plans_of_user(actor())]}


@bp.patch("/commitments/<int:commitment_id>")
def update_commitment(commitment_id: int):
    commitment = services.get_commitment(commitment_id)
    require(actor(), "commitment.update", commitment)
    services.update_commitment(commitment, json_body(), actor=actor())
    db.session.commit()
    return services.commitment_dict(commitment)


@bp.get("/trainings/<int:training_id>/action-plans")
def training_action_plans(training_id: int):
    training = load_training(training_id)
    require(actor(), "action_plan.list", training)
    plans = services.plans_of_training(training)
    return {"items": [services.plan_dict(p, with_person=True) for p in plans],
            "totals": services.totals(plans),
            "follow_up_days": services.follow_up_days(training)}


# ---------------------------------------------------------------- the donor report

@bp.get("/trainings/<int:training_id>/report")
def training_report(training_id: int):
    training = load_training(training_id)
    require(actor(), "evaluation.view", training)
    fmt = request.args.get("format", "json")
    if fmt not in ("json", "xlsx", "pdf"):
        raise ValidationError("format is json, xlsx or pdf.", field="format")
    report = services.build_report(training)
    if fmt == "xlsx":
        header, rows = services.report_table(report, actor().language or "en")
        return send_download(xlsx_bytes(header, rows, title="Report"),
                             f"evaluation-report-{training.id}.xlsx", XLSX_MIMETYPE)
    if fmt == "pdf":
        return send_download(services.report_pdf(report), f"evaluation-report-{training.id}.pdf",
                             "application/pdf")
    return report
