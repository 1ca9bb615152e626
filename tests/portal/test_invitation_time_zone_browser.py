"""The invitation form offers the browser's time zone (from a static script: the CSP allows no
inline ones) next to the organization's, which stays preselected."""

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, expect

from portal.accounts.models import User
from tests.factories.organizations import InvitationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_joiner_in_tokyo_is_offered_their_zone_over_the_organizations(browser: Browser, live_server, cdmo):
    invitation = InvitationFactory(organization=cdmo, email="joiner@northbridge.test")
    page = browser.new_context(timezone_id="Asia/Tokyo").new_page()
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.goto(live_server.url + reverse("organizations:invitation_accept", args=[invitation.token]))

    zone = page.get_by_label("Time zone")
    expect(zone).to_have_value("Europe/Berlin")
    offer = page.get_by_role("button", name="Use this device's time zone (Asia/Tokyo)")
    expect(offer).to_be_visible()
    offer.click()
    expect(zone).to_have_value("Asia/Tokyo")
    expect(offer).to_be_hidden()

    page.get_by_label("Full name").fill("Jo Iner")
    page.get_by_label("Password", exact=True).fill("a-long-pass-phrase-42")
    page.get_by_label("Password (again)").fill("a-long-pass-phrase-42")
    page.get_by_role("button", name="Create my account").click()
    page.wait_for_url(f"{live_server.url}/projects/**")
    assert User.objects.get(email="joiner@northbridge.test").time_zone == "Asia/Tokyo"
    assert problems == []


def test_a_joiner_already_in_the_organizations_zone_is_offered_nothing(browser: Browser, live_server, cdmo):
    invitation = InvitationFactory(organization=cdmo, email="joiner@northbridge.test")
    page = browser.new_context(timezone_id="Europe/Berlin").new_page()
    page.goto(live_server.url + reverse("organizations:invitation_accept", args=[invitation.token]))
    expect(page.get_by_label("Time zone")).to_have_value("Europe/Berlin")
    expect(page.get_by_role("button", name="Create my account")).to_be_visible()
    expect(page.get_by_role("button", name="Use this device's time zone")).to_be_hidden()
