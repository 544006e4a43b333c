"""The donor-ready report of one training or of a set of trainings (a programme): reach,
completion, attendance, satisfaction, knowledge gain and action-plan progress,
disaggregated by country, gender and disability.

This is the one place that builds the report's numbers, as plain dicts, and the one place
that suppresses small cells: any count of fewer than 5 people is ``"<5"``, and a rate or
mean computed from fewer than 5 people is ``"<5"`` too, so neither the page, the XLSX nor
the PDF can show a small count. Then :func:`protect` adds complementary suppression: when a
breakdown hides exactly one group's count, the total minus the other groups would give it
back, so the next smallest count of that breakdown is hidden too (and the rates and means
that would give a hidden count back with it). The per-training rows of a programme are
protected the same way, except that when trainings share people the total minus the
other rows is only a lower bound of a hidden cell: the next smallest is then hidden only
when that bound is above zero.

The unit is a person: people are counted once by e-mail address across the trainings;
a person's country is that of their latest accepted enrolment, their gender and disability
those of their latest enrolment with consented demographics. Knowledge gain pairs each
enrolment's pre- and post-test (the same person in the same training) and averages the
pairs of every training. A constant number of queries whatever the number of trainings.
"""
from __future__ import annotations

from statistics import fmean

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import load_only

from ...attendance.eligibility import progress_for_enrolments
from ...countries import country_name
from ...db import utcnow
from ...enrolment.models import Enrolment
from ...extensions import db
from ...timezones import iso_utc
from ..models import ActionPlan, Commitment, Demographics
from .demographics import gender_labels
from .results import knowledge, person_test_scores, required_surveys_pending, satisfaction_rows
from .surveys import PERSON_COLUMNS

SMALL = "<5"
THRESHOLD = 5
MEASURES = ("participants", "completed", "completion_rate", "attendance_rate", "satisfaction",
            "satisfaction_responses", "knowledge_gain", "paired_tests", "with_plan",
            "commitments", "commitments_done")
RATE_MEASURES = ("completion_rate", "attendance_rate")


def count_cell(n: int):
    return n if n >= THRESHOLD else SMALL


def mean_cell(value, people: int):
    if people < THRESHOLD or value is None:
        return SMALL
    return round(value, 2)


def rate_cell(part: int, whole: int):
    if part < THRESHOLD or whole < THRESHOLD:
        return SMALL
    return round(part / whole, 4)


def is_suppressed(value) -> bool:
    return value == SMALL


def _both(fn) -> dict:
    labels = {}
    for lang in ("id", "en"):
        with force_locale(lang):
            labels[lang] = str(fn(lang))
    return labels


def measure_labels() -> dict:
    return {
        "participants": _("Participants"), "completed": _("Completed"),
        "completion_rate": _("Completion rate"), "attendance_rate": _("Attendance rate"),
        "satisfaction": _("Satisfaction (1–5)"), "satisfaction_responses": _("Feedback given"),
        "knowledge_gain": _("Knowledge gain"), "paired_tests": _("Pre- and post-test"),
        "with_plan": _("With an action plan"), "commitments": _("Commitments"),
        "commitments_done": _("Commitments done"),
    }


def dimension_labels() -> dict:
    return {"total": _("All participants"), "country": _("By country"),
            "gender": _("By gender"), "disability": _("By disability")}


def _group_labels(dimension: str, key: str) -> dict:
    if dimension == "country":
        return {lang: country_name(key, lang) for lang in ("id", "en")}
    if dimension == "gender":
        return _both(lambda _lang: gender_labels().get(key) or _("Not stated"))
    if dimension == "disability":
        return _both(lambda _lang: {"yes": _("With a disability"),
                                    "no": _("Without a disability")}.get(key) or _("Not stated"))
    return _both(lambda _lang: _("All participants"))


# Complementary suppression: each count that adds up over the groups of a breakdown, and
# the rates and means that would give it back once hidden.
ADDITIVE = {"participants": ("completion_rate",), "completed": ("completion_rate",),
            "satisfaction_responses": ("satisfaction",), "paired_tests": ("knowledge_gain",),
            "with_plan": (), "commitments": (), "commitments_done": ()}
GROUP_ORDER = {"gender": ["woman", "man", "non_binary", "self_described", "prefer_not_to_say",
                          "not_stated"], "disability": ["yes", "no", "not_stated"]}


def protect(total: dict, rows: list[dict], *, overlapping: bool = False) -> list[dict]:
    """Complementary suppression of one breakdown (in place): for each additive count, when
    exactly one group shows ``"<5"`` and the total is shown, the smallest shown count of the
    other groups is hidden as well, so no subtraction gives a small cell back. Then every
    rate or mean whose count is hidden is hidden too.

    ``overlapping`` rows (trainings that share people) do not add up to the total: there
    the total minus the shown rows is only a lower bound of the hidden cell, so the next
    smallest is hidden only when that bound tells something (is above zero)."""
    for measure, dependants in ADDITIVE.items():
        hidden = [r for r in rows if is_suppressed(r[measure])]
        shown = [r for r in rows if not is_suppressed(r[measure])]
        if len(hidden) == 1 and shown and not is_suppressed(total[measure]):
            bound = total[measure] - sum(r[measure] for r in shown)
            if not overlapping or bound > 0:
                min(shown, key=lambda r: r[measure])[measure] = SMALL
        for row in rows:
            if is_suppressed(row[measure]):
                for dependant in dependants:
                    row[dependant] = SMALL
    return rows


def person_key(enrolment) -> str:
    """People are the same person across trainings when their e-mail address is."""
    return (enrolment.email or f"#{enrolment.id}").strip().casefold()


def _row(members: dict[str, list[int]], facts: dict, feedback=None) -> dict:
    """The measures of a group of people: ``members`` maps each person to the enrolments
    that count for this row. ``feedback`` (every response's mean, number of responses)
    replaces the named feedback in a total, which also counts anonymous responses."""
    enrolments = {e for ids in members.values() for e in ids}
    completed = sum(1 for ids in members.values() if any(facts["completed"][e] for e in ids))
    rates = []
    for ids in members.values():
        held = sum(facts["attendance"][e][1] for e in ids)
        if held:
            rates.append(sum(facts["attendance"][e][0] for e in ids) / held)
    sat = [m for ids in members.values() for e in ids for m in facts["satisfaction"].get(e, [])]
    sat_people = sum(1 for ids in members.values()
                     if any(facts["satisfaction"].get(e) for e in ids))
    know = knowledge(facts["pre"], facts["post"], enrolments)
    paired = sum(1 for ids in members.values()
                 if any(e in facts["pre"] and e in facts["post"] for e in ids))
    planned = sum(1 for ids in members.values() if any(e in facts["plans"] for e in ids))
    statuses = [s for e in enrolments for s in facts["plans"].get(e, [])]
    done = sum(1 for s in statuses if s == "done")
    row = {
        "participants": count_cell(len(members)),
        "completed": count_cell(completed),
        "completion_rate": rate_cell(completed, len(members)),
        "attendance_rate": mean_cell(fmean(rates) if rates else None, len(rates)),
        "satisfaction": mean_cell(fmean(sat) if sat else None, sat_people),
        "satisfaction_responses": count_cell(len(sat)) if sat_people >= THRESHOLD else SMALL,
        "knowledge_gain": mean_cell(know["gain"], paired),
        "paired_tests": count_cell(paired),
        "with_plan": count_cell(planned),
        "commitments": count_cell(len(statuses)) if planned >= THRESHOLD else SMALL,
        "commitments_done": count_cell(done) if planned >= THRESHOLD else SMALL,
    }
    if feedback is not None:
        every, count = feedback
        row["satisfaction"] = mean_cell(fmean(every) if every else None, len(every))
        row["satisfaction_responses"] = count_cell(count)
    return row


def _accepted(ids: list[int]) -> list[Enrolment]:
    return list(db.session.scalars(select(Enrolment).options(load_only(*PERSON_COLUMNS))
                                   .where(Enrolment.training_id.in_(ids),
                                          Enrolment.status == "accepted")
                                   .order_by(Enrolment.id)))


def _facts(ids: list[int], enrolments: list[Enrolment]) -> dict:
    progress = progress_for_enrolments(enrolments)
    pending = required_surveys_pending(enrolments)
    scores = person_test_scores(ids)
    by_person: dict[int, list[float]] = {}
    feedback: dict[int, tuple[list[float], int]] = {tid: ([], 0) for tid in ids}
    for training_id, enrolment_id, mean in satisfaction_rows(ids):
        every, count = feedback[training_id]
        feedback[training_id] = (every + ([] if mean is None else [mean]), count + 1)
        if mean is not None and enrolment_id is not None:
            by_person.setdefault(enrolment_id, []).append(mean)
    plans: dict[int, list[str]] = {}
    for enrolment_id, status in db.session.execute(
            select(ActionPlan.enrolment_id, Commitment.status)
            .outerjoin(Commitment, Commitment.plan_id == ActionPlan.id)
            .where(ActionPlan.training_id.in_(ids))):
        plans.setdefault(enrolment_id, [])
        if status is not None:
            plans[enrolment_id].append(status)
    accepted = {e.id for e in enrolments}
    return {
        "completed": {e.id: progress[e.id].eligible and not pending.get(e.id)
                      for e in enrolments},
        "attendance": {e.id: (progress[e.id].attended, progress[e.id].held) for e in enrolments},
        "satisfaction": by_person, "feedback": feedback,
        "pre": {e: v for e, v in scores["pre_test"].items() if e in accepted},
        "post": {e: v for e, v in scores["post_test"].items() if e in accepted},
        "plans": {e: v for e, v in plans.items() if e in accepted},
    }


def _groups(enrolments: list[Enrolment]) -> tuple[dict, dict]:
    """(person -> their enrolment ids, dimension -> group key -> person -> enrolment ids)."""
    demographics = {d.enrolment_id: d for d in db.session.scalars(
        select(Demographics).where(Demographics.enrolment_id.in_([e.id for e in enrolments])))}
    people: dict[str, list[int]] = {}
    keys: dict[str, dict[str, str]] = {}
    for e in enrolments:  # by id: the latest enrolment wins
        person = person_key(e)
        people.setdefault(person, []).append(e.id)
        mine = keys.setdefault(person, {"gender": "not_stated", "disability": "not_stated"})
        mine["country"] = e.country_code
        record = demographics.get(e.id)
        if record is not None:
            mine["gender"] = record.gender or "not_stated"
            mine["disability"] = {True: "yes", False: "no"}.get(record.has_disability,
                                                                 "not_stated")
    groups: dict[str, dict[str, dict[str, list[int]]]] = {"country": {}, "gender": {},
                                                          "disability": {}}
    for person, ids in people.items():
        for dimension, key in keys[person].items():
            groups[dimension].setdefault(key, {})[person] = ids
    return people, groups


def _feedback_of(facts: dict, ids) -> tuple[list[float], int]:
    every = [m for tid in ids for m in facts["feedback"][tid][0]]
    return every, sum(facts["feedback"][tid][1] for tid in ids)


def _build(ids: list[int]) -> tuple[dict, dict, list[Enrolment]]:
    enrolments = _accepted(ids) if ids else []
    facts = _facts(ids, enrolments)
    people, groups = _groups(enrolments)
    total = _row(people, facts, feedback=_feedback_of(facts, ids))
    dimensions = {}
    for dimension, members in groups.items():
        order = GROUP_ORDER.get(dimension) or sorted(members)
        dimensions[dimension] = protect(total, [
            {"key": key, "label": _group_labels(dimension, key), **_row(members[key], facts)}
            for key in order if key in members])
    applied = dict(db.session.execute(
        select(Enrolment.training_id, func.count()).where(Enrolment.training_id.in_(ids))
        .group_by(Enrolment.training_id)).all()) if ids else {}
    commitments = dict(db.session.execute(
        select(ActionPlan.training_id, func.count(Commitment.id)).join(
            Commitment, Commitment.plan_id == ActionPlan.id)
        .where(ActionPlan.training_id.in_(ids)).group_by(ActionPlan.training_id)).all()) \
        if ids else {}
    report = {
        "generated_at": iso_utc(utcnow()),
        "threshold": THRESHOLD,
        "reach": {"enrolments": count_cell(sum(applied.values())),
                  "participants": count_cell(len(people)),
                  "countries": len(groups["country"]),
                  "feedback_responses": count_cell(_feedback_of(facts, ids)[1]),
                  "commitments": count_cell(sum(commitments.values()))},
        "total": total,
        "by_country": dimensions["country"],
        "by_gender": dimensions["gender"],
        "by_disability": dimensions["disability"],
    }
    return report, facts, enrolments


def build_report(training) -> dict:
    report, _facts_, _enrolments = _build([training.id])
    return {"training": {"id": training.id,
                         "title": {"id": training.title_id or "", "en": training.title_en or ""}},
            **report}


def build_programme_report(programme) -> dict:
    """The report of every training of the programme together, people counted once, plus a
    row per training (the measures of that training's own participants)."""
    trainings = list(programme.trainings)
    ids = [t.id for t in trainings]
    report, facts, enrolments = _build(ids)
    per_training: dict[int, dict[str, list[int]]] = {tid: {} for tid in ids}
    for e in enrolments:
        per_training[e.training_id].setdefault(person_key(e), []).append(e.id)
    # the rows share people when a person is in two of the trainings
    overlapping = sum(len(people) for people in per_training.values()) > len(
        {p for people in per_training.values() for p in people})
    rows = protect(report["total"], [
        {"id": t.id, "key": str(t.id),
         "label": {"id": t.title_id or t.title_en or "", "en": t.title_en or t.title_id or ""},
         **_row(per_training[t.id], facts, feedback=_feedback_of(facts, [t.id]))}
        for t in trainings], overlapping=overlapping)
    report["reach"]["trainings"] = len(trainings)
    return {"programme": {"id": programme.id,
                          "title": {"id": programme.title_id or "", "en": programme.title_en or ""}},
            **report, "trainings": rows}


def headline(training_ids: list[int]) -> dict:
    """The headline results of a set of trainings for the programme dashboard: satisfaction,
    knowledge gain and action-plan progress, with the same suppression (a constant number
    of queries)."""
    ids = list(training_ids)
    enrolments = _accepted(ids) if ids else []
    scores = person_test_scores(ids) if ids else {"pre_test": {}, "post_test": {}}
    rows = satisfaction_rows(ids) if ids else []
    every = [m for _t, _e, m in rows if m is not None]
    people: dict[str, list[int]] = {}
    for e in enrolments:
        people.setdefault(person_key(e), []).append(e.id)
    accepted = {e.id for e in enrolments}
    pre = {e: v for e, v in scores["pre_test"].items() if e in accepted}
    post = {e: v for e, v in scores["post_test"].items() if e in accepted}
    know = knowledge(pre, post, accepted)
    paired = sum(1 for ids_ in people.values() if any(e in pre and e in post for e in ids_))
    plans: dict[int, list[str]] = {}
    if ids:
        for enrolment_id, status in db.session.execute(
                select(ActionPlan.enrolment_id, Commitment.status)
                .outerjoin(Commitment, Commitment.plan_id == ActionPlan.id)
                .where(ActionPlan.training_id.in_(ids))):
            if enrolment_id in accepted:
                plans.setdefault(enrolment_id, [])
                if status is not None:
                    plans[enrolment_id].append(status)
    planned = sum(1 for ids_ in people.values() if any(e in plans for e in ids_))
    statuses = [s for v in plans.values() for s in v]
    shown = planned >= THRESHOLD
    return {
        "threshold": THRESHOLD,
        "satisfaction": mean_cell(fmean(every) if every else None, len(every)),
        "satisfaction_responses": count_cell(len(rows)),
        "knowledge_gain": mean_cell(know["gain"], paired),
        "paired_tests": count_cell(paired),
        "with_plan": count_cell(planned),
        "commitments": count_cell(len(statuses)) if shown else SMALL,
        "commitments_in_progress": count_cell(statuses.count("in_progress")) if shown else SMALL,
        "commitments_done": count_cell(statuses.count("done")) if shown else SMALL,
        "commitments_done_rate": rate_cell(statuses.count("done"), len(statuses))
        if shown else SMALL,
    }
