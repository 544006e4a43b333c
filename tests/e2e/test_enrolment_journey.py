"""A visitor applies through the public form to a full training and lands on the waiting
list; the form page (also with errors) passes axe's WCAG 2.1 AA checks."""
from sqlalchemy import select

from tests import factories
from trainings.enrolment.models import Enrolment
from trainings.extensions import db

from .conftest import axe_violations


def test_public_application_to_a_full_training_goes_to_the_waitlist(live_server, page):
    organiser = factories.user("organiser")
    training = factories.training(organiser=organiser, capacity=1, quotas={"PK": 1}, sessions=3,
                                  title_en="Women's Leadership")
    training.applications_open = True
    db.session.commit()
    factories.enrolment(training, country="PK", status="accepted")  # the only seat is taken
    base = live_server.live_url

    page.goto(f"{base}/trainings/{training.id}/apply")
    assert "Women's Leadership" in page.get_by_role("heading", level=1).inner_text()
    # the time zone is suggested from the browser (Asia/Jakarta in this browser context)
    assert page.get_by_label("Time zone").input_value() == "Asia/Jakarta"
    assert axe_violations(page) == []

    page.get_by_label("Full name").fill("Ayesha Siddiqui")
    page.get_by_label("Email").fill("Ayesha@Example.org")
    page.get_by_label("Country").select_option(label="Pakistan")
    page.get_by_label("Organisation").fill("Aurat March Collective")
    page.get_by_label("Sector").select_option("activist")
    page.get_by_label("Time zone").select_option("Asia/Karachi")
    page.get_by_label("Accessibility needs (optional)").fill("Live captions")
    page.get_by_role("button", name="Send my application").click()
    page.wait_for_load_state()

    # no consent to the privacy notice or the storing of the needs: errors, nothing saved
    assert page.get_by_role("heading", name="Please correct the following").is_visible()
    assert page.get_by_label("Full name").input_value() == "Ayesha Siddiqui"
    assert axe_violations(page) == []
    assert db.session.scalar(select(db.func.count()).select_from(Enrolment)) == 1

    page.get_by_label("I agree that the organisers and facilitators").check()
    page.get_by_label("I have read the privacy notice").check()
    page.get_by_role("button", name="Send my application").click()
    page.wait_for_load_state()

    assert page.get_by_text("You are on the waiting list.").is_visible()
    assert axe_violations(page) == []
    db.session.expire_all()
    stored = db.session.scalar(select(Enrolment).where(Enrolment.email == "ayesha@example.org"))
    assert stored.status == "waitlisted" and stored.country_code == "PK"
    assert stored.timezone == "Asia/Karachi" and stored.accessibility_needs == "Live captions"
