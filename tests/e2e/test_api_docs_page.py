"""A developer reads the API reference page: every route is listed and linked from the
contents, the page passes axe's WCAG 2.1 AA checks and needs no sideways scrolling at 320 px."""
from .conftest import axe_violations


def test_api_reference_page_is_accessible(live_server, page):
    base = live_server.live_url
    page.goto(base + "/api/docs")
    assert page.get_by_role("heading", level=1).inner_text() == "API reference"
    link = page.get_by_role("link", name="POST /api/v1/trainings/{training_id}/enrolments",
                            exact=True)
    link.click()
    assert page.url.endswith("#create_enrolment")
    assert page.get_by_role("heading", name="POST /api/v1/trainings/{training_id}/enrolments",
                            exact=True,
                            level=2).is_visible()
    assert axe_violations(page) == []
    page.set_viewport_size({"width": 320, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
