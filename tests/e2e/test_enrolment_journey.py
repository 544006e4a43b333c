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
                                  title_en="Women's Leadership", applications_open=True)
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


def test_organiser_imports_and_manages_the_list(live_server, page):
    import os
    from pathlib import Path

    from .conftest import log_in
    organiser = factories.user("organiser", language="en")
    training = factories.training(organiser=organiser, capacity=3, quotas={"ID": 1, "MY": 1},
                                  title_en="Women's Leadership")
    base = live_server.live_url
    log_in(page, base, organiser.email, factories.PASSWORD)

    page.goto(f"{base}/trainings/{training.id}/participants")
    assert page.get_by_role("heading", level=1).inner_text() == "Participants"
    assert axe_violations(page) == []

    page.get_by_role("link", name="Import participants from CSV or XLSX").click()
    sample = Path(__file__).parent.parent / "data" / "enrolment" / "participants.csv"
    page.get_by_label("CSV or XLSX file").set_input_files(str(sample))
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_load_state()
    assert page.get_by_text("New: 4").is_visible()
    assert axe_violations(page) == []
    if os.environ.get("ANYAM_SCREENSHOTS"):
        page.screenshot(path=os.environ["ANYAM_SCREENSHOTS"] + "/import.png", full_page=True)
    page.get_by_role("button", name="Import 4 participants").click()
    page.wait_for_load_state()
    assert page.get_by_text("Imported 4 participants: 3 accepted, 1 on the waiting list.").is_visible()

    # Siti (Indonesia) withdraws: Ayu, waiting for Indonesia's single place, moves up.
    # Withdrawing is confirmed on a page of its own, which says who gets a mail.
    page.get_by_role("button", name="Withdraw: Siti Rahmawati").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Withdraw Siti Rahmawati?"
    assert page.get_by_label("Send Siti Rahmawati a mail about it").is_checked()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Withdraw", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_text("Moved up from the waiting list: Ni Luh Putu Ayu Lestari.").is_visible()
    assert axe_violations(page) == []
    if os.environ.get("ANYAM_SCREENSHOTS"):
        page.screenshot(path=os.environ["ANYAM_SCREENSHOTS"] + "/participants.png", full_page=True)
