"""Journeys a newcomer gets through (issue 18): the apply form from a browser in Karachi
saves Karachi's zone; roll call by keyboard saves once per person; the calendar link is
copied with a button; a failed submit puts the focus on the error summary; form errors on
Indonesian pages contain no English."""
import re

from playwright.sync_api import expect
from sqlalchemy import func, select

from tests import factories
from trainings.attendance.models import AttendanceChange, AttendanceRecord
from trainings.enrolment.models import Enrolment
from trainings.extensions import db

from .conftest import log_in


def test_apply_from_a_browser_in_karachi_saves_karachi(live_server, browser):
    organiser = factories.user("organiser")
    training = factories.training(organiser=organiser, sessions=2, timezone="Asia/Jakarta",
                                  applications_open=True)
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


def test_keyboard_roll_call_saves_once_per_person(live_server, page):
    organiser = factories.user("organiser")
    facilitator = factories.user("facilitator")
    course = factories.training(organiser=organiser, facilitators=[facilitator], sessions=1)
    session = course.sessions[0]
    session.facilitators.append(facilitator)
    people = [factories.enrolment(course, name=n, commit=False)
              for n in ("Ana Putri", "Bima Sakti", "Citra Lestari")]
    db.session.commit()
    session_id, ids = session.id, [p.id for p in people]
    log_in(page, live_server.live_url, facilitator.email, factories.PASSWORD)
    page.goto(f"{live_server.live_url}/sessions/{session_id}/attendance")
    page.get_by_role("group", name="Attendance of Ana Putri").get_by_label("Present").focus()
    for name in ("Ana Putri", "Bima Sakti", "Citra Lestari"):
        page.keyboard.press("Space")  # Present
        for _ in range(3):  # Present → Late → Absent → Excused: three arrow presses
            page.keyboard.press("ArrowRight")
        page.keyboard.press("Tab")  # to the note: leaving the group saves it
        page.keyboard.press("Tab")  # to the next person's group
    page.wait_for_function(
        "ids => ids.every(id => document.querySelector(`input[name='orig-status-${id}']`).value"
        " === 'excused')", arg=ids)
    expect(page.locator("#autosave-status")).to_contain_text("Citra Lestari")  # announced
    db.session.expire_all()
    per_person = dict(db.session.execute(
        select(AttendanceChange.enrolment_id, func.count()).where(
            AttendanceChange.session_id == session_id).group_by(AttendanceChange.enrolment_id)).all())
    assert per_person == {i: 1 for i in ids}
    statuses = set(db.session.scalars(select(AttendanceRecord.status).where(
        AttendanceRecord.session_id == session_id)))
    assert statuses == {"excused"}


def test_the_calendar_link_is_copied_with_one_button(live_server, browser):
    """Issue 18, point 11: the private calendar link has a copy button (and webcal://)."""
    from trainings.scheduling import services as scheduling

    person = factories.user("participant")
    course = factories.training(organiser=factories.user("organiser"), sessions=1)
    factories.enrolment(course, user=person)
    scheduling.issue_calendar_token(person)
    db.session.commit()
    context = browser.new_context(locale="en-GB", timezone_id="Asia/Jakarta")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.live_url)
    page = context.new_page()
    try:
        log_in(page, live_server.live_url, person.email, factories.PASSWORD)
        page.goto(f"{live_server.live_url}/me/schedule")
        link = page.locator("#feed-url").inner_text().strip()
        assert "/me/calendar.ics?token=" in link
        assert page.get_by_role("link", name="Open in my calendar app").get_attribute(
            "href") == "webcal://" + link.split("://", 1)[1]
        page.get_by_role("button", name="Copy the link").click()
        expect(page.get_by_role("status").filter(has_text="Link copied.")).to_be_visible()
        assert page.evaluate("navigator.clipboard.readText()") == link
    finally:
        context.close()


def test_focus_moves_to_the_error_summary_after_a_failed_submit(live_server, page):
    """Issue 18, point 8: after a failed submit the error summary is focused (read first)."""
    training = factories.training(sessions=1, applications_open=True)
    db.session.commit()
    page.goto(f"{live_server.live_url}/trainings/{training.id}/apply")
    with page.expect_navigation():
        page.get_by_role("button", name="Send my application").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    # each error links to its field: Enter on the first one moves there
    summary.locator("a[href='#name']").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#name")).to_be_focused()


ENGLISH = re.compile(r"\b(this|field|is|are|required|invalid|please|must|enter|not|the|"
                     r"address|number|value)\b", re.I)


def _errors_in(page) -> str:
    texts = page.locator(".error-summary, .error, [id$='-error']").all_inner_texts()
    return " ".join(t.strip() for t in texts if t.strip())


def test_form_errors_on_indonesian_pages_contain_no_english(live_server, browser):
    """Issue 18, point 3, from a browser: each form sent empty or with a bad e-mail shows
    its errors in Indonesian only (WTForms' and email-validator's messages too)."""
    organiser = factories.user("organiser", language="id")
    training = factories.training(organiser=organiser, sessions=1, applications_open=True)
    db.session.commit()
    base = live_server.live_url
    context = browser.new_context(locale="id-ID", timezone_id="Asia/Jakarta")
    page = context.new_page()
    seen = {}
    try:
        forms = [(f"/trainings/{training.id}/apply", {"#email": "bukan-alamat"}),
                 ("/login", {"#email": "bukan-alamat"}), ("/password/forgot", {})]
        for path, values in forms:
            page.goto(base + path)
            assert page.locator("html").get_attribute("lang") == "id"
            for selector, value in values.items():
                page.locator(selector).fill(value)
            with page.expect_navigation():
                page.locator("main form[method=post] button[type=submit]").first.click()
            seen[path] = _errors_in(page)
        log_in(page, base, organiser.email, factories.PASSWORD)
        for path in ("/trainings/new", f"/trainings/{training.id}/sessions"):
            page.goto(base + path)
            with page.expect_navigation():
                page.locator("main form[method=post] button[type=submit]").first.click()
            seen[path] = _errors_in(page)
    finally:
        context.close()
    assert all(seen.values()), seen  # every form did answer with errors
    assert {path: ENGLISH.findall(text) for path, text in seen.items()
            if ENGLISH.search(text)} == {}
