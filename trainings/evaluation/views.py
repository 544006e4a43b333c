"""Organiser pages of the evaluation area: surveys, results, reminders, action plans, the
report. The participants' pages are in ``participant.py`` (same blueprint)."""
from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..errors import ValidationError
from ..exports import XLSX_MIMETYPE, xlsx_bytes
from ..i18n import current_language, viewer_timezone
from ..policy import require
from ..programmes.services import get_programme
from ..scheduling.services import load_training, numbered_sessions
from ..timezones import get_zone, to_zone
from ..web import action, form_status, send_download, submit
from . import participant, services  # noqa: F401  (participant: its pages on bp)
from .blueprint import bp
from .forms import FollowUpForm, QuestionForm, SurveyForm, type_choices

__all__ = ["bp"]


def kind_labels() -> dict:
    return {"feedback": _("Feedback survey"), "pre_test": _("Pre-test"),
            "post_test": _("Post-test")}


def _local(value, zone: str):
    return value.replace(tzinfo=get_zone(zone)) if value is not None else None


def _survey_data(form: SurveyForm, zone: str) -> dict:
    return {"title": {"id": form.title_id.data, "en": form.title_en.data},
            "kind": form.kind.data,
            "session": int(form.session.data) if form.session.data else None,
            "anonymous": bool(form.anonymous.data),
            "required_for_certificate": bool(form.required_for_certificate.data),
            "opens_at": _local(form.opens_at.data, zone),
            "closes_at": _local(form.closes_at.data, zone)}


def _session_choices(training) -> list[tuple[str, str]]:
    return [("", _("The whole training"))] + [
        (str(s.id), _("Session %(number)s: %(title)s", number=n, title=s.title(current_language())))
        for n, s in numbered_sessions(training)]


TITLE_FIELDS = {"title.id": "title_id", "title.en": "title_en"}


def _survey_form(training, **kwargs) -> SurveyForm:
    form = SurveyForm(**kwargs)
    form.session.choices = _session_choices(training)
    return form


@bp.route("/trainings/<int:training_id>/surveys")
@login_required
def surveys(training_id: int):
    training = load_training(training_id)
    require(current_user, "survey.manage", training)
    rows = [{"survey": s, "results": services.results(s)} for s in services.surveys_of(training)]
    return render_template("evaluation/surveys.html", training=training, rows=rows,
                           kinds=kind_labels(), zone=viewer_timezone(training.timezone),
                           evaluation=services.evaluation(training))


@bp.route("/trainings/<int:training_id>/surveys/new", methods=["GET", "POST"])
@login_required
def create_survey(training_id: int):
    training = load_training(training_id)
    require(current_user, "survey.manage", training)
    zone = viewer_timezone(training.timezone)
    form = _survey_form(training)
    done = submit(form, lambda: services.create_survey(
        training, _survey_data(form, zone), actor=current_user, with_questions=False),
        then=lambda survey: url_for("evaluation.edit_survey", survey_id=survey.id),
        message=_("Survey created. Now add its questions."), field_map=TITLE_FIELDS)
    return done or (render_template("evaluation/survey_form.html", training=training, form=form,
                                    zone=zone, survey=None), form_status(form))


def _question_data(form: QuestionForm) -> dict:
    options = []
    for line in (form.options.data or "").splitlines():
        if line.strip():
            first, _sep, second = line.partition("|")
            options.append({"id": first.strip(), "en": (second or first).strip()})
    correct = None
    if (form.correct.data or "").strip():
        try:
            correct = [int(n) - 1 for n in form.correct.data.replace(",", " ").split()]
        except ValueError:
            raise ValidationError(_("Give the numbers of the correct options, e.g. 2 or 1, 3."),
                                  field="correct") from None
    return {"key": (form.key.data or "").strip() or None, "type": form.type.data,
            "text": {"id": form.text_id.data, "en": form.text_en.data},
            "required": bool(form.required.data), "options": options, "correct": correct}


def _edit_forms(survey, zone: str) -> tuple[SurveyForm, QuestionForm]:
    """The survey's form (filled from the survey on GET) and the new-question form."""
    form = _survey_form(survey.training, prefix="survey", obj=None)
    if request.method == "GET":
        form.title_id.data, form.title_en.data = survey.title_id, survey.title_en
        form.kind.data, form.session.data = survey.kind, str(survey.session_id or "")
        form.anonymous.data = survey.is_anonymous
        form.required_for_certificate.data = survey.is_required_for_certificate
        for name in ("opens_at", "closes_at"):
            value = getattr(survey, name)
            getattr(form, name).data = to_zone(value, zone).replace(tzinfo=None) if value else None
    return form, QuestionForm(prefix="question")


def _save_survey_or_question(survey, form, question_form, zone: str):
    back = url_for("evaluation.edit_survey", survey_id=survey.id)
    if "question-type" in request.form:
        return submit(question_form, lambda: services.add_question(
            survey, _question_data(question_form), actor=current_user), then=back,
            message=_("Question added."), field_map={"text.id": "text_id", "text.en": "text_en"})
    if request.method == "POST":
        return submit(form, lambda: services.update_survey(
            survey, _survey_data(form, zone), actor=current_user), then=back,
            message=_("Survey saved."), field_map=TITLE_FIELDS)
    return None


@bp.route("/surveys/<int:survey_id>/edit", methods=["GET", "POST"])
@login_required
def edit_survey(survey_id: int):
    survey = services.load_survey(survey_id)
    training = survey.training
    require(current_user, "survey.manage", training)
    zone = viewer_timezone(training.timezone)
    form, question_form = _edit_forms(survey, zone)
    done = _save_survey_or_question(survey, form, question_form, zone)
    return done or (render_template(
        "evaluation/survey_form.html", training=training, survey=survey, form=form,
        question_form=question_form, zone=zone, types=dict(type_choices()),
        answered=services.response_count(survey)), form_status(form, question_form))


@bp.route("/surveys/<int:survey_id>/questions/<key>/delete", methods=["POST"])
@login_required
def remove_question(survey_id: int, key: str):
    survey = services.load_survey(survey_id)
    require(current_user, "survey.manage", survey.training)
    return action(lambda: services.remove_question(survey, key, actor=current_user),
                  then=url_for("evaluation.edit_survey", survey_id=survey.id),
                  message=_("Question removed."))


@bp.route("/surveys/<int:survey_id>/results")
@login_required
def results(survey_id: int):
    survey = services.load_survey(survey_id)
    require(current_user, "survey.manage", survey.training)
    return render_template(
        "evaluation/results.html", survey=survey, training=survey.training,
        results=services.results(survey), kinds=kind_labels(),
        missing=None if survey.is_anonymous else services.not_answered(survey),
        scores=services.scores(survey) if survey.is_test else None,
        is_open=services.is_open(survey), zone=viewer_timezone(survey.training.timezone))


@bp.route("/surveys/<int:survey_id>/responses.xlsx")
@login_required
def export_responses(survey_id: int):
    """Every response; an anonymous survey's export has no person column and no order of
    submission."""
    survey = services.load_survey(survey_id)
    require(current_user, "survey.manage", survey.training)
    header, rows = services.responses_table(survey, current_language())
    return send_download(xlsx_bytes(header, rows, title=_("Responses")),
                         f"survey-{survey.id}-responses.xlsx", XLSX_MIMETYPE)


@bp.route("/surveys/<int:survey_id>/remind", methods=["POST"])
@login_required
def remind(survey_id: int):
    survey = services.load_survey(survey_id)
    require(current_user, "survey.manage", survey.training)
    return action(lambda: services.send_reminder(survey, actor=current_user),
                  then=url_for("evaluation.results", survey_id=survey.id),
                  message=lambda n: _("%(num)s reminders queued in the outbox.", num=n))


def _plans_page(training, form):
    all_plans = services.plans_of_training(training)
    return render_template(
        "evaluation/plans.html", training=training, plans=all_plans, form=form,
        totals=services.totals(all_plans), labels=services.status_labels(),
        sent=services.follow_up_counts(training), zone=viewer_timezone(training.timezone))


@bp.route("/trainings/<int:training_id>/action-plans", methods=["GET", "POST"])
@login_required
def plans(training_id: int):
    training = load_training(training_id)
    require(current_user, "action_plan.list", training)
    form = FollowUpForm()
    if request.method == "GET":
        form.days.data = ", ".join(str(d) for d in services.follow_up_days(training))
    done = submit(form, lambda: services.set_follow_up_days(
        training, services.parse_days_text(form.days.data), actor=current_user),
                  then=url_for("evaluation.plans", training_id=training.id),
                  message=_("Follow-up mails saved."), field_map={"follow_up_days": "days"})
    return done or (_plans_page(training, form), form_status(form))


def _report_page(template: str, data: dict, **context):
    return render_template(template, report=data, charts=_charts(data),
                           measures=services.measure_labels(), small=services.SMALL, **context)


@bp.route("/trainings/<int:training_id>/evaluation-report")
@login_required
def report(training_id: int):
    training = load_training(training_id)
    require(current_user, "evaluation.view", training)
    data = services.build_report(training)
    fmt = request.args.get("format")
    if fmt in ("xlsx", "pdf"):
        return send_download(*services.report_file(data, fmt, current_language()))
    if fmt:
        return redirect(url_for("evaluation.report", training_id=training.id))
    return _report_page("evaluation/report.html", data, training=training)


def _charts(data: dict) -> dict:
    lang = current_language()
    sections = {d: data[f"by_{d}"] for d in ("country", "gender", "disability")}
    if "trainings" in data:
        sections["trainings"] = data["trainings"]
    return {d: [dict(bar, label=bar["label"][lang])
                for bar in services.chart(rows, "completion_rate")]
            for d, rows in sections.items()}


def _programme(programme_id: int):
    programme = get_programme(programme_id)
    require(current_user, "programme.report", programme)
    return programme


@bp.route("/programmes/<int:programme_id>/report")
@login_required
def programme_report(programme_id: int):
    """The donor report of every training of a programme together (its managers, admins)."""
    programme = _programme(programme_id)
    return _report_page("evaluation/programme_report.html",
                        services.build_programme_report(programme), programme=programme)


@bp.route("/programmes/<int:programme_id>/report.<any(xlsx, pdf):fmt>")
@login_required
def programme_report_file(programme_id: int, fmt: str):
    data = services.build_programme_report(_programme(programme_id))
    return send_download(*services.report_file(data, fmt, current_language()))

