"""The API's browsable docs in real Chromium: Swagger UI from our own static files draws every
operation under the portal's Content Security Policy (the console watch fails the test on any
violation), and an admin's new token, pasted in, reads the organization's projects."""

import re

import pytest
from playwright.sync_api import Page, expect

from portal.accounts.models import OrgRole
from tests.browser import log_in
from tests.factories.organizations import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_makes_a_token_and_tries_it_in_the_docs(live_server, page: Page, project):
    admin = UserFactory(organization=project.sponsor, org_role=OrgRole.ADMIN)
    log_in(page, live_server.url, admin.email)
    page.wait_for_url(re.compile(r"/(projects|dashboard|accounts)/"))
    page.goto(f"{live_server.url}/organization/api-tokens/")
    page.get_by_label("Name").fill("Warehouse")
    page.get_by_role("button", name="Make token").click()
    secret = page.locator("code.api-secret").inner_text()
    assert secret.startswith("mrd_")

    page.goto(f"{live_server.url}/api/v1/docs")
    expect(page.get_by_text("Meridian read API")).to_be_visible()
    operation = page.locator("#operations-default-integration_api_api_list_projects")
    expect(operation).to_be_visible()
    page.get_by_role("button", name=re.compile("Authorize")).first.click()
    page.locator(".auth-container input").first.fill(secret)
    page.get_by_role("button", name="Apply credentials").click()
    page.get_by_role("button", name=re.compile("Close")).first.click()
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()
    live = operation.locator(".live-responses-table")
    expect(live.locator("tr.response td.response-col_status")).to_have_text("200")
    expect(live).to_contain_text(project.code)
