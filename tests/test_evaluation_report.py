"""The donor report: numbers, disaggregation, small-cell suppression in every output."""
import io

import pytest
from openpyxl import load_workbook

from trainings.attendance.models import AttendanceRecord
from trainings.evaluation import services
from trainings.extensions import db

from .evaluation_helpers import feedback_data, make_test_data, survey


@pytest.fixture
def setup(make):
    organiser = make.user("organiser")
    training = make.training(organiser=organiser, sessions=2, certificate_rule={"min_sessions": 1})
    # 7 from Indonesia (6 women), 3 from Malaysia
    people = [make.enrolment(training, country="ID") for _ in range(7)]
    people += [make.enrolment(training, country="MY") for _ in range(3)]
    for i, person in enumerate(people):
        services.set_demographics(person, {
            "demographics_consent": True, "gender": "woman" if i < 6 else "man",
            "washington_group": {"seeing": "a_lot_of_difficulty" if i == 0 else "no_difficulty"}},
            actor=None)
        db.session.add(AttendanceRecord(session_id=training.sessions[0].id, enrolment_id=person.id,
                                        status="present" if i < 8 else "absent"))
    db.session.commit()
    return {"organiser": organiser, "training": training, "people": people}


def test_counts_and_small_cells(setup):
    training, people = setup["training"], setup["people"]
    fb = survey(training, setup["organiser"], feedback_data())
    pre = survey(training, setup["organiser"], make_test_data("pre_test"))
    post = survey(training, setup["organiser"], make_test_data("post_test"))
    for p in people:
        services.submit_response(fb, p, {"q1": 4}, actor=None)
        services.submit_response(pre, p, {"k1": 0, "k2": [1]}, actor=None)
        services.submit_response(post, p, {"k1": 1, "k2": [0, 2]}, actor=None)
    report = services.build_report(training)
    assert report["reach"]["participants"] == 10 and report["reach"]["countries"] == 2
    total = report["total"]
    assert total["completed"] == 8 and total["completion_rate"] == 0.8
    assert total["satisfaction"] == 4.0 and total["knowledge_gain"] == 1.0
    by_country = {r["key"]: r for r in report["by_country"]}
    assert by_country["MY"]["participants"] == "<5"
    assert by_country["MY"]["completed"] == "<5" and by_country["MY"]["satisfaction"] == "<5"
    assert by_country["MY"]["knowledge_gain"] == "<5"
    # complementary suppression: with two groups, 10 - 7 would give Malaysia's 3 back
    assert by_country["ID"]["participants"] == "<5" and by_country["ID"]["completion_rate"] == "<5"
    # and so are the rates and means that would give a hidden count back with the totals
    assert by_country["ID"]["completed"] == "<5" and by_country["ID"]["satisfaction"] == "<5"
    assert by_country["ID"]["knowledge_gain"] == "<5"
    # a mean over 7 people that gives no count back stays (each attended 1 of 2 sessions)
    assert by_country["ID"]["attendance_rate"] == 0.5
    by_gender = {r["key"]: r for r in report["by_gender"]}
    assert by_gender["woman"]["participants"] == "<5" and by_gender["man"]["participants"] == "<5"
    by_disability = {r["key"]: r for r in report["by_disability"]}
    assert by_disability["yes"]["participants"] == "<5"
    assert by_disability["no"]["participants"] == "<5"  # 10 - 9 = 1


def _every_value(obj):
    if isinstance(obj, dict):
        for value in obj.values():
            yield from _every_value(value)
    elif isinstance(obj, list):
        for value in obj:
            yield from _every_value(value)
    else:
        yield obj


def test_no_output_carries_a_count_under_five(setup, app):
    report = services.build_report(setup["training"])
    for dimension in ("by_country", "by_gender", "by_disability"):
        for row in report[dimension]:
            for key in ("participants", "completed", "with_plan", "satisfaction_responses",
                        "paired_tests", "commitments", "commitments_done"):
                assert row[key] == "<5" or row[key] >= 5
    header, rows = services.report_table(report, "en")
    workbook = load_workbook(io.BytesIO(__import__("trainings.exports", fromlist=["x"]).xlsx_bytes(header, rows)))
    cells = [c for row in workbook.active.iter_rows(min_row=2, values_only=True) for c in row[2:]]
    counts = [c for c, name in zip(cells, header[2:] * len(rows), strict=False)
              if name in ("Participants", "Completed")]
    assert all(c == "<5" or c >= 5 for c in counts)
    assert "<5" in cells


def test_pdf_is_bilingual_and_suppressed(setup, app):
    from pypdf import PdfReader
    data = services.report_pdf(services.build_report(setup["training"]))
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert "Jangkauan" in text and "Reach" in text
    assert "Malaysia" in text and "<5" in text


def test_the_training_report_pdf_is_tagged(setup, app, tmp_path):
    from .test_pdf_tagging import check_tagged
    data = services.report_pdf(services.build_report(setup["training"]))
    kinds = check_tagged(data, tmp_path, "training-report", languages={"id", "en"})
    assert "/Figure" in kinds  # the chart's bars, each with its text alternative
