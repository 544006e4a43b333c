"""An organiser reads the training's audit, sets its retention and erases a participant;
a participant downloads their data. The pages pass axe's WCAG 2.1 AA checks and need no
sideways scrolling at 320 px."""
from .conftest import axe_violations, log_in


def _fits_320(page) -> bool:
    page.set_viewport_size({"width": 320, "height": 700})
    fits = page.evaluate("document.documentElement.scrollWidth <= 320")
    page.set_viewport_size({"width": 1280, "height": 800})
    return fits


def test_privacy_pages(live_server, page):
    from tests import factories
    from trainings.extensions import db
    from trainings.scheduling import services as scheduling
    organiser = factories.user("organiser", language="en")
    siti = factories.user(email="siti@example.org", name="Siti Rahmawati")
    training = factories.training(organiser=organiser, sessions=2)
    factories.enrolment(training, user=siti)
    scheduling.update_training(training, {"capacity": 25}, actor=organiser)
    db.session.commit()
    base = live_server.live_url

    log_in(page, base, siti.email, factories.PASSWORD)
    page.goto(base + "/profile")
    page.get_by_role("link", name="Download my data").click()
    page.wait_for_load_state()
    assert axe_violations(page) == [] and _fits_320(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download my data (JSON)").click()
    assert download.value.suggested_filename.endswith(".json")
    page.goto(base + "/logout")

    log_in(page, base, organiser.email, factories.PASSWORD)
    page.goto(base + f"/trainings/{training.id}")
    page.get_by_role("link", name="Audit").click()
    page.wait_for_load_state()
    assert "Training settings changed" in page.locator("main").inner_text()
    assert axe_violations(page) == [] and _fits_320(page)

    page.get_by_role("link", name="Retention").click()
    page.wait_for_load_state()
    page.get_by_label("Erase participants' personal data", exact=False).fill("6")
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    assert "Retention setting saved." in page.locator("main").inner_text()
    assert axe_violations(page) == [] and _fits_320(page)

    page.goto(base + f"/people/{siti.id}/erase")
    assert axe_violations(page) == [] and _fits_320(page)
    page.get_by_label("Reason for the erasure").fill("Asked by mail")
    with page.expect_navigation():
        page.get_by_role("button", name="Erase this person's data").click()
    assert "The person's data was erased." in page.locator("body").inner_text()
