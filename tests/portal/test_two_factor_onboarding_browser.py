"""The two-factor setup journey in Chromium, on a desktop and a phone width: a joiner of an
organization that requires it, and an existing member at their first sign-in after the
requirement. Why, the app, the recovery codes, then where signing in lands them; never allauth's
"Confirm access" for the password just typed. SCREENSHOT_DIR=/some/dir keeps a picture per step."""

import os
import re
from pathlib import Path

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from portal.accounts.models import OrgRole
from tests.browser import log_in
from tests.factories.organizations import InvitationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"desktop": (1366, 900), "phone": (390, 844)}


def shot(page: Page, name: str) -> None:
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def new_page(browser: Browser, width: str) -> tuple[Page, list[str], list[str]]:
    viewport = WIDTHS[width]
    page = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}).new_page()
    visited, problems = [], []
    page.on("framenavigated", lambda frame: visited.append(frame.url) if frame == page.main_frame else None)
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    return page, visited, problems


def set_up_authenticator(page: Page, organization_name: str, name: str) -> None:
    expect(page.get_by_role("heading", name="Set up two-factor authentication")).to_be_visible()
    expect(
        page.get_by_text(f"Your organization, {organization_name}, requires two-factor authentication")
    ).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    shot(page, f"{name}-1-authenticator")
    secret = page.locator("#mfa-setup-key").get_attribute("data-secret")
    code = format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))
    page.get_by_label("6-digit code").fill(code)
    activate = page.get_by_role("button", name="Activate")
    expect(activate).to_have_class(re.compile(r"\bbtn-primary\b"))
    activate.click()

    expect(page.get_by_role("heading", name="Save your recovery codes")).to_be_visible()
    expect(page.get_by_role("list", name="Your recovery codes").get_by_role("listitem")).to_have_count(10)
    expect(page.get_by_role("link", name="Download as a text file")).to_be_visible()
    expect(page.get_by_role("button", name="Print")).to_be_visible()  # shown by static/js/print-page.js
    shot(page, f"{name}-2-recovery-codes")
    page.get_by_role("link", name="I have saved them, continue").click()


@pytest.mark.parametrize("width", WIDTHS)
def test_a_joiner_sets_up_two_factor_right_after_accepting(browser: Browser, live_server, sponsor, width):
    sponsor.require_mfa = True
    sponsor.save()
    invitation = InvitationFactory(organization=sponsor, email="joiner@acme.test", org_role=OrgRole.MEMBER)
    page, visited, problems = new_page(browser, width)
    page.goto(live_server.url + reverse("organizations:invitation_accept", args=[invitation.token]))
    page.get_by_label("Full name").fill("Jo Iner")
    page.get_by_label("Password", exact=True).fill("a-long-pass-phrase-42")
    page.get_by_label("Password (again)").fill("a-long-pass-phrase-42")
    shot(page, f"joiner-{width}-0-invitation")
    page.get_by_role("button", name="Create my account").click()

    set_up_authenticator(page, "Acme Bio", f"joiner-{width}")
    page.wait_for_url(f"{live_server.url}{reverse('projects:list')}")
    expect(page.get_by_text("You're all set: two-factor authentication is on.")).to_be_visible()
    shot(page, f"joiner-{width}-3-landed")
    assert Authenticator.objects.filter(user__email="joiner@acme.test", type=Authenticator.Type.TOTP).exists()
    assert not [url for url in visited if "/reauthenticate/" in url]
    expect(page.get_by_text("Confirm access")).to_have_count(0)
    assert problems == []


@pytest.mark.parametrize("width", WIDTHS)
def test_an_executive_sets_up_two_factor_at_sign_in_and_lands_on_the_dashboard(
    browser: Browser, live_server, sponsor_exec, width
):
    sponsor_exec.organization.require_mfa = True
    sponsor_exec.organization.save()
    page, visited, problems = new_page(browser, width)
    log_in(page, live_server.url, sponsor_exec.email)

    set_up_authenticator(page, "Acme Bio", f"sign-in-{width}")
    page.wait_for_url(f"{live_server.url}{reverse('monitoring:dashboard')}")
    expect(page.get_by_text("You're all set: two-factor authentication is on.")).to_be_visible()
    shot(page, f"sign-in-{width}-3-landed")
    assert not [url for url in visited if "/reauthenticate/" in url]
    assert problems == []
