"""The sponsor's lead confirms minutes in Chromium by signing in again at their organization's
OpenID Provider: "Sign with Acme Okta", the provider's sign-in page (asked again although the
browser has a session there), back to "Confirm signature", signed; the dialog passes axe."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, expect

from portal.signatures.models import Components, Signature
from portal.sso.models import SigningMethod
from tests.browser import ConsoleWatch
from tests.test_accessibility import Audit

from .conftest import SPONSOR_DOMAIN, configure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _at_the_provider(page, issuer: str) -> None:
    page.wait_for_url(re.compile(rf"^{re.escape(issuer)}/interaction/"))
    expect(page.get_by_role("heading", name="Sign in to the test identity provider")).to_be_visible()
    page.get_by_label("Login").fill("emily")
    page.get_by_label("Password").fill("emilys-idp-password")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    if page.url.startswith(issuer):  # the consent page, the first time
        page.get_by_role("button", name="Continue").click()


def test_minutes_are_signed_through_a_fresh_sign_in(
    browser: Browser, live_server, start_idp, sponsor, sponsor_admin, sponsor_lead, minutes
):
    idp = start_idp(live_server.url, slug=sponsor.slug)
    configure(
        sponsor_admin,
        idp.issuer,
        name="Acme Okta",
        email_domains=[SPONSOR_DOMAIN],
        signing_method=SigningMethod.FRESH_SIGN_IN,
    )
    idp.add_person("emily", email=sponsor_lead.email, name="Emily Carter", password="emilys-idp-password")
    watch = ConsoleWatch()
    page = watch.watch(browser.new_context(viewport={"width": 1280, "height": 900})).new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(sponsor_lead.email)
    page.get_by_role("button", name="Sign in").click()
    _at_the_provider(page, idp.issuer)
    page.wait_for_url(f"{live_server.url}/projects/**")

    url = reverse(
        "meetings:minutes_confirm", kwargs={"project_id": minutes.project_id, "meeting_id": minutes.pk}
    )
    page.goto(f"{live_server.url}{url}")
    expect(page.get_by_label("Your password")).to_have_count(0)
    page.get_by_label("Comment").fill("Matches my notes.")
    audit = Audit()
    audit.check(page, "signer, before the identity provider")
    # One action: the dialog's; the page's own "Sign and confirm" would post the same form.
    expect(page.get_by_role("button", name="Sign and confirm")).to_be_hidden()
    page.get_by_role("button", name="Sign with Acme Okta").click()

    _at_the_provider(page, idp.issuer)  # its session does not count: prompt=login, max_age=0
    page.wait_for_url(re.compile(rf"^{re.escape(live_server.url)}/signatures/idp/"))
    expect(page.get_by_text(re.compile(r"Identity confirmed at Acme Okta at \d\d:\d\d"))).to_be_visible()
    expect(page.get_by_label("Comment")).to_have_value("Matches my notes.")
    assert not Signature.objects.exists()
    audit.check(page, "signer, identity confirmed")
    expect(page.get_by_role("button", name="Sign and confirm")).to_be_hidden()
    page.get_by_role("button", name="Confirm signature").click()

    expect(page.get_by_text("Minutes confirmed and signed.")).to_be_visible()
    signature = Signature.objects.get()
    assert (signature.signer_id, signature.components, signature.comment) == (
        sponsor_lead.pk,
        Components.IDENTITY_PROVIDER,
        "Matches my notes.",
    )
    assert audit.failures == []
    assert watch.take() == []
