"""An organiser plans a 7-session series in the browser; a participant in Karachi sees it in PKT."""
from datetime import UTC, datetime, timedelta

from trainings.extensions import db
from trainings.scheduling.models import Training

from .. import factories
from .conftest import axe_violations, log_in


def test_organiser_plans_a_series_and_participant_sees_it_in_pkt(live_server, page, browser):
    base = live_server.live_url
    organiser = factories.user("organiser", email="org@example.org", name="Dewi Organiser")
    factories.user("facilitator", email="fac@example.org", name="Fatima Facilitator")
    participant = factories.user("participant", email="ayesha@example.org", name="Ayesha Khan",
                                 timezone="Asia/Karachi")

    log_in(page, base, organiser.email, factories.PASSWORD)
    page.goto(base + "/trainings")
    assert axe_violations(page) == []
    page.get_by_role("link", name="New training").click()
    page.wait_for_load_state()
    assert axe_violations(page) == []
    page.get_by_label("Title in Indonesian").fill("Kepemimpinan Perempuan")
    page.get_by_label("Title in English").fill("Women's Leadership")
    page.get_by_label("Home time zone").select_option("Asia/Jakarta")
    page.get_by_label("Places in total").fill("30")
    page.get_by_label("Places per country").fill("ID: 10\nMY: 10\nPK: 10")
    page.get_by_label("Co-organising organisations").fill("Komnas Perempuan\nINFID")
    page.get_by_role("button", name="Create the training").click()
    page.wait_for_load_state()
    assert "The training is created" in page.locator(".flashes").inner_text()
    assert axe_violations(page) == []

    # A series of 7: every 2 days at 14:00 Jakarta time, starting in about a month.
    first = (datetime.now(UTC) + timedelta(days=30)).date()
    series = page.locator("form", has=page.locator("input[name=action][value=series]"))
    series.get_by_label("Start of the first session").fill(f"{first.isoformat()}T14:00")
    series.get_by_label("Number of sessions").fill("7")
    series.get_by_label("Every few days").check()
    series.get_by_label("Every how many days").fill("2")
    series.get_by_label("Duration in minutes").fill("120")
    series.get_by_label("Meeting link").fill("https://meet.example.org/leadership")
    series.get_by_role("button", name="Add the series").click()
    page.wait_for_load_state()
    assert "7 sessions are added" in page.locator(".flashes").inner_text()
    rows = page.locator("table.sessions tbody tr")
    assert rows.count() == 7
    assert "14:00 WIB" in rows.first.inner_text()
    assert axe_violations(page) == []

    page.get_by_role("link", name="Edit or reschedule session 2").click()
    page.wait_for_load_state()
    assert page.get_by_label("Start date and time").input_value().endswith("T14:00")
    assert axe_violations(page) == []
    page.get_by_role("link", name="Settings").first.click()
    page.wait_for_load_state()
    assert axe_violations(page) == []

    training = db.session.query(Training).one()
    factories.enrolment(training, user=participant, country="PK", timezone="Asia/Karachi",
                        accessibility_needs="live captions")
    page.goto(f"{base}/trainings/{training.id}")
    assert "12:00 PKT" in page.locator("table.sessions tbody tr").first.inner_text()
    assert axe_violations(page) == []

    # The participant, in another browser context, sees the series in Pakistan time.
    context = browser.new_context(locale="en-GB", timezone_id="Asia/Karachi",
                                  viewport={"width": 360, "height": 740})  # a phone
    other = context.new_page()
    other.set_default_timeout(15000)
    log_in(other, base, participant.email, factories.PASSWORD)
    other.goto(base + "/me/schedule")
    items = other.locator("ol.schedule > li")
    assert items.count() == 7
    assert "12:00 PKT" in items.first.inner_text()
    assert "WIB" not in items.first.inner_text()
    assert "https://meet.example.org/leadership" in items.first.inner_text()
    assert other.get_by_text("Times are shown in your time zone, Asia/Karachi (PKT).").is_visible()
    assert axe_violations(other) == []
    # Fits a phone's width: no sideways scrolling.
    assert other.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    other.get_by_role("button", name="Create my calendar link").click()
    other.wait_for_load_state()
    assert "/me/calendar.ics?token=" in other.locator("code").inner_text()
    assert other.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    context.close()

    # The organiser (also staff) sees who comes and what to prepare.
    page.goto(base + "/me/sessions")
    assert "Ayesha Khan" in page.content() and "Live captions" in page.content()
    assert axe_violations(page) == []
