"""Editing a proposed change request in real Chromium: the side that raised it opens the edit
form from the change, changes an option, saves; the earlier revision opens below the new one; both
pages pass axe-core."""

import pytest
from playwright.sync_api import Browser, expect

from projects.models import ChangeRequest
from tests.browser import sign_in
from tests.factories.projects import change_with_options

from .test_change_log_browser import _axe_problems

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_cdmo_edits_its_change_and_the_page_shows_the_new_revision(
    live_server, browser: Browser, project, cdmo_pm, sponsor_lead
):
    change = change_with_options(project, title="Move GMP-01 to suite B")
    page = sign_in(browser, live_server, cdmo_pm)
    page.goto(live_server.url + change.get_absolute_url())
    page.get_by_role("link", name="Edit", exact=True).click()
    expect(page.get_by_role("heading", name="Edit the change request")).to_be_visible()
    assert _axe_problems(page) == []
    page.locator("#id_option-0-cost_impact").fill("€55k for the transfer runs.")
    page.get_by_role("button", name="Save the changes").click()
    expect(page.get_by_text("Change request edited.")).to_be_visible()
    expect(page.get_by_text("€55k for the transfer runs.")).to_be_visible()
    # The earlier revision is kept below, collapsed until opened.
    earlier = page.get_by_text("€40k for the transfer runs.")
    expect(earlier).to_have_count(1)
    expect(earlier).to_be_hidden()
    page.get_by_text("Revision 1: 2 options").click()
    expect(earlier).to_be_visible()
    expect(page.locator("details.earlier-revision").get_by_text("Recommended", exact=True)).to_be_visible()
    assert _axe_problems(page) == []
    assert ChangeRequest.objects.get(pk=change.pk).revision == 2
