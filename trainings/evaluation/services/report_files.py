"""The donor report as files: one table per language for the XLSX, the bilingual PDF
through the PDF gateway, and the bars of its charts. The numbers (already suppressed)
come from :mod:`.report`; a programme's report adds a row per training."""
from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _

from .report import MEASURES, RATE_MEASURES, SMALL, dimension_labels, is_suppressed, measure_labels

DIMENSIONS = ("country", "gender", "disability")


def subject(report: dict) -> tuple[str, dict]:
    """``("programme" | "training", its {"id", "title"})``."""
    if "programme" in report:
        return "programme", report["programme"]
    return "training", report["training"]


def report_table(report: dict, lang: str) -> tuple[list[str], list[list]]:
    """The report as one table (header, rows) in one language, for the XLSX."""
    with force_locale(lang):
        measures = measure_labels()
        dims = dimension_labels()
        header = [_("Breakdown"), _("Group")] + [str(measures[m]) for m in MEASURES]
        by_training = str(_("By training"))
    rows = [[str(dims["total"]), report["total"].get("label", {}).get(lang, str(dims["total"]))]
            + [report["total"][m] for m in MEASURES]]
    for dimension in DIMENSIONS:
        for row in report[f"by_{dimension}"]:
            rows.append([str(dims[dimension]), row["label"][lang]] + [row[m] for m in MEASURES])
    for row in report.get("trainings", ()):
        rows.append([by_training, row["label"][lang]] + [row[m] for m in MEASURES])
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
                     "complementary": _("When a breakdown hides a single group, the next "
                                        "smallest group is hidden too, so that no total "
                                        "minus the others gives it back."),
                     "people_once": _("People are counted once by e-mail address across "
                                      "the programme's trainings."),
                     "dim_trainings": _("By training"), "trainings": _("Trainings"),
                     "chart": _("Completion rate by group (bar chart; the values are in "
                                "the table above)"),
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
    kind, about = subject(report)
    sections = [("total", [report["total"]])] + [(d, report[f"by_{d}"]) for d in DIMENSIONS]
    if "trainings" in report:
        sections.append(("trainings", report["trainings"]))
    context = {"report": report, "about": about, "kind": kind, "sections": sections,
               "labels": bilingual_labels(), "measures": list(MEASURES),
               "rates": RATE_MEASURES,
               "charts": {d: chart(rows, "completion_rate") for d, rows in sections
                          if d != "total"}}
    title = f"{about['title']['en']} — evaluation report"
    return pdf.render_pdf("pdf/evaluation_report.html", context, title=title, lang="id")


def report_file(report: dict, fmt: str, lang: str) -> tuple[bytes, str, str]:
    """The report as a file: ``(content, filename, mimetype)`` for ``xlsx`` or ``pdf``."""
    from ...exports import XLSX_MIMETYPE, xlsx_bytes
    kind, about = subject(report)
    name = (f"programme-report-{about['id']}" if kind == "programme"
            else f"evaluation-report-{about['id']}")
    if fmt == "xlsx":
        header, rows = report_table(report, lang)
        with force_locale(lang):
            title = _("Report")
        return xlsx_bytes(header, rows, title=str(title)), f"{name}.xlsx", XLSX_MIMETYPE
    return report_pdf(report), f"{name}.pdf", "application/pdf"
