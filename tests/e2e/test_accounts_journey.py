"""Accounts in a browser: the forgotten-password link, then two-factor login set up on
the profile and used at the next login; every page accessible and usable at 320 px."""
import re
import time

import pyotp
from sqlalchemy import select

from trainings.outbox.models import OutboxMessage

from .conftest import axe_violations, log_in

NEW_PASSWORD = "plum orchard lantern seventy"


def _no_sideways_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_forgotten_password_then_two_factor_login(live_server, browser):
    from tests import factories
    from trainings.extensions import db
    factories.user("organiser", email="rina@example.org")
    db.session.commit()
    base = live_server.live_url
    context = browser.new_context(locale="en-GB", timezone_id="Asia/Jakarta",
                                  viewport={"width": 320, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        page.goto(base + "/login")
        with page.expect_navigation():
            page.get_by_role("link", name="Forgot your password?").click()
        assert axe_violations(page) == [] and _no_sideways_scroll(page)
        page.get_by_label("Email").fill("rina@example.org")
        with page.expect_navigation():
            page.get_by_role("button", name="Send the link").click()
        assert "If an account with this address exists" in page.inner_text("main")

        db.session.expire_all()
        body = db.session.scalar(select(OutboxMessage.body).where(
            OutboxMessage.to_email == "rina@example.org"))
        link = re.search(r"(/password/reset/\S+)", body).group(1)
        page.goto(base + link)
        assert axe_violations(page) == [] and _no_sideways_scroll(page)
        page.locator("#new_password").fill("password12")
        page.locator("#confirm").fill("password12")
        page.get_by_role("button", name="Set the password").click()
        page.wait_for_selector(".field-error")
        assert "common" in page.inner_text(".field-error")
        page.locator("#new_password").fill(NEW_PASSWORD)
        page.locator("#confirm").fill(NEW_PASSWORD)
        with page.expect_navigation():
            page.get_by_role("button", name="Set the password").click()
        assert page.url.startswith(base + "/login")

        log_in(page, base, "rina@example.org", NEW_PASSWORD)
        page.goto(base + "/profile")
        assert axe_violations(page) == [] and _no_sideways_scroll(page)
        page.goto(base + "/profile/two-factor")
        page.get_by_label("Your password").fill(NEW_PASSWORD)
        page.get_by_role("button", name="Set up two-factor login").click()
        page.wait_for_selector("img[alt='QR code for your authenticator app']")
        assert axe_violations(page) == [] and _no_sideways_scroll(page)
        secret = page.inner_text("code.token").strip()
        page.get_by_label("The 6-digit code your app shows").fill(pyotp.TOTP(secret).now())
        page.get_by_role("button", name="Turn on two-factor login").click()
        page.wait_for_selector(".recovery-codes")
        assert len(page.locator(".recovery-codes li").all()) == 10

        page.context.clear_cookies()
        log_in(page, base, "rina@example.org", NEW_PASSWORD)
        assert page.url == base + "/login/code"
        assert axe_violations(page) == [] and _no_sideways_scroll(page)
        page.get_by_label("Code from your authenticator app, or a recovery code").fill(
            pyotp.TOTP(secret).at(time.time() + 30))
        with page.expect_navigation():
            page.get_by_role("button", name="Log in").click()
        assert "Welcome" in page.inner_text("body")
    finally:
        context.close()
