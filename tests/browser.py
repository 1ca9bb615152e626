"""Signing in for the browser journeys (real Chromium against the live server)."""

import re

from playwright.sync_api import Browser, Page

from tests.factories.organizations import DEFAULT_PASSWORD


def log_in(page: Page, base: str, email: str) -> None:
    """Sign `email` in on `page` through the real login form."""
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def sign_in(browser: Browser, live_server, user) -> Page:
    """A browser window of its own for `user`, signed in and on where sign-in lands them: the
    dashboard for an executive, their projects for everyone else."""
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    log_in(page, live_server.url, user.email)
    page.wait_for_url(re.compile(rf"^{re.escape(live_server.url)}/(projects|dashboard)/"))
    return page
