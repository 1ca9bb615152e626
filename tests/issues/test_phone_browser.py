"""The service-issue page on a phone (390 px): the current state and the next step first, the long
history folded. Screenshots go to /tmp/g3-shots/ (or $SHOTS_DIR) for a person to look at."""

import datetime as dt
import os
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from issues import services
from issues.models import IssueStatus, PlanStatus, Recognition, ResolutionPlan
from tests.browser import log_in
from tests.factories.projects import StatusUpdateFactory, UpdateCommentFactory

from .conftest import access, drive

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
SHOTS = Path(os.environ.get("SHOTS_DIR", "/tmp/g3-shots"))


def long_history(raise_issue, team, project):
    """An issue with the history that makes a phone page long: a plan sent back and a new one,
    a dozen notes, three attachments, resolved."""
    issue = raise_issue(title="Deviation DEV-2231 notified nine days late")
    pm, lead = access(team["pm"], project), access(team["lead"], project)
    issue = drive(issue, IssueStatus.PLAN_PROPOSED, team, project)
    plan = ResolutionPlan.objects.get(issue=issue, status=PlanStatus.PROPOSED)
    services.issue_send_back_plan(
        access=lead, issue=issue, plan=plan, note="Too vague: name the SOP and a date."
    )
    services.issue_propose_plan(
        access=pm,
        issue=issue,
        owner=team["sme"],
        steps="1. Impact assessment for lot 23-117.\n2. Deviation notice SOP QA-114: 24 h to the sponsor.",
        target_date=dt.date.today() + dt.timedelta(days=20),
    )
    for number in range(12):
        who = pm if number % 2 else lead
        services.issue_add_note(
            access=who,
            issue=issue,
            text=f"Note {number + 1}: the batch record review continues; QA expects the summary by Friday. "
            "We will share the redacted excerpt with the sponsor as soon as it is signed off.",
        )
    services.issue_add_attachments(
        access=pm,
        issue=issue,
        files=[
            SimpleUploadedFile(f"evidence-{n}.pdf", b"%PDF-1.4 evidence", content_type="application/pdf")
            for n in range(3)
        ],
    )
    plan = ResolutionPlan.objects.get(issue=issue, status=PlanStatus.PROPOSED)
    services.issue_accept_plan(access=lead, issue=issue, plan=plan)
    services.issue_resolve(
        access=pm, issue=issue, summary="Impact assessment sent; SOP QA-114 updated and trained."
    )
    issue.refresh_from_db()
    return issue


def test_the_issue_page_on_a_phone_puts_the_next_step_first_and_folds_the_history(
    browser, live_server, project, team, raise_issue
):
    issue = long_history(raise_issue, team, project)
    page = browser.new_context(viewport=PHONE).new_page()
    log_in(page, live_server.url, team["lead"].email)
    page.wait_for_url(f"{live_server.url}/projects/")
    page.goto(f"{live_server.url}{issue.get_absolute_url()}")

    height = page.evaluate("document.documentElement.scrollHeight")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "issue-390.png"), full_page=True)
    (SHOTS / "issue-height.txt").write_text(f"{height}\n")
    # Nothing is wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # The current state and the next step come first, within the first two screens.
    next_step = page.locator("#next-title")
    assert (
        page.locator(".issue-meta").bounding_box()["y"] < next_step.bounding_box()["y"] < 2 * PHONE["height"]
    )
    expect(page.get_by_text("Confirm resolved and close").first).to_be_visible()

    # Only the latest steps of the timeline show; the earlier ones are one tap away.
    latest = page.locator("#timeline .si-latest > li")
    expect(latest).to_have_count(3)
    earlier = page.locator("#timeline details.si-earlier")
    expect(earlier.locator("li").first).to_be_hidden()
    earlier.locator("summary").click()
    expect(earlier.locator("li").first).to_be_visible()
    expect(page.get_by_text("Note 1: the batch record").first).to_be_visible()

    # The earlier plan (sent back) and the attachments fold too, and open on a tap.
    old_plan = page.locator("details.si-earlier-plan")
    expect(old_plan.get_by_text("Too vague")).to_be_hidden()
    old_plan.locator("summary").click()
    expect(old_plan.get_by_text("Too vague")).to_be_visible()
    files = page.locator("details#attachments")
    expect(files.get_by_role("link", name="evidence-0.pdf")).to_be_hidden()
    files.locator(":scope > summary").click()
    expect(files.get_by_role("link", name="evidence-0.pdf")).to_be_visible()

    assert height < 4000, height  # 5,783 px before the folds


def test_the_sponsor_recognizes_an_answer_from_the_update_page_on_a_phone(
    browser, live_server, project, team
):
    published = StatusUpdateFactory(project=project, created_by=team["pm"], published=True, title="Week 12")
    question = UpdateCommentFactory(
        update=published, author=team["lead"], kind="question", body="Why the delay?"
    )
    answer = UpdateCommentFactory(
        update=published, author=team["sme"], kind="answer", parent=question, body="The column arrived late."
    )
    page = browser.new_context(viewport=PHONE).new_page()
    log_in(page, live_server.url, team["lead"].email)
    page.wait_for_url(f"{live_server.url}/projects/")
    page.goto(f"{live_server.url}{published.get_absolute_url()}")
    expect(page.get_by_role("link", name="Recognize this update")).to_be_visible()
    on_answer = page.locator(f"#comment-{answer.pk}").get_by_role("link", name="Recognize this answer")
    on_answer.scroll_into_view_if_needed()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "update-recognize-390.png"), full_page=True)
    on_answer.click()
    expect(page.get_by_text(f"Answer by {team['sme']}")).to_be_visible()
    expect(page.locator("nav.tabs [aria-current=page]")).to_have_text("Updates")
    page.get_by_label("What was good").fill("Clear and fast, thank you.")
    page.get_by_role("button", name="Give recognition").click()
    expect(page.locator(".messages")).to_contain_text("will see your recognition")
    assert Recognition.objects.get().target == answer
