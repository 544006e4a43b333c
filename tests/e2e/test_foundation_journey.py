"""The organiser logs in and sees the demo course; the pages pass axe's WCAG 2.1 AA checks."""
from trainings.demo import DEMO_PASSWORD, TITLE_EN, TITLE_ID, load_demo
from trainings.extensions import db

from .conftest import axe_violations, log_in


def test_demo_organiser_logs_in_and_sees_the_course(live_server, page):
    load_demo()
    db.session.commit()
    base = live_server.live_url

    page.goto(base + "/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert axe_violations(page) == []

    log_in(page, base, "organiser@example.org", DEMO_PASSWORD)
    # The organiser's language is Indonesian: the page switches to it.
    assert page.locator("html").get_attribute("lang") == "id"
    page.get_by_role("link", name=TITLE_ID, exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Kepemimpinan Perempuan")
    assert page.get_by_text(TITLE_EN).is_visible()
    rows = page.locator("table.sessions tbody tr")
    assert rows.count() == 7
    assert "14:00 WIB" in rows.first.inner_text()
    assert axe_violations(page) == []

    # Switch to English with the keyboard-operable language switcher: choosing an option
    # changes nothing by itself (WCAG 3.2.2), the button does.
    page.get_by_label("Bahasa").select_option("en")
    assert page.locator("html").get_attribute("lang") == "id"
    with page.expect_navigation():
        page.get_by_role("button", name="Ganti bahasa").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Sessions").is_visible()
