"""A participant answers a feedback survey by keyboard only, in Indonesian, on a phone-sized
screen: first with a required answer missing (an error next to the question, nothing
saved), then completely. Both pages pass axe's WCAG 2.1 AA checks."""
from sqlalchemy import func, select

from tests import factories
from tests.evaluation_helpers import feedback_data
from trainings.evaluation import services
from trainings.evaluation.models import SurveyResponse
from trainings.extensions import db

from .conftest import axe_violations, log_in


def test_participant_answers_a_survey_by_keyboard_in_indonesian(live_server, page):
    organiser = factories.user("organiser")
    training = factories.training(organiser=organiser, sessions=2)
    siti = factories.user(name="Siti Rahmawati", language="id")
    factories.enrolment(training, user=siti)
    data = feedback_data()
    data["title"] = {"id": "Umpan balik", "en": "Feedback"}
    data["questions"][0]["text"] = {"id": "Seberapa bermanfaat?", "en": "How useful?"}
    survey = services.create_survey(training, data, actor=organiser)
    db.session.commit()
    base = live_server.live_url
    page.set_viewport_size({"width": 320, "height": 640})

    log_in(page, base, siti.email, factories.PASSWORD)
    page.goto(f"{base}/surveys/{survey.id}")
    assert page.get_by_role("heading", level=1).inner_text() == "Umpan balik"
    assert page.locator("html").get_attribute("lang") == "id"
    # no sideways scrolling at 320 px
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert axe_violations(page) == []

    # keyboard only: the first choice of question 2, then send with question 1 unanswered
    page.locator("#q-q2-0").focus()
    page.keyboard.press("Space")
    page.locator("#q-q3").focus()
    page.keyboard.type("Diskusinya bagus")
    page.keyboard.press("Tab")  # to the send button
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("heading", name="Mohon perbaiki hal berikut").is_visible()
    assert page.get_by_text("Pertanyaan ini perlu dijawab.").first.is_visible()
    assert page.locator("#q-q2-0").is_checked()  # what was given is kept
    assert axe_violations(page) == []
    assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 0

    # radio group by arrows: focus the scale, move from 1 to 4
    page.locator("#q-q1-1").focus()
    page.keyboard.press("Space")
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    assert page.locator("#q-q1-4").is_checked()
    page.get_by_role("button", name="Kirim jawaban saya").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_text("Terima kasih: jawaban Anda tersimpan.").is_visible()
    assert axe_violations(page) == []
    db.session.expire_all()
    stored = db.session.scalars(select(SurveyResponse)).one()
    assert stored.answers == {"q1": 4, "q2": [0], "q3": "Diskusinya bagus"}


def test_organiser_pages_pass_axe_and_fit_a_phone(live_server, page):
    organiser = factories.user("organiser", language="en")
    training = factories.training(organiser=organiser, sessions=2)
    people = [factories.enrolment(training, country=c) for c in ("ID",) * 6 + ("MY",)]
    survey = services.create_survey(training, feedback_data(), actor=organiser)
    for person in people[:5]:
        services.submit_response(survey, person, {"q1": 4, "q2": [1]}, actor=None)
    services.add_commitments(people[0], [{"text": "Train paralegals", "due": "2024-03-31"}], actor=None)
    db.session.commit()
    base = live_server.live_url
    page.set_viewport_size({"width": 320, "height": 640})
    log_in(page, base, organiser.email, factories.PASSWORD)
    for path in (f"/trainings/{training.id}/surveys", f"/surveys/{survey.id}/results",
                 f"/surveys/{survey.id}/edit", f"/trainings/{training.id}/action-plans",
                 f"/trainings/{training.id}/evaluation-report"):
        page.goto(base + path)
        assert page.get_by_role("heading", level=1).is_visible(), path
        assert axe_violations(page) == [], path
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path


def test_participant_pages_pass_axe(live_server, page):
    organiser = factories.user("organiser")
    training = factories.training(organiser=organiser, sessions=2)
    siti = factories.user(name="Siti Rahmawati", language="id")
    enrolment = factories.enrolment(training, user=siti)
    services.create_survey(training, feedback_data(required_for_certificate=True), actor=organiser)
    services.add_commitments(enrolment, [{"text": "Latih paralegal", "due": "2024-03-31"}], actor=None)
    db.session.commit()
    base = live_server.live_url
    page.set_viewport_size({"width": 320, "height": 640})
    log_in(page, base, siti.email, factories.PASSWORD)
    for path in (f"/trainings/{training.id}/my-surveys", f"/trainings/{training.id}/my-action-plan",
                 f"/trainings/{training.id}/about-you"):
        page.goto(base + path)
        assert axe_violations(page) == [], path
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path
    # consent is required: an error next to the box, nothing stored
    page.get_by_label("Perempuan").check()
    page.get_by_role("button", name="Simpan").click()
    page.wait_for_load_state()
    assert page.get_by_role("alert").is_visible()
    assert axe_violations(page) == []
    assert services.demographics_of(enrolment) is None


def test_programme_report_and_dashboard_pass_axe_and_fit_a_phone(live_server, page):
    from trainings.programmes import services as programmes
    organiser = factories.user("organiser", language="en")
    trainings = [factories.training(organiser=organiser, sessions=2, title_en=f"Course {n}")
                 for n in (1, 2)]
    for training in trainings:
        people = [factories.enrolment(training, email=f"p{i}@example.org",
                                      country=("ID", "MY", "PK")[i % 3]) for i in range(7)]
        survey = services.create_survey(training, feedback_data(), actor=organiser)
        for person in people[:6]:
            services.submit_response(survey, person, {"q1": 4, "q2": [1]}, actor=None)
    programme = programmes.create_programme(
        {"title": {"id": "Program panjang kepemimpinan perempuan", "en": "A long programme title"},
         "trainings": [t.id for t in trainings]}, actor=organiser)
    db.session.commit()
    base = live_server.live_url
    page.set_viewport_size({"width": 320, "height": 640})
    log_in(page, base, organiser.email, factories.PASSWORD)
    page.goto(base + f"/programmes/{programme.id}")
    page.get_by_role("link", name="The programme's donor report").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Donor report"
    assert page.get_by_role("img", name="Completion rate by training").is_visible()
    for path in (f"/programmes/{programme.id}/report", f"/programmes/{programme.id}"):
        page.goto(base + path)
        assert axe_violations(page) == [], path
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path
