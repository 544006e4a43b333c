"""The profile offers the device's time zone when it differs from the saved one."""
from .conftest import log_in


def test_profile_offers_the_devices_zone(live_server, browser):
    from tests import factories
    from trainings.extensions import db
    user = factories.user("participant", timezone="Asia/Jakarta")
    db.session.commit()
    context = browser.new_context(locale="en-GB", timezone_id="Asia/Karachi")
    page = context.new_page()
    try:
        log_in(page, live_server.live_url, user.email, factories.PASSWORD)
        page.goto(live_server.live_url + "/profile")
        select = page.get_by_label("Time zone", exact=True)
        assert select.input_value() == "Asia/Jakarta"  # the saved zone is not overridden
        page.get_by_role("button", name="Use this device's time zone: Asia/Karachi").click()
        assert select.input_value() == "Asia/Karachi"
        with page.expect_navigation():
            page.get_by_role("button", name="Save profile").click()
        db.session.refresh(user)
        assert user.timezone == "Asia/Karachi"
    finally:
        context.close()
