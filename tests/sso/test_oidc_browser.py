"""A person signs in through their organization's identity provider in Chromium: the portal's
sign-in page, the real OpenID Provider's pages, and back, provisioned into the organization."""

import re

import pytest
from playwright.sync_api import Browser, expect

from portal.accounts.models import OrgRole, User
from tests.browser import ConsoleWatch

from .conftest import DOMAIN, configure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_new_person_signs_in_through_the_identity_provider(
    browser: Browser, live_server, start_idp, orbital, orbital_admin
):
    idp = start_idp(live_server.url)
    configure(orbital_admin, idp.issuer, default_role=OrgRole.EXECUTIVE)
    idp.add_person("lena", email=f"lena@{DOMAIN}", name="Lena Lind", password="lenas-idp-password")
    watch = ConsoleWatch()
    page = watch.watch(browser.new_context(viewport={"width": 1280, "height": 900})).new_page()

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(f"lena@{DOMAIN}")
    page.get_by_role("button", name="Sign in").click()

    page.wait_for_url(re.compile(rf"^{re.escape(idp.issuer)}/interaction/"))
    page.get_by_label("Login").fill("lena")
    page.get_by_label("Password").fill("lenas-idp-password")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Continue").click()

    page.wait_for_url(f"{live_server.url}/dashboard/**")  # an executive lands on the dashboard
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    lena = User.objects.get(email=f"lena@{DOMAIN}")
    assert (lena.organization_id, lena.org_role, lena.full_name) == (
        orbital.pk,
        OrgRole.EXECUTIVE,
        "Lena Lind",
    )
    assert watch.take() == []


def test_an_address_outside_the_domains_comes_back_with_a_message(
    browser: Browser, live_server, start_idp, orbital_admin
):
    idp = start_idp(live_server.url)
    configure(orbital_admin, idp.issuer)
    idp.add_person("eve", email="eve@elsewhere.test", name="Eve", password="eves-idp-password")
    watch = ConsoleWatch()
    page = watch.watch(browser.new_context()).new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(f"eve@{DOMAIN}")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Login").fill("eve")
    page.get_by_label("Password").fill("eves-idp-password")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Continue").click()

    page.wait_for_url(f"{live_server.url}/accounts/login/")
    expect(
        page.get_by_text("eve@elsewhere.test is not an address Orbital Therapeutics signs in with")
    ).to_be_visible()
    assert not User.objects.filter(email="eve@elsewhere.test").exists()
    assert watch.take() == []
