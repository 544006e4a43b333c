"""Policy rules of surveys, action plans, demographics and the report."""
from __future__ import annotations

from ..policy import authenticated, register_rules
from ..programmes.rules import manages
from ..scheduling.rules import has_enrolment, may_view_training, organises


def owns_commitment(actor, commitment) -> bool:
    enrolment = commitment.plan.enrolment if commitment is not None else None
    return (authenticated(actor) and enrolment is not None and enrolment.user_id == actor.id
            and enrolment.status == "accepted")


def owns_enrolment(actor, enrolment) -> bool:
    return authenticated(actor) and enrolment is not None and enrolment.user_id == actor.id


register_rules({
    # on a training
    "survey.manage": organises,  # create, edit, remind, see results and who has not answered
    "evaluation.view": organises,  # knowledge gain, satisfaction, the donor report
    "action_plan.list": organises,
    "action_plan.write_own": lambda a, t: has_enrolment(a, t),  # accepted participants
    # on a survey
    "survey.view": lambda a, s: organises(a, s) or may_view_training(a, s.training),
    "survey.answer": lambda a, s: has_enrolment(a, s),
    # on a programme: the donor report of all its trainings (its managers and admins; an
    # organiser of one of its trainings only sees that training's report)
    "programme.report": lambda a, p: manages(a, p) and a.role != "participant",
    # on a commitment
    "commitment.update": owns_commitment,
    # on an enrolment
    "demographics.view": organises,
    "demographics.edit_own": owns_enrolment,
})
