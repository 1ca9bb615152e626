"""The project picker in a real browser: type, choose with the keyboard, the page filters
(static/js/project-picker.js, htmx; no console error or CSP violation)."""

import re

import pytest
from playwright.sync_api import expect

from meetings.models import MeetingStatus
from projects.models import TeamRole
from tests.browser import sign_in
from tests.factories.issues import ServiceIssueFactory
from tests.factories.meetings import ActionItemFactory, held_meeting
from tests.factories.projects import ProjectFactory, ProjectMemberFactory, staff_project


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_type_choose_with_the_keyboard_and_the_lists_filter(
    browser, live_server, project, sponsor_lead, cdmo_pm
):
    other = staff_project(
        ProjectFactory(sponsor=project.sponsor, cdmo=project.cdmo, code="ACM-202", name="Betamab")
    )
    ProjectMemberFactory(project=other, role=TeamRole.SPONSOR_LEAD, user=sponsor_lead)
    ServiceIssueFactory(project=project, title="CoA three weeks late")
    ServiceIssueFactory(project=other, title="Audit slot cancelled")
    for target, title in ((project, "Send the CoA"), (other, "Book the audit")):
        meeting = held_meeting(target, status=MeetingStatus.MINUTES_DRAFT)
        ActionItemFactory(meeting=meeting, title=title, owner=sponsor_lead)

    page = sign_in(browser, live_server, sponsor_lead)

    # Service issues: the list follows the choice at once (htmx).
    page.goto(f"{live_server.url}/service-issues/")
    expect(page.get_by_text("CoA three weeks late")).to_be_visible()
    picker = page.get_by_role("combobox", name="Project")
    picker.fill("beta")
    expect(picker).to_have_attribute("aria-expanded", "true")
    option = page.get_by_role("listbox").get_by_role("option", name=re.compile("ACM-202"))
    expect(option).to_be_visible()
    expect(page.get_by_role("listbox").get_by_role("option")).to_have_count(1)
    picker.press("ArrowDown")
    expect(option).to_have_attribute("aria-selected", "true")
    expect(picker).to_have_attribute("aria-activedescendant", f"picker-option-{other.pk}")
    picker.press("Enter")
    expect(picker).to_have_value("ACM-202 · Betamab")
    expect(picker).to_have_attribute("aria-expanded", "false")
    expect(page).to_have_url(re.compile(rf"project={other.pk}"))
    expect(page.get_by_text("Audit slot cancelled")).to_be_visible()
    expect(page.get_by_text("CoA three weeks late")).to_have_count(0)

    # My action items: choose, then Enter submits the filter; Escape closes the list.
    page.goto(f"{live_server.url}/meetings/action-items/")
    picker = page.get_by_role("combobox", name="Project")
    picker.fill("ACM")
    expect(page.get_by_role("listbox").get_by_role("option")).to_have_count(2)
    picker.press("Escape")
    expect(picker).to_have_attribute("aria-expanded", "false")
    picker.press("ArrowDown")
    picker.press("ArrowDown")
    expect(page.get_by_role("listbox").get_by_role("option", name=re.compile("ACM-202"))).to_have_attribute(
        "aria-selected", "true"
    )
    picker.press("Enter")
    expect(picker).to_have_value("ACM-202 · Betamab")
    picker.press("Enter")
    expect(page).to_have_url(re.compile(rf"project={other.pk}"))
    expect(page.get_by_text("Book the audit")).to_be_visible()
    expect(page.get_by_text("Send the CoA")).to_have_count(0)
    expect(page.get_by_role("combobox", name="Project")).to_have_value("ACM-202 · Betamab")
