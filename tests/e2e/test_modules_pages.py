"""A visitor reads the demo module in both languages; an organiser opens the upload form.
The pages pass axe's WCAG 2.1 AA checks."""
from trainings.demo import DEMO_PASSWORD, load_demo
from trainings.extensions import db

from .conftest import axe_violations, log_in


def test_visitor_reads_the_module_and_organiser_sees_upload(live_server, page):
    load_demo()
    db.session.commit()
    base = live_server.live_url

    page.goto(base + "/modules")
    assert axe_violations(page) == []
    page.get_by_role("link", name="Women's Leadership", exact=False).first.click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Women's Leadership")
    assert page.locator("#section-7").is_visible()
    # The Indonesian text is one click away, marked with its language.
    other = page.locator("#section-1 details[lang=id]")
    other.locator("summary").click()
    assert "Dasar-Dasar Hak Asasi Manusia" in other.inner_text()
    assert axe_violations(page) == []

    log_in(page, base, "organiser@example.org", DEMO_PASSWORD)
    page.goto(base + "/modules")
    page.get_by_role("link", name="Unggah modul").click()
    page.wait_for_load_state()
    assert page.get_by_label("Berkas ZIP modul").is_visible()
    assert axe_violations(page) == []
