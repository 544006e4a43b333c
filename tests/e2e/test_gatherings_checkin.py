"""A facilitator checks people in: by name with the keyboard, by a scanned code while
offline (queued, sent when the connection returns); the vendored jsQR decodes our QR codes."""
import segno
from playwright.sync_api import expect
from sqlalchemy import select

from trainings.attendance.models import AttendanceChange
from trainings.extensions import db
from trainings.scheduling.models import TrainingSession

from ..factories import PASSWORD, enrolment, training, user
from .conftest import axe_violations, log_in


def test_checkin_by_name_offline_queue_and_qr_decoding(live_server, page):
    organiser = user("organiser", language="en")
    facilitator = user("facilitator", language="en")
    course = training(organiser=organiser, sessions=1)
    session = db.session.get(TrainingSession, course.sessions[0].id)
    session.mode, session.venue_name = "in_person", "Balai Temu Nusantara"
    session.facilitators.append(facilitator)
    siti = enrolment(course, name="Siti Nurhalizah", commit=False)
    zainab = enrolment(course, name="زینب بی بی", country="PK", commit=False)
    db.session.commit()
    session_id, zainab_code, siti_id, zainab_id = session.id, zainab.checkin_code, siti.id, zainab.id
    base = live_server.live_url

    log_in(page, base, facilitator.email, PASSWORD)
    page.goto(f"{base}/sessions/{session_id}/checkin")
    assert page.get_by_role("heading", level=1).inner_text() == "Check-in"
    assert axe_violations(page) == []
    page.set_viewport_size({"width": 320, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth <= 320")

    # by name, keyboard only
    page.get_by_label("Name or email").fill("siti")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Check in Siti Nurhalizah").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("main")).to_contain_text("Siti Nurhalizah is checked in.")

    # a scan while offline is kept, and sent when the connection returns
    page.context.set_offline(True)
    page.evaluate("code => window.anyamCheckIn(code)", zainab_code)
    expect(page.locator("#scan-status")).to_contain_text("Offline: 1")
    queued = page.evaluate(f"localStorage.getItem('anyam-checkin-queue-{session_id}')")
    assert zainab_code in queued
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#scan-log")).to_contain_text("is checked in")
    assert page.evaluate(f"localStorage.getItem('anyam-checkin-queue-{session_id}')") == "[]"

    db.session.expire_all()
    rows = db.session.execute(select(AttendanceChange.enrolment_id, AttendanceChange.source)
                              .where(AttendanceChange.session_id == session_id)).all()
    assert sorted(rows) == sorted([(siti_id, "checkin"), (zainab_id, "checkin")])

    # the vendored decoder reads the QR codes we print (badge, My schedule)
    uri = segno.make(zainab_code, error="m").png_data_uri(scale=6, border=4)
    decoded = page.evaluate("""uri => new Promise(resolve => {
        const img = new Image();
        img.onload = () => {
          const c = document.createElement('canvas'); c.width = img.width; c.height = img.height;
          const x = c.getContext('2d'); x.drawImage(img, 0, 0);
          const d = x.getImageData(0, 0, c.width, c.height);
          const found = window.jsQR(d.data, d.width, d.height);
          resolve(found ? found.data : null);
        };
        img.src = uri;
      })""", uri)
    assert decoded == zainab_code


def test_gathering_page_and_my_schedule_pass_axe(live_server, page):
    from trainings.enrolment.groups import services as groups
    organiser = user("organiser", language="en")
    course = training(organiser=organiser, sessions=0)
    from datetime import UTC, datetime, timedelta

    from ..factories import session as make_session
    upcoming = make_session(course, starts_at=datetime.now(UTC) + timedelta(days=3), commit=False)
    upcoming.mode, upcoming.venue_name = "hybrid", "Balai Temu Nusantara"
    upcoming.venue_accessibility_en = "Step-free entrance"
    upcoming.interpretation = ["id-en", "sign:BISINDO"]
    person = user(language="en")
    enrolment(course, user=person)
    groups.create_group(course, {"name": {"id": "Relevansi strategis", "en": "Strategic relevance"},
                                 "capacity": 5}, actor=organiser)
    db.session.commit()
    base = live_server.live_url

    log_in(page, base, person.email, PASSWORD)
    page.goto(f"{base}/trainings/{course.id}/gathering")
    with page.expect_navigation():
        page.get_by_role("button", name="Join Strategic relevance").click()
    expect(page.locator("main")).to_contain_text("You are in the group Strategic relevance.")
    assert axe_violations(page) == []
    page.goto(f"{base}/me/schedule")
    expect(page.locator("main")).to_contain_text("Sign language: BISINDO")
    expect(page.get_by_role("img", name="Your check-in QR code")).to_be_visible()
    assert axe_violations(page) == []
    page.set_viewport_size({"width": 320, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth <= 320")
