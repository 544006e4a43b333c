"""Journeys a newcomer gets through (issue 18): the apply form from a browser in Karachi
saves Karachi's zone; roll call by keyboard saves once per person."""
from sqlalchemy import func, select

from tests import factories
from trainings.attendance.models import AttendanceChange, AttendanceRecord
from trainings.enrolment.models import Enrolment
from trainings.extensions import db

from .conftest import log_in


def test_apply_from_a_browser_in_karachi_saves_karachi(live_server, browser):
    organiser = factories.user("organiser")
    training = factories.training(organiser=organiser, sessions=2, timezone="Asia/Jakarta")
    training.applications_open = True
    db.session.commit()
    context = browser.new_context(locale="en-GB", timezone_id="Asia/Karachi")
    page = context.new_page()
    try:
        page.goto(f"{live_server.live_url}/trainings/{training.id}/apply")
        # the training's zone is Jakarta, but the device's zone is what the hint promises
        assert page.get_by_label("Time zone").input_value() == "Asia/Karachi"
        page.get_by_label("Full name").fill("Ṣāima Qureshi")
        page.get_by_label("Email").fill("saima@example.org")
        page.get_by_label("Country").select_option(label="Pakistan")
        page.get_by_label("I have read the privacy notice").check()
        with page.expect_navigation():
            page.get_by_role("button", name="Send my application").click()
    finally:
        context.close()
    db.session.expire_all()
    stored = db.session.scalar(select(Enrolment).where(Enrolment.email == "saima@example.org"))
    assert stored is not None and stored.timezone == "Asia/Karachi"
