"""A facilitator takes the roll call with the keyboard only; the pages pass axe's checks."""
from pathlib import Path

from playwright.sync_api import expect
from sqlalchemy import select

from trainings.attendance.models import AttendanceRecord
from trainings.extensions import db
from trainings.scheduling.models import TrainingSession

from ..factories import PASSWORD, enrolment, training, user
from .conftest import axe_violations, log_in

SHOTS = Path(__file__).parent.parent.parent / "instance" / "screenshots"


def test_keyboard_roll_call_import_and_matrix(live_server, page, browser):
    organiser = user("organiser", language="en")
    facilitator = user("facilitator", language="en", name="Ratna Widyaningsih")
    course = training(organiser=organiser, sessions=3)
    session = db.session.get(TrainingSession, course.sessions[0].id)
    session.facilitators.append(facilitator)
    people = [enrolment(course, name=n, email=e, country=c, commit=False) for n, e, c in [
        ("Siti Nurhalizah", "siti.nurhalizah@example.org", "ID"),
        ("Çağla Demir", "cagla.demir@example.org", "MY"),
        ("زینب بی بی", "zainab.bibi@example.org", "PK")]]
    db.session.commit()
    ids = {p.name: p.id for p in people}
    session_id = session.id
    base = live_server.live_url

    log_in(page, base, facilitator.email, PASSWORD)
    page.goto(f"{base}/sessions/{session_id}/attendance")
    assert page.get_by_role("heading", level=1).inner_text() == "Roll call"
    assert axe_violations(page) == []

    # Keyboard only: focus Çağla's "Present", arrow to "Late", tab to her note and type.
    # Leaving her status group saves it (static/js/attendance.js), announced in a live region.
    status_line = page.locator("#autosave-status")
    cagla = page.get_by_role("group", name="Attendance of Çağla Demir")
    cagla.get_by_label("Present").focus()
    page.keyboard.press("Space")
    page.keyboard.press("ArrowRight")
    assert cagla.get_by_label("Late").is_checked()
    page.keyboard.press("Tab")
    page.keyboard.type("Koneksi putus-putus")
    page.keyboard.press("Tab")  # leaving the note saves it
    expect(page.locator(f"input[name='orig-note-{ids['Çağla Demir']}']")).to_have_value(
        "Koneksi putus-putus")
    expect(status_line).to_contain_text("Saved")  # announced ("Saved 1 change (Çağla Demir)")
    assert "Late" in page.locator(f"#last-{ids['Çağla Demir']}").inner_text()

    def saved():
        db.session.expire_all()
        return dict(db.session.execute(
            select(AttendanceRecord.enrolment_id, AttendanceRecord.status)
            .where(AttendanceRecord.session_id == session_id)).all())
    assert saved() == {ids["Çağla Demir"]: "late"}

    # Without JavaScript the same page works: the button posts only what changed.
    plain = browser.new_context(java_script_enabled=False, locale="en-GB")
    other = plain.new_page()
    log_in(other, base, facilitator.email, PASSWORD)
    other.goto(f"{base}/sessions/{session_id}/attendance")
    other.get_by_role("group", name="Attendance of Siti Nurhalizah").get_by_label("Excused").focus()
    other.keyboard.press("Space")
    other.get_by_role("button", name="Save changes").focus()
    with other.expect_navigation():
        other.keyboard.press("Enter")
    assert "Saved 1 change" in other.locator(".flashes").inner_text()
    plain.close()
    assert saved() == {ids["Çağla Demir"]: "late", ids["Siti Nurhalizah"]: "excused"}
    page.reload()
    assert page.get_by_label("Note for Çağla Demir").input_value() == "Koneksi putus-putus"

    # "Mark all present" leaves the two marked people alone.
    page.get_by_role("button", name="Mark all present").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    db.session.expire_all()
    got = dict(db.session.execute(select(AttendanceRecord.enrolment_id, AttendanceRecord.status)
                                  .where(AttendanceRecord.session_id == session_id)).all())
    assert got == {ids["Siti Nurhalizah"]: "excused", ids["Çağla Demir"]: "late",
                   ids["زینب بی بی"]: "present"}
    assert axe_violations(page) == []
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "roll_call.png"), full_page=True)

    # Import: upload, preview (nothing written yet), then the audit trail.
    page.goto(f"{base}/sessions/{session_id}/attendance/import")
    assert axe_violations(page) == []
    sample = Path(__file__).parent.parent / "data" / "attendance" / "zoom_participants.csv"
    page.get_by_label("Participant report").set_input_files(str(sample))
    with page.expect_navigation():
        page.get_by_role("button", name="Upload and preview").click()
    assert page.get_by_role("heading", name="Preview").is_visible()
    assert page.get_by_text("Budi (Android)").first.is_visible()
    assert axe_violations(page) == []
    page.screenshot(path=str(SHOTS / "import_preview.png"), full_page=True)
    with page.expect_navigation():
        page.get_by_role("button", name="Apply to the roll call").click()
    assert "Report applied" in page.locator(".flashes").inner_text()
    page.goto(f"{base}/sessions/{session_id}/attendance/audit")
    assert page.get_by_text("zoom_participants.csv").first.is_visible()
    assert axe_violations(page) == []

    # The organiser's matrix links each session to its roll call.
    page.goto(base + "/login")
    page.context.clear_cookies()
    log_in(page, base, organiser.email, PASSWORD)
    page.goto(f"{base}/trainings/{course.id}/attendance")
    assert page.get_by_role("heading", level=1).inner_text() == "Attendance"
    assert page.get_by_role("link", name="S1").get_attribute("href").endswith(
        f"/sessions/{session_id}/attendance")
    assert axe_violations(page) == []
    page.screenshot(path=str(SHOTS / "matrix.png"), full_page=True)
