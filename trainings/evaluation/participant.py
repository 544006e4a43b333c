"""Participants' pages: their surveys, answering one, their action plan, demographics."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..errors import NotFound
from ..i18n import viewer_timezone
from ..policy import require
from ..scheduling.services import load_training
from ..web import EmptyForm, attempt, form_status, submit
from . import services
from .blueprint import bp
from .forms import CommitmentsForm, CommitmentUpdateForm
from .models import COMMITMENT_STATUSES, WG_DOMAINS


def _own_enrolment(training):
    enrolment = services.own_enrolment_in(training, current_user)
    if enrolment is None:
        raise NotFound(_("You have no accepted enrolment in this training."))
    return enrolment


@bp.route("/trainings/<int:training_id>/my-surveys")
@login_required
def my_surveys(training_id: int):
    training = load_training(training_id)
    require(current_user, "action_plan.write_own", training)
    enrolment = _own_enrolment(training)
    rows = [{"survey": s, "answered": services.has_answered(s, enrolment),
             "open": services.is_open(s) and bool(s.questions)}
            for s in services.surveys_of(training)]
    pending = services.required_surveys_pending([enrolment]).get(enrolment.id, [])
    return render_template("evaluation/my_surveys.html", training=training, rows=rows,
                           pending=pending, zone=viewer_timezone(training.timezone))


def _submitted_answers(survey) -> dict:
    answers: dict = {}
    for q in survey.questions:
        name = f"q-{q.key}"
        if q.type == "multi":
            values = request.form.getlist(name)
            answers[q.key] = [int(v) if v.isdigit() else v for v in values]
        elif q.type == "text":
            answers[q.key] = request.form.get(name, "")
        else:
            value = request.form.get(name)
            answers[q.key] = int(value) if value and value.lstrip("-").isdigit() else value
    return answers


def _answer_submitted(survey, enrolment, form):
    """Save the submitted answers: ``(redirect, given, {}, None)``, or ``(None, given,
    errors by question, general error)`` after the rollback."""
    given = _submitted_answers(survey)
    ok, result = attempt(lambda: services.submit_response(survey, enrolment, given,
                                                          actor=current_user),
                         form=form)
    if ok:
        flash(_("Thank you: your answers are saved."), "success")
        return redirect(url_for("evaluation.my_surveys", training_id=survey.training_id)), \
            given, {}, None
    errors = {str(detail.get("field", "")).removeprefix("answers."): detail.get("message")
              for detail in result.details}
    return None, given, errors, result.message


def _answer_page(survey, enrolment, form, given: dict, errors: dict, general):
    answered = services.has_answered(survey, enrolment)
    status = 422 if errors or general else 200
    return render_template("evaluation/answer.html", survey=survey, training=survey.training,
                           form=form, errors=errors, given=given, general=general,
                           answered=answered, is_open=services.is_open(survey),
                           zone=viewer_timezone(survey.training.timezone)), status


@bp.route("/surveys/<int:survey_id>", methods=["GET", "POST"])
@login_required
def answer(survey_id: int):
    survey = services.load_survey(survey_id)
    require(current_user, "survey.answer", survey)
    enrolment = _own_enrolment(survey.training)
    form = EmptyForm()
    done, given, errors, general = (_answer_submitted(survey, enrolment, form)
                                    if form.validate_on_submit() else (None, {}, {}, None))
    return done or _answer_page(survey, enrolment, form, given, errors, general)


COMMITMENT_FIELDS = {"commitments": "text_1", "commitments.0.text": "text_1",
                     "commitments.0.due": "due_1", "commitments.1.text": "text_2",
                     "commitments.1.due": "due_2", "commitments.2.text": "text_3",
                     "commitments.2.due": "due_3"}


def _commitment_form(commitment) -> CommitmentUpdateForm:
    form = CommitmentUpdateForm(prefix=f"c{commitment.id}")
    form.status.choices = [(s, services.status_labels()[s]) for s in COMMITMENT_STATUSES]
    return form


def _update_forms(plan) -> dict:
    update_forms = {}
    for commitment in (plan.commitments if plan else []):
        update_form = _commitment_form(commitment)
        if request.method == "GET" or f"c{commitment.id}-status" not in request.form:
            update_form.status.data = commitment.status
        update_forms[commitment.id] = update_form
    return update_forms


def _my_plan_page(training, plan, form, update_forms: dict):
    return render_template(
        "evaluation/my_plan.html", training=training, plan=plan, form=form,
        update_forms=update_forms, labels=services.status_labels(),
        follow_up_days=services.follow_up_days(training),
        zone=viewer_timezone(training.timezone)), form_status(form, *update_forms.values())


def _add_commitments(training, enrolment, form):
    return submit(form, lambda: services.add_commitments(enrolment, form.commitments(),
                                                         actor=current_user),
                  then=url_for("evaluation.my_plan", training_id=training.id),
                  message=_("Your commitments are saved."), field_map=COMMITMENT_FIELDS)


@bp.route("/trainings/<int:training_id>/my-action-plan", methods=["GET", "POST"])
@login_required
def my_plan(training_id: int):
    training = load_training(training_id)
    require(current_user, "action_plan.write_own", training)
    enrolment = _own_enrolment(training)
    form = CommitmentsForm(prefix="new")
    done = _add_commitments(training, enrolment, form) if "new-text_1" in request.form else None
    plan = services.plan_of(enrolment)
    return done or _my_plan_page(training, plan, form, _update_forms(plan))


def _flash_errors_back(form, target: str):
    for message in [m for errors in form.errors.values() for m in errors]:
        flash(message, "error")
    return redirect(target)


@bp.route("/commitments/<int:commitment_id>", methods=["POST"])
@login_required
def update_commitment(commitment_id: int):
    commitment = services.get_commitment(commitment_id)
    require(current_user, "commitment.update", commitment)
    back = url_for("evaluation.my_plan", training_id=commitment.plan.enrolment.training.id)
    form = _commitment_form(commitment)
    done = submit(form, lambda: services.update_commitment(
        commitment, {"status": form.status.data, "note": form.note.data}, actor=current_user),
        then=back + f"#commitment-{commitment.id}", message=_("Update saved."))
    return done or _flash_errors_back(form, back)


def _demographics_data(record) -> tuple[dict, bool]:
    """The submitted answers as the service takes them, and whether consent was given."""
    consent = request.form.get("consent") == "yes"
    data = {"demographics_consent": consent if consent or record or _any_answer() else None,
            "gender": request.form.get("gender") or None,
            "washington_group": {d: request.form.get(f"wg-{d}") or None for d in WG_DOMAINS}}
    if not any(data["washington_group"].values()):
        data["washington_group"] = None
    return data, consent


def _save_demographics(training, enrolment, record, form):
    """``(redirect, None)`` after saving, or ``(None, the error)`` after the rollback."""
    data, consent = _demographics_data(record)
    ok, result = attempt(lambda: services.set_demographics(enrolment, data, actor=current_user),
                         form=form)
    if not ok:
        return None, result.message
    flash(_("Saved. Thank you.") if consent else
          _("Nothing is stored about your gender or disability."), "success")
    return redirect(url_for("evaluation.demographics", training_id=training.id)), None


def _demographics_page(training, record, form, error):
    return render_template("evaluation/demographics.html", training=training, record=record,
                           form=form, error=error, genders=services.gender_labels(),
                           questions=services.wg_questions(), answers=services.wg_labels(),
                           submitted=request.form if error else None), 422 if error else 200


@bp.route("/trainings/<int:training_id>/about-you", methods=["GET", "POST"])
@login_required
def demographics(training_id: int):
    training = load_training(training_id)
    enrolment = _own_enrolment(training)
    require(current_user, "demographics.edit_own", enrolment)
    form = EmptyForm()
    record = services.demographics_of(enrolment)
    done, error = (_save_demographics(training, enrolment, record, form)
                   if form.validate_on_submit() else (None, None))
    return done or _demographics_page(training, record, form, error)


def _any_answer() -> bool:
    return bool(request.form.get("gender")) or any(request.form.get(f"wg-{d}")
                                                   for d in WG_DOMAINS)
