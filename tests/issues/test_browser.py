"""The whole life of a service issue in a real browser, with a sponsor and a CDMO user side by side."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from issues.models import EventKind, IssueEvent, IssueStatus, Recognition, ServiceIssue
from tests.browser import sign_in
from tests.factories.organizations import DEFAULT_PASSWORD


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_sponsor_raises_cdmo_answers_sponsor_closes(
    browser, live_server, project, sponsor_lead, cdmo_pm, cdmo_sme
):
    sponsor = sign_in(browser, live_server, sponsor_lead)
    cdmo = sign_in(browser, live_server, cdmo_pm)

    # The sponsor lead raises a critical issue from the project's Service issues tab.
    sponsor.goto(f"{live_server.url}/projects/{project.pk}/service-issues/")
    sponsor.get_by_role("link", name="Raise a service issue").first.click()
    sponsor.get_by_label("Critical: acknowledged within 4 business hours").check()
    sponsor.get_by_label("Category").select_option(label="Quality")
    sponsor.get_by_label("Title").fill("Deviation DEV-2231 notified nine days late")
    sponsor.get_by_label("Description").fill("We learned of the excursion from a batch record.")
    sponsor.get_by_label("Impact").fill("Clinical supply lot at risk.")
    sponsor.get_by_label("Desired outcome").fill("Written notice within 24 hours, always.")
    sponsor.get_by_role("button", name="Raise the issue").click()
    expect(sponsor.locator(".messages")).to_contain_text("raised")
    expect(sponsor.locator(".issue-meta")).to_contain_text("Open")
    issue = ServiceIssue.objects.get()
    assert (issue.severity, issue.raised_by) == ("critical", sponsor_lead)
    issue_url = f"{live_server.url}{issue.get_absolute_url()}"

    # The CDMO project manager acknowledges, then proposes a plan.
    cdmo.goto(issue_url)
    cdmo.get_by_role("textbox", name="Note (optional)").fill("QA is reconstructing the timeline now.")
    cdmo.get_by_role("button", name="Acknowledge").click()
    expect(cdmo.locator(".messages")).to_contain_text("Acknowledged")
    expect(cdmo.locator(".issue-meta")).to_contain_text("Acknowledged")
    cdmo.get_by_label("Owner").select_option(label=cdmo_sme.full_name)
    cdmo.get_by_label("Steps").fill(
        "1. Impact assessment for lot 23-117.\n2. Deviation notice SOP: 24 h to the sponsor."
    )
    cdmo.get_by_label("Target date").fill((dt.date.today() + dt.timedelta(days=10)).isoformat())
    cdmo.get_by_role("button", name="Propose a resolution plan").click()
    expect(cdmo.locator(".messages")).to_contain_text("Resolution plan sent to the sponsor")

    # The sponsor accepts the plan.
    sponsor.goto(issue_url)
    expect(sponsor.locator("#plans-title")).to_be_visible()
    expect(sponsor.get_by_text("Impact assessment for lot 23-117").first).to_be_visible()
    accept = sponsor.locator("details.si-step", has_text="Accept the plan")
    expect(accept).to_contain_text("Your signature means Approved")
    accept.get_by_label("Your password").fill(DEFAULT_PASSWORD)
    accept.get_by_role("button", name="Accept the plan").click()
    expect(sponsor.locator(".messages")).to_contain_text("Plan accepted")

    # The CDMO resolves it.
    cdmo.goto(issue_url)
    cdmo.get_by_label("What was done").fill("Impact assessment sent; SOP updated and trained.")
    cdmo.get_by_role("button", name="Mark resolved").click()
    expect(cdmo.locator(".issue-meta")).to_contain_text("Resolved")

    # The sponsor confirms and the issue closes; then recognizes the resolution.
    sponsor.goto(issue_url)
    expect(sponsor.get_by_text("Impact assessment sent; SOP updated and trained.").first).to_be_visible()
    close = sponsor.locator("details.si-step", has_text="Confirm resolved and close")
    close.get_by_label("Your password").fill(DEFAULT_PASSWORD)
    close.get_by_role("button", name="Confirm resolved and close").click()
    expect(sponsor.locator(".messages")).to_contain_text("Issue closed")
    expect(sponsor.locator("#timeline .signatures").first).to_contain_text("meaning Confirmed")
    expect(sponsor.locator("#plans-title ~ article .signatures").first).to_contain_text("meaning Approved")
    expect(sponsor.locator(".issue-meta")).to_contain_text("Closed")
    sponsor.get_by_role("link", name="Recognize this resolution").click()
    sponsor.get_by_label("What was good").fill("A thorough answer within the day.")
    sponsor.get_by_role("button", name="Give recognition").click()
    expect(sponsor.locator(".messages")).to_contain_text("will see your recognition")

    issue.refresh_from_db()
    assert issue.status == IssueStatus.CLOSED
    kinds = list(IssueEvent.objects.filter(issue=issue).values_list("kind", flat=True))
    assert kinds == [
        EventKind.RAISED,
        EventKind.ACKNOWLEDGED,
        EventKind.PLAN_PROPOSED,
        EventKind.PLAN_ACCEPTED,
        EventKind.RESOLVED,
        EventKind.CLOSED,
        EventKind.RECOGNIZED,
    ]
    assert Recognition.objects.get().recipient == cdmo_sme

    # The CDMO sees the recognition on the project's Service issues tab.
    cdmo.goto(f"{live_server.url}/projects/{project.pk}/service-issues/")
    expect(cdmo.locator("#recognition")).to_contain_text("A thorough answer within the day.")
    sponsor.context.close()
    cdmo.context.close()
