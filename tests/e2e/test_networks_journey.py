"""A visitor sees the catalogue on the home page (in their zone once the browser told it),
goes to the hubs overview with its map and list, and opens a hub's page; every page passes
axe's WCAG 2.1 AA checks and does not scroll sideways at 320 px."""
from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect

from tests import factories
from trainings.extensions import db
from trainings.organisations import services as organisations

from .conftest import axe_violations


def _no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_visitor_sees_the_catalogue_and_opens_a_hub(live_server, page):
    training = factories.training(title_en="Women's Leadership", title_id="Kepemimpinan Perempuan",
                                  sessions=3, first_start=datetime.now(UTC) + timedelta(days=7))
    training.applications_open = True
    members = [organisations.create_organisation({"name": n, "country": c})
               for n, c in (("Kalyanamitra", "ID"), ("CFEMEA", "BR"))]
    organisations.create_hub({"name": {"id": "Jalin Tenggara", "en": "Jalin Tenggara"},
                              "region": "Indonesia", "organisations": [members[0].id]})
    organisations.create_hub({"name": "Enlaza Sur", "region": "South America",
                              "organisations": [members[1].id]})
    db.session.commit()
    base = live_server.live_url

    page.goto(base + "/")
    catalogue = page.get_by_role("region", name="Trainings open for applications")
    # networks.js tells the server the browser's zone once and shows the page again:
    # the dates are then in the visitor's zone (Asia/Jakarta in this browser context)
    expect(catalogue).to_contain_text("WIB")
    page.wait_for_load_state()
    assert "Women's Leadership" in catalogue.inner_text()
    apply = catalogue.get_by_role("link", name="Women's Leadership")
    assert apply.get_attribute("href").endswith(f"/trainings/{training.id}/apply")
    assert axe_violations(page) == []

    page.get_by_role("link", name="Our regional hubs").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Regional hubs"
    assert page.locator("svg.world-map[aria-hidden=true]").count() == 1
    assert page.locator("svg.world-map circle").count() == 2  # one numbered marker per hub
    assert page.get_by_role("link", name="Enlaza Sur").is_visible()
    assert axe_violations(page) == []

    page.get_by_role("link", name="Jalin Tenggara").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Jalin Tenggara"
    assert "Kalyanamitra" in page.get_by_role("region", name="Member organisations").inner_text()
    assert axe_violations(page) == []

    page.set_viewport_size({"width": 320, "height": 640})
    for path in ("/", "/hubs", page.url.replace(base, "")):
        page.goto(base + path)
        assert _no_sideways_scroll(page), path


def test_organiser_creates_a_programme_and_reads_its_dashboard_and_people(live_server, page):
    from .conftest import log_in
    organiser = factories.user("organiser", email="dewi@example.org")
    training = factories.training(organiser=organiser, title_en="Women's Leadership", sessions=2)
    for n, country in enumerate(("ID", "MY", "PK")):
        factories.enrolment(training, name=f"Siti Nurhaliza {n}", email=f"siti{n}@example.org",
                            country=country)
    base = live_server.live_url
    log_in(page, base, organiser.email, factories.PASSWORD)

    page.goto(base + "/programmes")
    assert axe_violations(page) == []
    page.get_by_label("Title (English)").fill("Leadership programme")
    page.get_by_label("Women's Leadership").check()
    page.get_by_role("button", name="Create the programme").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Leadership programme"
    countries = page.get_by_role("region", name="People by country")
    assert "Malaysia" in countries.get_by_role("table").inner_text()
    assert axe_violations(page) == []
    page.set_viewport_size({"width": 320, "height": 640})
    assert _no_sideways_scroll(page)
    page.set_viewport_size({"width": 1280, "height": 800})

    page.goto(base + "/people")
    page.get_by_label("Name or email").fill("NURHALIZA")
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="3 people found").is_visible()
    page.get_by_role("link", name="Siti Nurhaliza 1").click()
    page.wait_for_load_state()
    assert "Women's Leadership" in page.get_by_role("table").inner_text()
    assert axe_violations(page) == []
    page.set_viewport_size({"width": 320, "height": 640})
    assert _no_sideways_scroll(page)
