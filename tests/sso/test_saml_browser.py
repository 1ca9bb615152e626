"""A person signs in through their organization's SAML identity provider in Chromium: the portal's
sign-in page, the pysaml2 identity provider's pages, its signed response posted back across sites,
and on into the portal, provisioned into the organization."""

import re

import pytest
import requests
from django.urls import reverse
from playwright.sync_api import Browser, expect

from portal.accounts.models import User
from tests.browser import ConsoleWatch

from .conftest import DOMAIN, configure_saml
from .saml_idp import new_saml_identity_provider

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def live_saml_idp(tmp_path, live_server, orbital_admin):
    idp = new_saml_identity_provider(tmp_path)
    configure_saml(orbital_admin, idp)
    idp.start(requests.get(live_server.url + reverse("saml_metadata", args=["orbital"]), timeout=10).text)
    yield idp
    idp.stop()


def test_a_new_person_signs_in_through_the_saml_identity_provider(
    browser: Browser, live_server, live_saml_idp, orbital
):
    live_saml_idp.add_person("sol", email=f"sol@{DOMAIN}", name="Sol Saml", password="sols-idp-password")
    watch = ConsoleWatch()
    page = watch.watch(browser.new_context(viewport={"width": 1280, "height": 900})).new_page()

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(f"sol@{DOMAIN}")
    page.get_by_role("button", name="Sign in").click()

    page.wait_for_url(re.compile(rf"^{re.escape(live_saml_idp.sso_url)}"))
    page.get_by_label("Login").fill("sol")
    page.get_by_label("Password").fill("sols-idp-password")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Continue").click()

    page.wait_for_url(f"{live_server.url}/projects/**")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    sol = User.objects.get(email=f"sol@{DOMAIN}")
    assert (sol.organization_id, sol.full_name) == (orbital.pk, "Sol Saml")
    assert watch.take() == []
