"""The evaluation area's part of the privacy tools: survey answers, action plans and
demographics in the export; free text of survey answers and action plans in the erasure.

Choice and scale answers, test scores, commitment statuses and demographics stay with the
(erased, nameless) enrolment, so the aggregate reports keep their numbers.
"""
from __future__ import annotations

from sqlalchemy import select

from ..evaluation.models import (
    ActionPlan,
    Commitment,
    Demographics,
    Survey,
    SurveyResponse,
)
from ..extensions import db
from ..timezones import iso_utc


def _ids(enrolments) -> list[int]:
    return [e.id for e in enrolments]


def export_survey_answers(_user, enrolments) -> list[dict]:
    ids = _ids(enrolments)
    if not ids:
        return []
    rows = db.session.execute(
        select(SurveyResponse, Survey.title_en, Survey.training_id)
        .join(Survey, Survey.id == SurveyResponse.survey_id)
        .where(SurveyResponse.enrolment_id.in_(ids)).order_by(SurveyResponse.submitted_at)).all()
    return [{"survey": r.survey_id, "survey_title": title, "training": training_id,
             "enrolment": r.enrolment_id, "answers": r.answers, "score": r.score,
             "submitted_at": iso_utc(r.submitted_at)} for r, title, training_id in rows]


def export_action_plans(_user, enrolments) -> list[dict]:
    ids = _ids(enrolments)
    if not ids:
        return []
    plans = db.session.scalars(select(ActionPlan).where(ActionPlan.enrolment_id.in_(ids)))
    return [{"training": p.training_id, "enrolment": p.enrolment_id,
             "created_at": iso_utc(p.created_at),
             "commitments": [{"text": c.text, "due_on": c.due_on.isoformat() if c.due_on else None,
                              "status": c.status,
                              "updates": [{"status": u.status, "note": u.note,
                                           "at": iso_utc(u.created_at)} for u in c.updates]}
                             for c in p.commitments]} for p in plans]


def export_demographics(_user, enrolments) -> list[dict]:
    ids = _ids(enrolments)
    if not ids:
        return []
    return [{"enrolment": d.enrolment_id, "consent_at": iso_utc(d.consent_at),
             "gender": d.gender, "washington_group": d.washington_group}
            for d in db.session.scalars(select(Demographics).where(
                Demographics.enrolment_id.in_(ids)))]


def erase_evaluation_text(_user, enrolments, _placeholder) -> int:
    """Free-text survey answers, commitments and update notes emptied; the rest stays."""
    ids = _ids(enrolments)
    if not ids:
        return 0
    changed = 0
    for response in db.session.scalars(select(SurveyResponse).where(
            SurveyResponse.enrolment_id.in_(ids))):
        answers = dict(response.answers or {})
        cleaned = {k: ("" if isinstance(v, str) else v) for k, v in answers.items()}
        if cleaned != answers:
            response.answers = cleaned
            changed += 1
    plan_ids = select(ActionPlan.id).where(ActionPlan.enrolment_id.in_(ids))
    for commitment in db.session.scalars(select(Commitment).where(Commitment.plan_id.in_(plan_ids))):
        commitment.text = ""
        for update in commitment.updates:
            update.note = ""
        changed += 1
    return changed


__all__ = ["erase_evaluation_text", "export_action_plans",
           "export_demographics", "export_survey_answers"]
