"""Results: response rates, per-question counts, test scores, knowledge gain, satisfaction,
and the certificate gate. Everything answers plain dicts."""
from __future__ import annotations

from collections import defaultdict
from functools import lru_cache
from statistics import fmean

from sqlalchemy import bindparam, select
from sqlalchemy.orm import selectinload

from ...enrolment.models import Enrolment
from ...extensions import db
from ..models import Survey, SurveyParticipation, SurveyResponse
from .surveys import invited_count, response_count


def _mean(values) -> float | None:
    values = list(values)
    return round(fmean(values), 4) if values else None


def _responses(survey: Survey) -> list[SurveyResponse]:
    # ordered by the random key: never by submission
    return list(db.session.scalars(select(SurveyResponse).where(
        SurveyResponse.survey_id == survey.id).order_by(SurveyResponse.id)))


def question_summary(question, responses) -> dict:
    values = [r.answers.get(question.key) for r in responses if question.key in r.answers]
    item = {"key": question.key, "type": question.type, "answered": len(values),
            "mean": None, "counts": []}
    if question.type == "scale":
        item["counts"] = [sum(1 for v in values if v == n) for n in range(1, 6)]
        item["mean"] = _mean(values)
    elif question.type == "choice":
        item["counts"] = [sum(1 for v in values if v == i) for i in range(len(question.options))]
    elif question.type == "multi":
        item["counts"] = [sum(1 for v in values if i in v) for i in range(len(question.options))]
    else:
        item["answers"] = sorted(v for v in values if v)
    if question.correct:
        given = [v if isinstance(v, list) else [v] for v in values]
        item["correct_share"] = _mean(float(sorted(g) == question.correct) for g in given)
    return item


def results(survey: Survey) -> dict:
    responses = _responses(survey)
    answered = response_count(survey)
    total = invited_count(survey.training)
    data = {"responses": answered, "invited": total,
            "response_rate": round(answered / total, 4) if total else None,
            "questions": [question_summary(q, responses) for q in survey.questions]}
    if survey.is_test:
        data["score"] = {"mean": _mean(r.score for r in responses if r.score is not None)}
    return data


def scores(survey: Survey) -> list[dict]:
    """Each person's score of a (never anonymous) test, by name."""
    rows = db.session.execute(
        select(Enrolment, SurveyResponse.score).join(
            SurveyResponse, SurveyResponse.enrolment_id == Enrolment.id)
        .where(SurveyResponse.survey_id == survey.id).order_by(Enrolment.name, Enrolment.id))
    return [{"enrolment": e.id, "name": e.name, "country": e.country_code, "score": score}
            for e, score in rows]


def _training_ids(trainings) -> list[int]:
    """One training (an object with ``id``) or an iterable of training ids."""
    if hasattr(trainings, "id"):
        return [trainings.id]
    return list(trainings)


def person_test_scores(trainings) -> dict[str, dict[int, float]]:
    """``{"pre_test": {enrolment_id: mean score}, "post_test": {...}}`` (a person's mean
    when a training has several tests of a kind), for one training or a list of training
    ids (one query either way: enrolments belong to one training, so pairs never cross)."""
    rows = db.session.execute(
        select(Survey.kind, SurveyResponse.enrolment_id, SurveyResponse.score)
        .join(Survey, Survey.id == SurveyResponse.survey_id)
        .where(Survey.training_id.in_(_training_ids(trainings)),
               Survey.kind.in_(("pre_test", "post_test")),
               SurveyResponse.enrolment_id.is_not(None), SurveyResponse.score.is_not(None)))
    collected: dict[str, dict[int, list[float]]] = {"pre_test": defaultdict(list),
                                                    "post_test": defaultdict(list)}
    for kind, enrolment_id, score in rows:
        collected[kind][enrolment_id].append(score)
    return {kind: {eid: fmean(v) for eid, v in people.items()}
            for kind, people in collected.items()}


def knowledge(pre: dict[int, float], post: dict[int, float], people=None) -> dict:
    """Knowledge gain from the same persons' pre- and post-test (paired)."""
    paired = [eid for eid in pre if eid in post and (people is None or eid in people)]
    pre_mean = _mean(pre[e] for e in paired)
    post_mean = _mean(post[e] for e in paired)
    return {"pre_mean": pre_mean, "post_mean": post_mean, "paired": len(paired),
            "gain": round(post_mean - pre_mean, 4) if paired else None}


def satisfaction_rows(trainings) -> list[tuple[int, int | None, float | None]]:
    """One row per feedback response of one training or of a list of training ids:
    ``(training_id, enrolment_id or None when anonymous, mean of its scale answers or None)``
    (two queries whatever the number of trainings)."""
    ids = _training_ids(trainings)
    surveys = list(db.session.scalars(select(Survey).options(selectinload(Survey.questions))
                                      .where(Survey.training_id.in_(ids),
                                             Survey.kind == "feedback")))
    if not surveys:
        return []
    scale_keys = {s.id: {q.key for q in s.questions if q.type == "scale"} for s in surveys}
    found = []
    for survey_id, training_id, enrolment_id, answers in db.session.execute(
            select(Survey.id, Survey.training_id, SurveyResponse.enrolment_id,
                   SurveyResponse.answers)
            .join(Survey, Survey.id == SurveyResponse.survey_id)
            .where(Survey.id.in_(list(scale_keys)))):
        values = [answers[k] for k in scale_keys.get(survey_id, ()) if k in answers]
        found.append((training_id, enrolment_id, fmean(values) if values else None))
    return found


def satisfaction_answers(training) -> tuple[list[float], dict[int, list[float]], int]:
    """Scale answers of the feedback surveys: (every response's mean, {enrolment: [means]}
    for named responses, number of responses)."""
    every, by_person, count = [], defaultdict(list), 0
    for _training_id, enrolment_id, mean in satisfaction_rows(training):
        count += 1
        if mean is None:
            continue
        every.append(mean)
        if enrolment_id is not None:
            by_person[enrolment_id].append(mean)
    return every, by_person, count


def evaluation(training) -> dict:
    """The training's knowledge gain and satisfaction, also by country (anonymous
    feedback counts in the totals only: it is linked to no person, so to no country)."""
    scores_ = person_test_scores(training)
    every, by_person, count = satisfaction_answers(training)
    countries = dict(db.session.execute(select(Enrolment.id, Enrolment.country_code).where(
        Enrolment.training_id == training.id, Enrolment.status == "accepted")).all())
    by_country: dict[str, dict] = {}
    for code in sorted(set(countries.values())):
        people = {eid for eid, c in countries.items() if c == code}
        means = [m for eid in people for m in by_person.get(eid, [])]
        by_country[code] = {
            "knowledge": knowledge(scores_["pre_test"], scores_["post_test"], people),
            "satisfaction": {"mean": _mean(means), "responses": len(means)}}
    return {"knowledge": knowledge(scores_["pre_test"], scores_["post_test"]),
            "satisfaction": {"mean": _mean(every), "responses": count},
            "by_country": by_country}


# ---------------------------------------------------------------- certificate gate

@lru_cache(maxsize=1)
def _gate_statements():
    """The two statements of :func:`required_surveys_pending`, built once with bound lists
    (My schedule asks on every request)."""
    required = (select(Survey).where(
        Survey.training_id.in_(bindparam("gate_trainings", expanding=True)),
        Survey.is_required_for_certificate.is_(True)).order_by(Survey.id))
    answered = select(SurveyParticipation.survey_id, SurveyParticipation.enrolment_id).where(
        SurveyParticipation.survey_id.in_(bindparam("gate_surveys", expanding=True)),
        SurveyParticipation.enrolment_id.in_(bindparam("gate_enrolments", expanding=True)))
    return required, answered


def required_surveys_pending(enrolments) -> dict[int, list[Survey]]:
    """For each enrolment, the surveys required for its certificate it has not answered
    (two queries whatever the number of enrolments). Certificates' eligibility calls this."""
    enrolments = [e for e in enrolments if e is not None]
    if not enrolments:
        return {}
    training_ids = sorted({e.training_id for e in enrolments})
    required_statement, answered_statement = _gate_statements()
    required = list(db.session.scalars(required_statement, {"gate_trainings": training_ids}))
    answered = set()
    if required:
        answered = {tuple(row) for row in db.session.execute(answered_statement, {
            "gate_surveys": [s.id for s in required],
            "gate_enrolments": [e.id for e in enrolments]})}
    return {e.id: [s for s in required if s.training_id == e.training_id
                   and (s.id, e.id) not in answered] for e in enrolments}


def _cell(question, value, lang: str):
    if value is None:
        return ""
    if question.type in ("choice", "multi"):
        picked = value if isinstance(value, list) else [value]
        return "; ".join((question.options[i].get(lang) or question.options[i].get("en") or "")
                         for i in picked if 0 <= i < len(question.options))
    return value


def responses_table(survey: Survey, lang: str) -> tuple[list[str], list[list]]:
    """Every response as a row for the XLSX export. Named surveys: name and country first,
    ordered by name. Anonymous ones: no person column, ordered by the random key."""
    from flask_babel import force_locale
    from flask_babel import gettext as _
    questions = list(survey.questions)
    with force_locale(lang):
        header = [] if survey.is_anonymous else [_("Participant"), _("Country")]
        header += [f"{q.key}: {q.text(lang)}" for q in questions]
        if survey.is_test:
            header.append(_("Score"))
    rows = []
    if survey.is_anonymous:
        for response in _responses(survey):
            rows.append([_cell(q, response.answers.get(q.key), lang) for q in questions])
        return header, rows
    people = db.session.execute(
        select(Enrolment.name, Enrolment.country_code, SurveyResponse)
        .join(SurveyResponse, SurveyResponse.enrolment_id == Enrolment.id)
        .where(SurveyResponse.survey_id == survey.id).order_by(Enrolment.name, Enrolment.id))
    for name, country, response in people:
        row = [name, country] + [_cell(q, response.answers.get(q.key), lang) for q in questions]
        if survey.is_test:
            row.append(response.score)
        rows.append(row)
    return header, rows
