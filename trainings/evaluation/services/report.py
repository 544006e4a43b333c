"""The donor-ready report of one training: reach, completion, attendance, satisfaction,
knowledge gain and action-plan progress, disaggregated by country, gender and disability.

This is the one place that builds the report's numbers, as plain dicts, and the one place
that suppresses small cells: any count of fewer than 5 people is ``"<5"``, and a rate or
mean computed from fewer than 5 people is ``"<5"`` too, so neither the page, the XLSX nor
the PDF can show a small count.
"""
from __future__ import annotations

from statistics import fmean

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import load_only

from ...attendance.eligibility import evaluate
from ...countries import country_name
from ...db import utcnow
from ...enrolment.models import Enrolment
from ...extensions import db
from ...timezones import iso_utc
from ..models import ActionPlan, Commitment, Demographics
from .demographics import gender_labels
from .results import knowledge, person_test_scores, required_surveys_pending, satisfaction_answers
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


def _row(people: set[int], facts: dict) -> dict:
    completed = sum(1 for e in people if facts["completed"].get(e))
    rates = [facts["attendance"][e] for e in people if facts["attendance"].get(e) is not None]
    sat = [m for e in people for m in facts["satisfaction"].get(e, [])]
    know = knowledge(facts["pre"], facts["post"], people)
    plans = [e for e in people if e in facts["plans"]]
    statuses = [s for e in plans for s in facts["plans"][e]]
    done = sum(1 for s in statuses if s == "done")
    return {
        "participants": count_cell(len(people)),
        "completed": count_cell(completed),
        "completion_rate": rate_cell(completed, len(people)),
        "attendance_rate": mean_cell(fmean(rates) if rates else None, len(rates)),
        "satisfaction": mean_cell(fmean(sat) if sat else None, len(sat)),
        "satisfaction_responses": count_cell(len(sat)),
        "knowledge_gain": mean_cell(know["gain"], know["paired"]),
        "paired_tests": count_cell(know["paired"]),
        "with_plan": count_cell(len(plans)),
        "commitments": count_cell(len(statuses)),
        "commitments_done": count_cell(done),
    }


def _facts(training, enrolments: list[Enrolment]) -> dict:
    ids = [e.id for e in enrolments]
    progress = evaluate(training, ids)
    pending = required_surveys_pending(enrolments)
    scores = person_test_scores(training)
    _every, by_person, _count = satisfaction_answers(training)
    plans: dict[int, list[str]] = {}
    for enrolment_id, status in db.session.execute(
            select(ActionPlan.enrolment_id, Commitment.status)
            .outerjoin(Commitment, Commitment.plan_id == ActionPlan.id)
            .where(ActionPlan.training_id == training.id)):
        plans.setdefault(enrolment_id, [])
        if status is not None:
            plans[enrolment_id].append(status)
    return {
        "completed": {e: progress[e].eligible and not pending.get(e) for e in ids},
        "attendance": {e: (progress[e].attended / progress[e].held) if progress[e].held else None
                       for e in ids},
        "satisfaction": by_person, "pre": scores["pre_test"], "post": scores["post_test"],
        "plans": plans,
    }


def build_report(training) -> dict:
    enrolments = list(db.session.scalars(select(Enrolment).options(load_only(*PERSON_COLUMNS))
                                         .where(Enrolment.training_id == training.id,
                                                Enrolment.status == "accepted")
                                         .order_by(Enrolment.id)))
    facts = _facts(training, enrolments)
    demographics = {d.enrolment_id: d for d in db.session.scalars(
        select(Demographics).where(Demographics.enrolment_id.in_([e.id for e in enrolments])))}
    groups: dict[str, dict[str, set[int]]] = {"country": {}, "gender": {}, "disability": {}}
    for e in enrolments:
        record = demographics.get(e.id)
        disability = record.has_disability if record else None
        keys = {"country": e.country_code,
                "gender": (record.gender if record and record.gender else "not_stated"),
                "disability": {True: "yes", False: "no"}.get(disability, "not_stated")}
        for dimension, key in keys.items():
            groups[dimension].setdefault(key, set()).add(e.id)
    all_people = {e.id for e in enrolments}
    every, _by_person, feedback_count = satisfaction_answers(training)
    total = _row(all_people, facts)
    # the total includes anonymous feedback, linked to nobody
    total["satisfaction"] = mean_cell(fmean(every) if every else None, len(every))
    total["satisfaction_responses"] = count_cell(len(every))
    applied = db.session.scalar(select(func.count()).select_from(Enrolment).where(
        Enrolment.training_id == training.id)) or 0
    order = {"gender": ["woman", "man", "non_binary", "self_described", "prefer_not_to_say",
                        "not_stated"], "disability": ["yes", "no", "not_stated"]}
    dimensions = {}
    for dimension, members in groups.items():
        keys = order.get(dimension) or sorted(members)
        dimensions[dimension] = [
            {"key": key, "label": _group_labels(dimension, key), **_row(members[key], facts)}
            for key in keys if key in members]
    commitments = db.session.scalar(select(func.count()).select_from(Commitment).join(
        ActionPlan, ActionPlan.id == Commitment.plan_id).where(
        ActionPlan.training_id == training.id)) or 0
    return {
        "training": {"id": training.id,
                     "title": {"id": training.title_id or "", "en": training.title_en or ""}},
        "generated_at": iso_utc(utcnow()),
        "threshold": THRESHOLD,
        "reach": {"enrolments": count_cell(applied), "participants": count_cell(len(enrolments)),
                  "countries": len(groups["country"]),
                  "feedback_responses": count_cell(feedback_count),
                  "commitments": count_cell(commitments)},
        "total": total,
        "by_country": dimensions["country"],
        "by_gender": dimensions["gender"],
        "by_disability": dimensions["disability"],
    }


def report_table(report: dict, lang: str) -> tuple[list[str], list[list]]:
    """The report as one table (header, rows) in one language, for the XLSX."""
    with force_locale(lang):
        measures = measure_labels()
        dims = dimension_labels()
        header = [_("Breakdown"), _("Group")] + [str(measures[m]) for m in MEASURES]
    rows = [[str(dims["total"]), report["total"].get("label", {}).get(lang, str(dims["total"]))]
            + [report["total"][m] for m in MEASURES]]
    for dimension in ("country", "gender", "disability"):
        for row in report[f"by_{dimension}"]:
            rows.append([str(dims[dimension]), row["label"][lang]] + [row[m] for m in MEASURES])
    return header, rows


def bilingual_labels() -> dict:
    """Every label of the report in both languages, for the bilingual PDF."""
    labels = {}
    for lang in ("id", "en"):
        with force_locale(lang):
            for key, text in {**measure_labels(), **{f"dim_{k}": v for k, v in
                                                     dimension_labels().items()}}.items():
                labels.setdefault(key, {})[lang] = str(text)
            extra = {"title": _("Evaluation report"), "reach": _("Reach"),
                     "enrolments": _("Applications"), "countries": _("Countries"),
                     "feedback_responses": _("Feedback responses"),
                     "suppressed": _("Cells under 5 people are shown as “<5” to protect "
                                     "the people counted."),
                     "generated": _("Generated"), "group": _("Group")}
            for key, text in extra.items():
                labels.setdefault(key, {})[lang] = str(text)
    return labels


def chart(rows: list[dict], measure: str, maximum: float = 1.0) -> list[dict]:
    """Bars for an SVG chart: label, value (None when suppressed), display text."""
    bars = []
    for row in rows:
        value = row[measure]
        shown = None if is_suppressed(value) else value
        bars.append({"label": row["label"], "value": shown,
                     "width": round(100 * (shown or 0) / maximum, 1) if shown else 0,
                     "display": SMALL if shown is None else value})
    return bars


def report_pdf(report: dict) -> bytes:
    from ... import pdf
    context = {"report": report, "labels": bilingual_labels(), "measures": list(MEASURES),
               "rates": RATE_MEASURES,
               "charts": {d: chart(report[f"by_{d}"], "completion_rate")
                          for d in ("country", "gender", "disability")}}
    title = f"{report['training']['title']['en']} — evaluation report"
    return pdf.render_pdf("pdf/evaluation_report.html", context, title=title, lang="id")


def report_file(report: dict, fmt: str, lang: str) -> tuple[bytes, str, str]:
    """The report as a file: ``(content, filename, mimetype)`` for ``xlsx`` or ``pdf``."""
    from ...exports import XLSX_MIMETYPE, xlsx_bytes
    name = f"evaluation-report-{report['training']['id']}"
    if fmt == "xlsx":
        header, rows = report_table(report, lang)
        with force_locale(lang):
            title = _("Report")
        return xlsx_bytes(header, rows, title=str(title)), f"{name}.xlsx", XLSX_MIMETYPE
    return report_pdf(report), f"{name}.pdf", "application/pdf"
