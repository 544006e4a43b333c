"""The rows of an applied report that matched no one, in a browser: reached from the
dashboard, usable at 320 px with the keyboard, no axe violations."""
from pathlib import Path

from sqlalchemy import select

from trainings.attendance import services
from trainings.attendance.models import AttendanceRecord
from trainings.extensions import db
from trainings.scheduling.models import TrainingSession

from ..factories import PASSWORD, enrolment, training, user
from .conftest import axe_violations, log_in

DATA = Path(__file__).parent.parent / "data" / "attendance"


def test_match_an_unmatched_row_from_the_dashboard(live_server, browser):
    organiser = user("organiser", language="en")
    course = training(organiser=organiser, sessions=2)
    session = db.session.get(TrainingSession, course.sessions[0].id)
    budi = enrolment(course, name="Budi Santoso", email="budi@example.org", country="ID")
    enrolment(course, name="Siti Nurhalizah", email="siti.nurhalizah@example.org", country="ID")
    staged = services.stage_import(session, (DATA / "zoom_participants.csv").read_bytes(),
                                   actor=organiser, filename="zoom.csv")
    services.apply_staged(session, staged, actor=organiser)
    db.session.commit()
    budi_id, session_id = budi.id, session.id
    base = live_server.live_url
    context = browser.new_context(locale="en-GB", timezone_id="Asia/Jakarta",
                                  viewport={"width": 320, "height": 640})
    page = context.new_page()
    try:
        log_in(page, base, organiser.email, PASSWORD)
        page.goto(f"{base}/dashboard")
        page.get_by_role("link", name="report rows matched no participant").click()
        assert page.get_by_role("heading", level=1).inner_text() == "Rows that matched no participant"
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
        assert axe_violations(page) == []
        choice = page.get_by_label("Participant for “Budi (Android)”")
        choice.focus()
        choice.select_option(label="Budi Santoso (ID) · Absent")
        page.keyboard.press("Tab")  # to its "Mark present" button
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "Row matched: the participant is marked present." in page.inner_text("main"), page.inner_text("main")
        assert page.get_by_text("Budi (Android)").count() == 0
        db.session.expire_all()
        assert db.session.scalar(select(AttendanceRecord.status).filter_by(
            session_id=session_id, enrolment_id=budi_id)) == "present"
        page.get_by_role("button", name="Dismiss “Ratna Widyaningsih”: not a participant").click()
        assert "Row dismissed: it is not a participant." in page.inner_text("body")
    finally:
        context.close()
