"""The donor report of a programme, without HTTP: people once by e-mail across trainings,
knowledge gain paired per training and combined, small cells and complementary
suppression, the per-training rows, the dashboard's headline, constant queries."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from trainings.attendance.models import AttendanceRecord
from trainings.evaluation import services
from trainings.extensions import db
from trainings.overview.dashboard import programme_dashboard
from trainings.programmes import services as programmes

from .evaluation_helpers import feedback_data, make_test_data, survey

RIGHT = {"k1": 1, "k2": [0, 2]}  # both correct: score 1
HALF = {"k1": 1, "k2": [1]}      # one of two: 0.5
WRONG = {"k1": 0, "k2": [1]}     # none: 0


def _present(training, people, present):
    for person in people:
        db.session.add(AttendanceRecord(session_id=training.sessions[0].id,
                                        enrolment_id=person.id,
                                        status="present" if person in present else "absent"))


@pytest.fixture
def network(make):
    """Training A: a1-a6 (Indonesia) and s1-s4 (Malaysia in A). Training B, made later:
    s1-s4 again (Pakistan there, so Pakistan is their latest country) and b1-b3 (Malaysia).
    13 people, 17 enrolments."""
    organiser = make.user("organiser")
    rule = {"min_sessions": 1}
    a = make.training(organiser=organiser, sessions=2, certificate_rule=rule, title_en="A")
    b = make.training(organiser=organiser, sessions=2, certificate_rule=rule, title_en="B")
    only_a = [make.enrolment(a, email=f"a{i}@example.org", country="ID") for i in range(1, 7)]
    shared_a = [make.enrolment(a, email=f"s{i}@example.org", country="MY") for i in range(1, 5)]
    shared_b = [make.enrolment(b, email=f"S{i}@Example.org", country="PK") for i in range(1, 5)]
    only_b = [make.enrolment(b, email=f"b{i}@example.org", country="MY") for i in range(1, 4)]
    make.enrolment(b, email="waiting@example.org", status="applied")
    # completion (one held session needed): a1-a5 in A; s1, s2 and b1-b3 in B
    _present(a, only_a + shared_a, only_a[:5])
    _present(b, shared_b + only_b, shared_b[:2] + only_b)
    for i, person in enumerate(only_a + shared_a):  # consented demographics, in A only
        services.set_demographics(person, {
            "demographics_consent": True, "gender": "woman",
            "washington_group": {"seeing": "a_lot_of_difficulty" if i == 0 else "no_difficulty"}},
            actor=None)
    db.session.commit()
    programme = programmes.create_programme(
        {"title": {"id": "Program", "en": "Programme"}, "trainings": [a.id, b.id]},
        actor=organiser)
    db.session.commit()
    return {"organiser": organiser, "a": a, "b": b, "only_a": only_a, "shared_a": shared_a,
            "shared_b": shared_b, "only_b": only_b, "programme": programme}


def _evaluate(n):
    o, a, b = n["organiser"], n["a"], n["b"]
    pre_a = survey(a, o, make_test_data("pre_test"))
    post_a = survey(a, o, make_test_data("post_test"))
    pre_b = survey(b, o, make_test_data("pre_test"))
    post_b = survey(b, o, make_test_data("post_test"))
    for person in n["only_a"] + n["shared_a"]:
        services.submit_response(pre_a, person, WRONG, actor=None)
        if person is not n["only_a"][5]:  # a6: pre-test only, unpaired
            services.submit_response(post_a, person, RIGHT, actor=None)
    for person in n["shared_b"] + n["only_b"]:
        services.submit_response(pre_b, person, HALF, actor=None)
    for person in n["shared_b"]:  # b1-b3: pre-test only, unpaired
        services.submit_response(post_b, person, RIGHT, actor=None)
    named = survey(a, o, feedback_data())
    for person in n["only_a"]:
        services.submit_response(named, person, {"q1": 4}, actor=None)
    for person in n["shared_a"]:
        services.submit_response(named, person, {"q1": 2}, actor=None)
    anonymous = survey(b, o, feedback_data(anonymous=True))
    for person in n["only_b"] + n["shared_b"][:2]:
        services.submit_response(anonymous, person, {"q1": 5}, actor=None)
    for i, person in enumerate(n["only_a"][:5]):
        plan = services.add_commitments(person, [{"text": f"Plan {i}", "due": "2024-03-01"}],
                                        actor=None)
        if i < 3:
            services.update_commitment(plan.commitments[0], {"status": "done", "note": "ok"},
                                       actor=None)
    services.add_commitments(n["shared_b"][0], [{"text": "One", "due": "2024-03-01"},
                                                {"text": "Two", "due": "2024-04-01"}], actor=None)
    db.session.commit()


def _by_key(rows):
    return {r["key"]: r for r in rows}


def test_people_are_counted_once_and_the_numbers_match_the_hand_count(network):
    _evaluate(network)
    report = services.build_programme_report(network["programme"])
    assert report["programme"]["title"] == {"id": "Program", "en": "Programme"}
    assert report["reach"] == {"enrolments": 18, "participants": 13, "countries": 3,
                               "feedback_responses": 15, "commitments": 7, "trainings": 2}
    total = report["total"]
    assert total["participants"] == 13
    assert total["completed"] == 10 and total["completion_rate"] == round(10 / 13, 4)
    # every feedback response, anonymous ones too: (6*4 + 4*2 + 5*5) / 15
    assert total["satisfaction"] == 3.8 and total["satisfaction_responses"] == 15
    # pairs per training: 9 in A (0 -> 1), 4 in B (0.5 -> 1); 9 people (s1-s4 once)
    assert total["knowledge_gain"] == round(11 / 13, 2) and total["paired_tests"] == 9
    assert total["with_plan"] == 6 and total["commitments"] == 7
    assert total["commitments_done"] == "<5"  # 3 done


def test_a_persons_country_is_their_latest_and_small_groups_are_hidden(network):
    _evaluate(network)
    report = services.build_programme_report(network["programme"])
    by_country = _by_key(report["by_country"])
    assert set(by_country) == {"ID", "MY", "PK"}
    # Indonesia: a1-a6; Pakistan: s1-s4 (latest enrolment); Malaysia: b1-b3 only
    assert by_country["ID"]["participants"] == 6 and by_country["ID"]["completed"] == 5
    assert by_country["ID"]["satisfaction"] == 4.0 and by_country["ID"]["knowledge_gain"] == 1.0
    assert by_country["ID"]["with_plan"] == 5
    for code in ("MY", "PK"):
        assert by_country[code]["participants"] == "<5"
        assert by_country[code]["satisfaction"] == "<5"
        assert by_country[code]["knowledge_gain"] == "<5"


def test_complementary_suppression_hides_what_a_total_would_give_back(network):
    _evaluate(network)
    report = services.build_programme_report(network["programme"])
    # gender: 10 women (consented in A), 3 not stated: 13 - 10 would give the 3 back
    by_gender = _by_key(report["by_gender"])
    assert by_gender["not_stated"]["participants"] == "<5"
    assert by_gender["woman"]["participants"] == "<5"
    assert by_gender["woman"]["completion_rate"] == "<5"
    # disability: yes 1, not stated 3, no 9: two groups hidden already, "no" stays
    by_disability = _by_key(report["by_disability"])
    assert by_disability["yes"]["participants"] == "<5"
    assert by_disability["not_stated"]["participants"] == "<5"
    assert by_disability["no"]["participants"] == 9


def test_protect_of_overlapping_rows_hides_only_what_a_bound_gives_back():
    measures = services.protect.__globals__["ADDITIVE"]
    total = {m: 10 for m in measures}

    def rows():
        made = [{m: 10 for m in measures}, {m: "<5" for m in measures}]
        for row in made:
            row.update(completion_rate=0.5, satisfaction=4.0, knowledge_gain=0.2)
        return made
    kept = services.protect(total, rows(), overlapping=True)  # 10 - 10: B >= 0, nothing
    assert kept[0]["participants"] == 10 and kept[0]["completion_rate"] == 0.5
    hidden = services.protect(total, rows())  # a partition: 10 - 10 says B is 0
    assert hidden[0]["participants"] == "<5" and hidden[0]["completion_rate"] == "<5"
    total["completed"] = 12  # 12 - 10: B has at least 2
    bounded = services.protect(total, rows(), overlapping=True)
    assert bounded[0]["completed"] == "<5" and bounded[0]["participants"] == 10


def test_protect_hides_the_next_smallest_and_what_depends_on_it():
    total = {m: 20 for m in services.protect.__globals__["ADDITIVE"]}
    rows = [{"participants": 3, "completed": 3}, {"participants": 8, "completed": 6},
            {"participants": 9, "completed": 7}]
    for row in rows:
        row.update({m: 0 for m in ("satisfaction_responses", "paired_tests", "with_plan",
                                   "commitments", "commitments_done")})
        row["completion_rate"] = 0.75
    rows[0]["participants"] = rows[0]["completed"] = "<5"
    services.protect(total, rows)
    assert [r["participants"] for r in rows] == ["<5", "<5", 9]
    assert [r["completed"] for r in rows] == ["<5", "<5", 7]
    assert [r["completion_rate"] for r in rows] == ["<5", "<5", 0.75]
    # nothing to protect when the total itself is hidden or two groups are hidden already
    again = [{"participants": "<5"}, {"participants": "<5"}, {"participants": 9}]
    for row in again:
        row.update({m: 5 for m in services.protect.__globals__["ADDITIVE"]
                    if m != "participants"}, completion_rate=1)
    services.protect(total, again)
    assert [r["participants"] for r in again] == ["<5", "<5", 9]


def test_each_training_has_its_own_row(network):
    _evaluate(network)
    report = services.build_programme_report(network["programme"])
    rows = {r["id"]: r for r in report["trainings"]}
    a, b = rows[network["a"].id], rows[network["b"].id]
    assert a["label"]["en"] == "A" and a["participants"] == 10 and b["participants"] == 7
    assert a["completed"] == 5 and a["completion_rate"] == 0.5
    assert b["completed"] == 5 and b["completion_rate"] == round(5 / 7, 4)
    assert a["satisfaction"] == 3.2 and b["satisfaction"] == 5.0  # B: anonymous only
    # B's 4 pairs are hidden; the trainings share s1-s4, so the total (9 people) minus A's 9
    # gives nothing back (B has at least 0): A's stay
    assert b["paired_tests"] == "<5" and b["knowledge_gain"] == "<5"
    assert a["paired_tests"] == 9 and a["knowledge_gain"] == 1.0
    # plans: 6 people in all, 5 in A, so B has at least 1: A's count is hidden too
    assert b["with_plan"] == "<5" and a["with_plan"] == "<5"


def test_anonymous_feedback_counts_only_in_totals(network):
    _evaluate(network)
    report = services.build_programme_report(network["programme"])
    assert _by_key(report["by_country"])["MY"]["satisfaction_responses"] == "<5"
    # b1-b3 answered only the anonymous survey: nothing links it to them
    text = repr(report)
    assert "b1@example.org" not in text and "S1@" not in text


def test_the_training_report_is_the_same_code_on_one_training(network):
    _evaluate(network)
    report = services.build_report(network["a"])
    assert report["training"]["id"] == network["a"].id and "trainings" not in report
    assert report["total"]["participants"] == 10 and report["total"]["knowledge_gain"] == 1.0
    assert report["total"]["satisfaction"] == 3.2


def test_files_are_formula_safe_and_the_pdf_is_tagged_and_bilingual(network, app, tmp_path):
    from .test_pdf_tagging import check_tagged
    _evaluate(network)
    network["b"].title_en = "=HYPERLINK(\"http://evil\")"
    db.session.commit()
    report = services.build_programme_report(network["programme"])
    data, name, _mime = services.report_file(report, "xlsx", "id")
    assert name == f"programme-report-{network['programme'].id}.xlsx"
    sheet = load_workbook(io.BytesIO(data)).active
    cells = [c.value for row in sheet.iter_rows() for c in row]
    assert "Menurut pelatihan" in cells  # the breakdown "By training", in Indonesian
    assert not any(isinstance(c, str) and c.startswith("=") for c in cells)
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    pdf, name, mime = services.report_file(report, "pdf", "en")
    assert mime == "application/pdf" and name.endswith(".pdf")
    check_tagged(pdf, tmp_path, "programme-report", languages={"id", "en"})
    from pypdf import PdfReader
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Jangkauan" in text and "Reach" in text and "Programme" in text
    assert "Menurut pelatihan" in text and "By training" in text


def test_the_dashboard_headline_is_suppressed(network):
    _evaluate(network)
    data = programme_dashboard(network["programme"])["evaluation"]
    assert data["satisfaction"] == 3.8 and data["satisfaction_responses"] == 15
    assert data["knowledge_gain"] == round(11 / 13, 2) and data["paired_tests"] == 9
    assert data["with_plan"] == 6 and data["commitments"] == 7
    assert data["commitments_done"] == "<5" and data["commitments_in_progress"] == "<5"
    empty = programmes.create_programme({"title": {"id": "K", "en": "E"}, "trainings": []},
                                        actor=network["organiser"])
    assert programme_dashboard(empty)["evaluation"] is None


def _programme_of(make, n_trainings, people):
    organiser = make.user("organiser")
    trainings = []
    for t in range(n_trainings):
        training = make.training(organiser=organiser, sessions=2,
                                 certificate_rule={"min_sessions": 1})
        enrolments = [make.enrolment(training, email=f"x{t}-{i}@example.org",
                                     country=["ID", "MY", "PK"][i % 3]) for i in range(people)]
        _present(training, enrolments, enrolments[::2])
        pre = survey(training, organiser, make_test_data("pre_test"))
        post = survey(training, organiser, make_test_data("post_test"))
        fb = survey(training, organiser, feedback_data())
        for person in enrolments:
            services.submit_response(pre, person, WRONG, actor=None)
            services.submit_response(post, person, RIGHT, actor=None)
            services.submit_response(fb, person, {"q1": 4}, actor=None)
            services.add_commitments(person, [{"text": "A plan", "due": "2024-03-01"}],
                                     actor=None)
        trainings.append(training)
    db.session.commit()
    programme = programmes.create_programme(
        {"title": {"id": "P", "en": "P"}, "trainings": [t.id for t in trainings]},
        actor=organiser)
    db.session.commit()
    return programme


def test_queries_do_not_grow_with_trainings_and_people(make, count_queries):
    small, large = _programme_of(make, 2, 3), _programme_of(make, 6, 7)
    counts = []
    for programme in (small, large):
        db.session.expire_all()
        with count_queries() as counter:
            report = services.build_programme_report(programme)
        counts.append(counter.count)
        db.session.expire_all()
        with count_queries() as counter:
            headline = services.headline([t.id for t in programme.trainings])
        counts.append(counter.count)
    assert counts[0] == counts[2] and counts[1] == counts[3], counts
    assert report["total"]["participants"] == 42 and headline["paired_tests"] == 42


def test_the_demo_programme_has_a_report_worth_reading(app):
    from trainings.demo import load_demo
    from trainings.programmes.models import Programme
    course, _created = load_demo()
    db.session.commit()
    (programme,) = db.session.scalars(db.select(Programme))
    report = services.build_programme_report(programme)
    # the clinic enrols the course's people again: 30 people, not 60
    assert report["reach"]["participants"] == 30 and report["reach"]["trainings"] == 2
    assert report["reach"]["enrolments"] > 30
    total = report["total"]
    for measure in ("completed", "satisfaction", "knowledge_gain", "with_plan",
                    "commitments_done"):
        assert isinstance(total[measure], (int, float)), measure
    assert {r["key"] for r in report["by_country"]} == {"ID", "MY", "PK"}
    assert all(isinstance(r["participants"], int) for r in report["by_country"])
    rows = {r["id"]: r for r in report["trainings"]}
    assert isinstance(rows[course.id]["completed"], int)
    assert isinstance(rows[course.id]["knowledge_gain"], float)
    assert "<5" in repr(report["by_gender"])  # small groups stay hidden in the demo too
