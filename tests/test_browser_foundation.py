"""A sponsor project lead's first journey, in real Chromium against the live server."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser import log_in
from tests.factories.projects import ProjectFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sponsor_lead_reviews_projects_and_cannot_reach_another_sponsors(
    live_server, page: Page, project, sponsor_lead, cdmo_pm, decision_maker
):
    other = ProjectFactory(cdmo=project.cdmo, code="OTH-900", name="Another sponsor's program")
    log_in(page, live_server.url, sponsor_lead.email)

    expect(page).to_have_url(re.compile(r"/projects/$"))
    expect(page.get_by_role("heading", name="Projects")).to_be_visible()
    row = page.get_by_role("link", name=re.compile("ACM-101"))
    expect(row).to_be_visible()
    expect(page.get_by_text("OTH-900")).to_have_count(0)

    # Filtering with htmx narrows the list in place.
    page.get_by_label("Search").fill("nothing-matches")
    expect(page.get_by_text("No projects match these filters")).to_be_visible()
    page.get_by_label("Search").fill("ACM")
    expect(row).to_be_visible()

    row.click()
    expect(page.get_by_role("heading", name="Zanrelimab scale-up")).to_be_visible()
    expect(page.get_by_text("Northbridge CDMO", exact=True)).to_be_visible()
    page.get_by_role("link", name=re.compile("^Team")).click()
    expect(page.get_by_text("Lena Hoffmann")).to_be_visible()
    expect(page.get_by_text("Michael Ross")).to_be_visible()

    response = page.goto(f"{live_server.url}/projects/{other.pk}/")
    assert response.status == 404
    expect(page.get_by_text("Another sponsor's program")).to_have_count(0)


def test_login_page_shows_a_clear_error_and_keeps_the_email(live_server, page: Page, sponsor_lead):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(sponsor_lead.email)
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("not correct")).to_be_visible()
    expect(page.get_by_label("Email")).to_have_value(sponsor_lead.email)
