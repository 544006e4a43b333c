"""Surveys and knowledge tests: create, change questions, answer once, remind.

Every change validates all input first and raises one ``ValidationError`` listing each
problem (``details``), so nothing is written on bad input; it ``flush()``es and the caller
commits.
"""
from __future__ import annotations

import re
import secrets
from datetime import datetime

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import load_only

from ...db import utcnow
from ...enrolment.models import Enrolment
from ...errors import Conflict, NotFound, ValidationError
from ...extensions import db
from ...outbox.services import queue_mail
from ...scheduling.models import TrainingSession
from ...timezones import parse_aware
from ...web import absolute_url
from ..models import (
    KINDS,
    QUESTION_TYPES,
    Survey,
    SurveyParticipation,
    SurveyQuestion,
    SurveyResponse,
)

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_QUESTIONS = 100
MAX_OPTIONS = 20
MAX_TEXT = 5000


class Problems:
    """Collects every problem of one input; ``raise_if_any`` raises one ValidationError."""

    def __init__(self):
        self.details: list[dict] = []

    def add(self, field: str, message) -> None:
        self.details.append({"field": field, "message": str(message)})

    def raise_if_any(self, message=None) -> None:
        if self.details:
            first = self.details[0]
            raise ValidationError(message or first["message"], field=first["field"],
                                  details=self.details)


def get_survey(survey_id: int) -> Survey | None:
    return db.session.get(Survey, survey_id)


def load_survey(survey_id: int) -> Survey:
    survey = get_survey(survey_id)
    if survey is None:
        raise NotFound(_l("No such survey."))
    return survey


def surveys_of(training) -> list[Survey]:
    return list(db.session.scalars(select(Survey).where(Survey.training_id == training.id)
                                   .order_by(Survey.opens_at.is_(None), Survey.opens_at,
                                             Survey.id)))


def _bilingual(value, field: str, problems: Problems, *, max_length: int = 300) -> dict:
    if not isinstance(value, dict):
        problems.add(field, _("Give the text in Indonesian and English: {\"id\": ..., \"en\": ...}."))
        return {"id": "", "en": ""}
    clean = {}
    for lang in ("id", "en"):
        text = value.get(lang)
        text = text.strip() if isinstance(text, str) else ""
        if not text:
            problems.add(f"{field}.{lang}", _("This text is required in both languages."))
        elif len(text) > max_length:
            problems.add(f"{field}.{lang}", _("At most %(num)s characters.", num=max_length))
        clean[lang] = text
    return clean


def _flag(data: dict, name: str, problems: Problems, default: bool = False) -> bool:
    value = data.get(name, default)
    if not isinstance(value, bool):
        problems.add(name, _("Must be true or false."))
        return default
    return value


def _instant(data: dict, name: str, problems: Problems) -> datetime | None:
    value = data.get(name)
    if value in (None, ""):
        return None
    try:
        return parse_aware(value, field=name)
    except ValidationError as error:
        problems.add(name, error.message)
        return None


def clean_question(data, index: int, kind: str, problems: Problems, *,
                   prefix: str | None = None) -> dict:
    """One question from input (the API shape), checked; problems are collected."""
    field = prefix if prefix is not None else f"questions.{index}"
    dot = f"{field}." if field else ""
    if not isinstance(data, dict):
        problems.add(field or "question", _("Each question must be an object."))
        return {}
    key = data.get("key") or f"q{index + 1}"
    if not isinstance(key, str) or not KEY_PATTERN.match(key):
        problems.add(f"{dot}key", _("A key is a lower-case letter followed by up to 39 letters, "
                                    "digits or underscores."))
    qtype = data.get("type")
    if qtype not in QUESTION_TYPES:
        problems.add(f"{dot}type", _("The type is one of: %(names)s.",
                                     names=", ".join(QUESTION_TYPES)))
    text = _bilingual(data.get("text"), f"{dot}text", problems, max_length=2000)
    required = data.get("required", True)
    if not isinstance(required, bool):
        problems.add(f"{dot}required", _("Must be true or false."))
        required = True
    options_in = data.get("options") or []
    options: list[dict] = []
    if qtype in ("choice", "multi"):
        if not isinstance(options_in, list) or not 2 <= len(options_in) <= MAX_OPTIONS:
            problems.add(f"{dot}options", _("Give from 2 to %(num)s options.", num=MAX_OPTIONS))
        else:
            options = [_bilingual(o, f"{dot}options.{i}", problems)
                       for i, o in enumerate(options_in)]
    elif options_in:
        problems.add(f"{dot}options", _("Only choice questions have options."))
    correct = data.get("correct")
    if correct is not None:
        if kind == "feedback":
            problems.add(f"{dot}correct", _("Only knowledge tests have correct answers."))
            correct = None
        elif qtype not in ("choice", "multi"):
            problems.add(f"{dot}correct", _("Only choice questions have correct answers."))
            correct = None
        elif (not isinstance(correct, list) or not correct
              or any(isinstance(i, bool) or not isinstance(i, int) for i in correct)
              or len(set(correct)) != len(correct)
              or any(not 0 <= i < len(options) for i in correct)):
            problems.add(f"{dot}correct", _("The correct answers are indexes into the options."))
            correct = None
        elif qtype == "choice" and len(correct) != 1:
            problems.add(f"{dot}correct", _("A single-choice question has one correct answer."))
            correct = None
        else:
            correct = sorted(correct)
    return {"key": key, "type": qtype, "text": text, "required": required,
            "options": options, "correct": correct}


def _clean_survey(training, data, problems: Problems, *, with_questions: bool) -> dict:
    if not isinstance(data, dict):
        raise ValidationError(_("The survey must be an object."))
    kind = data.get("kind", "feedback")
    if kind not in KINDS:
        problems.add("kind", _("The kind is one of: %(names)s.", names=", ".join(KINDS)))
        kind = "feedback"
    clean = {"kind": kind, "title": _bilingual(data.get("title"), "title", problems),
             "anonymous": _flag(data, "anonymous", problems),
             "required_for_certificate": _flag(data, "required_for_certificate", problems),
             "opens_at": _instant(data, "opens_at", problems),
             "closes_at": _instant(data, "closes_at", problems), "session": None}
    if clean["anonymous"] and kind != "feedback":
        problems.add("anonymous", _("Knowledge tests cannot be anonymous: a pre-test and a "
                                    "post-test are paired by person."))
    if clean["opens_at"] and clean["closes_at"] and clean["closes_at"] <= clean["opens_at"]:
        problems.add("closes_at", _("The survey must close after it opens."))
    session_id = data.get("session")
    if session_id is not None:
        session = (db.session.get(TrainingSession, session_id)
                   if isinstance(session_id, int) and not isinstance(session_id, bool) else None)
        if session is None or session.training_id != training.id:
            problems.add("session", _("The session must be one of this training's sessions."))
        else:
            clean["session"] = session
    if with_questions:
        questions = data.get("questions")
        if not isinstance(questions, list) or not questions:
            problems.add("questions", _("A survey needs at least one question."))
            questions = []
        elif len(questions) > MAX_QUESTIONS:
            problems.add("questions", _("At most %(num)s questions.", num=MAX_QUESTIONS))
            questions = []
        clean["questions"] = [clean_question(q, i, kind, problems) for i, q in enumerate(questions)]
        keys = [q.get("key") for q in clean["questions"]]
        for i, key in enumerate(keys):
            if key and keys.index(key) != i:
                problems.add(f"questions.{i}.key", _("Each question needs its own key."))
    return clean


def _apply(survey: Survey, clean: dict) -> None:
    survey.kind = clean["kind"]
    survey.title_id, survey.title_en = clean["title"]["id"], clean["title"]["en"]
    survey.is_anonymous = clean["anonymous"]
    survey.is_required_for_certificate = clean["required_for_certificate"]
    survey.opens_at, survey.closes_at = clean["opens_at"], clean["closes_at"]
    survey.session = clean["session"]


def _question(clean: dict, position: int) -> SurveyQuestion:
    return SurveyQuestion(key=clean["key"], position=position, type=clean["type"],
                          text_id=clean["text"]["id"], text_en=clean["text"]["en"],
                          is_required=clean["required"], options=clean["options"],
                          correct=clean["correct"])


def create_survey(training, data: dict, *, actor, with_questions: bool = True) -> Survey:
    """A survey with its questions (the API), or without (the web editor adds them next;
    nobody can answer a survey without questions)."""
    problems = Problems()
    clean = _clean_survey(training, data, problems, with_questions=with_questions)
    problems.raise_if_any()
    survey = Survey(training_id=training.id, created_by_id=getattr(actor, "id", None))
    _apply(survey, clean)
    for position, question in enumerate(clean.get("questions", [])):
        survey.questions.append(_question(question, position))
    db.session.add(survey)
    db.session.flush()
    return survey


def response_count(survey: Survey) -> int:
    return db.session.scalar(select(func.count()).select_from(SurveyParticipation).where(
        SurveyParticipation.survey_id == survey.id)) or 0


def update_survey(survey: Survey, data: dict, *, actor) -> Survey:
    """Change title, kind, session, times and flags (not the questions)."""
    problems = Problems()
    clean = _clean_survey(survey.training, data, problems, with_questions=False)
    answered = response_count(survey)
    if answered and (clean["kind"] != survey.kind or clean["anonymous"] != survey.is_anonymous):
        problems.add("kind", _("The kind and anonymity cannot change once people have answered."))
    if clean["kind"] == "feedback" and any(q.correct for q in survey.questions):
        problems.add("kind", _("Remove the correct answers first: a feedback survey has none."))
    problems.raise_if_any()
    _apply(survey, clean)
    db.session.flush()
    return survey


def add_question(survey: Survey, data: dict, *, actor) -> SurveyQuestion:
    if response_count(survey):
        raise Conflict(_l("Questions cannot change once people have answered."))
    problems = Problems()
    clean = clean_question(data, len(survey.questions), survey.kind, problems, prefix="")
    if any(q.key == clean.get("key") for q in survey.questions):
        problems.add("key", _("Each question needs its own key."))
    if len(survey.questions) >= MAX_QUESTIONS:
        problems.add("key", _("At most %(num)s questions.", num=MAX_QUESTIONS))
    problems.raise_if_any()
    position = max((q.position for q in survey.questions), default=-1) + 1
    question = _question(clean, position)
    survey.questions.append(question)
    db.session.flush()
    return question


def remove_question(survey: Survey, key: str, *, actor) -> None:
    if response_count(survey):
        raise Conflict(_l("Questions cannot change once people have answered."))
    question = next((q for q in survey.questions if q.key == key), None)
    if question is None:
        raise NotFound(_l("No such question."))
    survey.questions.remove(question)
    db.session.flush()


def delete_survey(survey: Survey, *, actor) -> None:
    db.session.delete(survey)
    db.session.flush()


# ---------------------------------------------------------------- answering

def is_open(survey: Survey, now: datetime | None = None) -> bool:
    now = now or utcnow()
    return ((survey.opens_at is None or survey.opens_at <= now)
            and (survey.closes_at is None or now < survey.closes_at))


def has_answered(survey: Survey, enrolment) -> bool:
    return db.session.get(SurveyParticipation, (survey.id, enrolment.id)) is not None


def clean_answers(survey: Survey, answers) -> dict:
    """The answers checked against the questions, or one ValidationError listing each problem."""
    problems = Problems()
    if not isinstance(answers, dict):
        raise ValidationError(_("The answers must be an object: {\"q1\": 4, ...}."), field="answers")
    keys = {q.key for q in survey.questions}
    for key in answers:
        if key not in keys:
            problems.add(f"answers.{key}", _("No such question."))
    clean: dict = {}
    for q in survey.questions:
        field = f"answers.{q.key}"
        value = answers.get(q.key)
        if isinstance(value, str) and q.type != "text":
            value = value.strip() or None
        if value is None or value == [] or (q.type == "text" and isinstance(value, str)
                                            and not value.strip()):
            if q.is_required:
                problems.add(field, _("This question needs an answer."))
            continue
        if q.type == "scale":
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
                problems.add(field, _("Choose a whole number from 1 to 5."))
                continue
        elif q.type == "choice":
            if isinstance(value, bool) or not isinstance(value, int) \
                    or not 0 <= value < len(q.options):
                problems.add(field, _("Choose one of the options."))
                continue
        elif q.type == "multi":
            if (not isinstance(value, list) or len(set(map(repr, value))) != len(value)
                    or any(isinstance(v, bool) or not isinstance(v, int)
                           or not 0 <= v < len(q.options) for v in value)):
                problems.add(field, _("Choose options from the list, each once."))
                continue
            value = sorted(value)
        else:
            if not isinstance(value, str):
                problems.add(field, _("The answer must be text."))
                continue
            value = value.strip()
            if len(value) > MAX_TEXT:
                problems.add(field, _("At most %(num)s characters.", num=MAX_TEXT))
                continue
        clean[q.key] = value
    problems.raise_if_any(_("Some answers are missing or not valid."))
    return clean


def score_of(survey: Survey, answers: dict) -> float | None:
    """Share of correctly answered scored questions (those with correct answers)."""
    scored = [q for q in survey.questions if q.correct]
    if not survey.is_test or not scored:
        return None
    right = 0
    for q in scored:
        given = answers.get(q.key)
        given = [given] if isinstance(given, int) else (given or [])
        right += sorted(given) == sorted(q.correct)
    return right / len(scored)


def submit_response(survey: Survey, enrolment: Enrolment, answers, *, actor,
                    now: datetime | None = None) -> SurveyResponse:
    """One response per person. An anonymous survey stores the answers with no enrolment,
    no time and a random key; who answered is kept apart, only to allow one response."""
    if enrolment.training_id != survey.training_id or enrolment.status != "accepted":
        raise ValidationError(_l("Only accepted participants of this training can answer."),
                              code="not_a_participant", status=403)
    if not is_open(survey, now) or not survey.questions:
        raise Conflict(_l("This survey is not open for answers."), code="survey_closed")
    if has_answered(survey, enrolment):
        raise Conflict(_l("You have already answered this survey."), code="already_answered")
    clean = clean_answers(survey, answers)
    response = SurveyResponse(id=secrets.token_hex(16), survey_id=survey.id, answers=clean,
                              score=score_of(survey, clean))
    if not survey.is_anonymous:
        response.enrolment_id = enrolment.id
        response.submitted_at = now or utcnow()
    try:
        with db.session.begin_nested():
            db.session.add(SurveyParticipation(survey_id=survey.id, enrolment_id=enrolment.id))
            db.session.add(response)
    except IntegrityError:
        raise Conflict(_l("You have already answered this survey."),
                       code="already_answered") from None
    return response


def own_enrolment(survey: Survey, user) -> Enrolment | None:
    """The user's accepted enrolment in the survey's training, if any."""
    return own_enrolment_in(survey.training, user)


# ---------------------------------------------------------------- who has answered

PERSON_COLUMNS = (Enrolment.id, Enrolment.training_id, Enrolment.user_id, Enrolment.name,
                  Enrolment.email, Enrolment.country_code, Enrolment.language, Enrolment.status)


def invited(training) -> list[Enrolment]:
    """Accepted participants (only the columns a list or a mail needs: no timestamps)."""
    return list(db.session.scalars(select(Enrolment).options(load_only(*PERSON_COLUMNS)).where(
        Enrolment.training_id == training.id, Enrolment.status == "accepted")
        .order_by(Enrolment.name, Enrolment.id)))


def invited_count(training) -> int:
    return db.session.scalar(select(func.count()).select_from(Enrolment).where(
        Enrolment.training_id == training.id, Enrolment.status == "accepted")) or 0


def not_answered(survey: Survey) -> list[Enrolment]:
    """Accepted participants who have not answered. Never for an anonymous survey."""
    if survey.is_anonymous:
        raise ValidationError(_l("An anonymous survey does not show who has answered."),
                              code="anonymous_survey", status=403)
    answered = set(db.session.scalars(select(SurveyParticipation.enrolment_id)
                                      .where(SurveyParticipation.survey_id == survey.id)))
    return [e for e in invited(survey.training) if e.id not in answered]


def send_reminder(survey: Survey, *, actor, now: datetime | None = None) -> int:
    """Queue a reminder in each person's language. Named surveys: to those who have not
    answered; anonymous ones: to every participant (so the outbox shows nobody's answer)."""
    if not is_open(survey, now):
        raise Conflict(_l("This survey is not open for answers."), code="survey_closed")
    people = invited(survey.training) if survey.is_anonymous else not_answered(survey)
    link = absolute_url("evaluation.answer", survey_id=survey.id)
    for enrolment in people:
        with force_locale(enrolment.language or "en"):
            title = survey.title(enrolment.language)
            subject = _("Reminder: %(title)s", title=title)
            lines = [_("Dear %(name)s,", name=enrolment.name), "",
                     _("Please answer the survey \"%(title)s\" of the training \"%(training)s\".",
                       title=title, training=survey.training.title(enrolment.language))]
            if survey.is_anonymous:
                lines.append(_("If you have answered already, thank you: your answers are "
                               "anonymous, so this reminder goes to everyone."))
            if survey.closes_at:
                lines.append(_("It closes on %(date)s (UTC).",
                               date=survey.closes_at.strftime("%Y-%m-%d %H:%M")))
            lines += ["", link]
        queue_mail(enrolment.email, subject, "\n".join(lines), to_name=enrolment.name,
                   training=survey.training, kind="survey_reminder")
    return len(people)


def own_enrolment_in(training, user) -> Enrolment | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(select(Enrolment).where(
        Enrolment.training_id == training.id, Enrolment.user_id == user.id,
        Enrolment.status == "accepted"))
