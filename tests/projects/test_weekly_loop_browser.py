"""The weekly loop in real Chromium: the CDMO project manager publishes an update, the sponsor lead
acknowledges it and asks a question, the project manager answers. Plus a milestone moved in place."""

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from projects.models import (
    DecisionRequest,
    MilestoneForecastChange,
    StatusUpdate,
    UpdateAcknowledgement,
    UpdateComment,
)
from tests.browser import log_in
from tests.factories.organizations import DEFAULT_PASSWORD
from tests.factories.projects import MilestoneFactory
from tests.test_accessibility import Audit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page: Page, base: str, email: str) -> None:
    log_in(page, base, email)
    expect(page).to_have_url(re.compile(r"/projects/$"))


def _watch_console(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    return errors


def test_pm_publishes_sponsor_acknowledges_and_asks_pm_answers(
    live_server, browser: Browser, project, cdmo_pm, sponsor_lead, decision_maker
):
    base = live_server.url
    pm_page = browser.new_context().new_page()
    pm_errors = _watch_console(pm_page)
    _login(pm_page, base, cdmo_pm.email)

    # The project manager writes this week's update.
    pm_page.goto(f"{base}/projects/{project.pk}/updates/")
    expect(pm_page.get_by_text("No updates yet")).to_be_visible()
    pm_page.get_by_role("button", name="Write the first update").click()
    expect(pm_page).to_have_url(re.compile(r"/updates/\d+/edit/$"))
    pm_page.get_by_label("Headline").fill("Engineering batch EB-02 complete; titre above target")
    # Autosave: a change is saved in the background and the page says so.
    pm_page.get_by_label("Summary").fill("EB-02 completed at 200 L; titre 3.1 g/L against a 2.8 g/L target.")
    pm_page.get_by_label("Headline").click()
    expect(pm_page.locator("#save-status")).to_have_text(re.compile(r"Saved \d\d:\d\d"), timeout=10000)
    draft = StatusUpdate.objects.get(project=project)
    assert draft.summary.startswith("EB-02 completed")
    for legend, colour in (
        ("Overall status", "Green"),
        ("Schedule", "Green"),
        ("Budget", "Amber"),
        ("Quality", "Green"),
        ("Supply", "Green"),
    ):
        pm_page.locator("fieldset.rag-field", has_text=legend).get_by_text(colour, exact=True).click()
    pm_page.get_by_label("Progress since the last update").fill(
        "Harvest, capture and viral inactivation done."
    )
    pm_page.get_by_label("Next step 1", exact=True).fill("Start GMP-01")
    pm_page.get_by_label("Due date of step 1").fill(
        (timezone.localdate() + datetime.timedelta(days=7)).isoformat()
    )
    pm_page.get_by_label("Decision 1", exact=True).fill("Approve the alternative Protein A resin")
    pm_page.get_by_label("Needed by (decision 1)").fill(
        (timezone.localdate() + datetime.timedelta(days=5)).isoformat()
    )
    # The decision is a choice between two options, with the one the CDMO recommends and why.
    pm_page.get_by_text("Options to choose from").click()
    pm_page.get_by_label("Option 1 of decision 1").fill("MabSelect PrismA")
    pm_page.get_by_label("What option 1 means (decision 1)").fill("Qualified; ten weeks' lead time.")
    pm_page.get_by_label("Option 2 of decision 1").fill("Eshmuno A")
    pm_page.get_by_label("What option 2 means (decision 1)").fill("In stock; one comparability run.")
    pm_page.get_by_label("Option 2", exact=True).check()
    pm_page.get_by_label("Why this option (decision 1)").fill("It keeps the GMP-01 start date.")
    audit = Audit()
    audit.check(pm_page, "CDMO project manager")
    pm_page.get_by_role("button", name="Publish").click()
    expect(
        pm_page.get_by_text("Read it through as the sponsor will, then sign to publish it.")
    ).to_be_visible()
    pm_page.get_by_label("Your password").fill(DEFAULT_PASSWORD)
    pm_page.get_by_role("button", name="Sign and publish").click()
    expect(
        pm_page.get_by_text("Update published. The sponsor's project team will be emailed.")
    ).to_be_visible()
    update = StatusUpdate.objects.get(project=project, status="published")
    assert update.budget_rag == "amber" and update.next_steps[0]["description"] == "Start GMP-01"
    assert {m.to[0] for m in mail.outbox} == {sponsor_lead.email, decision_maker.email}
    assert any("Recommended: Eshmuno A" in m.body for m in mail.outbox)

    # The sponsor lead reads it, acknowledges with one click and asks a question.
    lead_page = browser.new_context().new_page()
    lead_errors = _watch_console(lead_page)
    _login(lead_page, base, sponsor_lead.email)
    lead_page.goto(f"{base}/projects/{project.pk}/")
    expect(lead_page.get_by_text("Green in the latest update")).to_be_visible()
    expect(lead_page.get_by_text("Approve the alternative Protein A resin")).to_be_visible()
    lead_page.get_by_role("link", name="Updates", exact=True).click()
    lead_page.get_by_role("link", name="Engineering batch EB-02 complete; titre above target").click()
    expect(lead_page.get_by_text("Harvest, capture and viral inactivation done.")).to_be_visible()
    lead_page.get_by_role("button", name="Acknowledge").click()
    expect(lead_page.get_by_text("You acknowledged this update on")).to_be_visible()
    assert UpdateAcknowledgement.objects.filter(update=update, user=sponsor_lead).count() == 1
    lead_page.get_by_label("Your comment or question").fill("Which resin lot is reserved for GMP-01?")
    lead_page.get_by_text("Question (starts the response clock)").click()
    lead_page.get_by_role("button", name="Post").click()
    expect(
        lead_page.locator("#discussion").get_by_text("Which resin lot is reserved for GMP-01?")
    ).to_be_visible()
    expect(lead_page.get_by_text(re.compile("Open · answer due by"))).to_be_visible()
    expect(lead_page.get_by_label("Your comment or question")).to_have_value("")

    # The project manager sees who acknowledged, and answers in the thread.
    pm_page.reload()
    expect(pm_page.locator("#acknowledgements").get_by_text("Emily Carter")).to_be_visible()
    pm_page.get_by_label("Answer", exact=True).fill("Lot 24-118, reserved until June.")
    pm_page.get_by_role("button", name="Send answer").click()
    expect(
        pm_page.get_by_text(re.compile(r"Answered by Lena Hoffmann in .* within the agreed time"))
    ).to_be_visible()
    question = UpdateComment.objects.get(kind="question")
    assert question.answered_by == cdmo_pm and question.answered_at is not None

    # The sponsor lead sees the answer and how long it took.
    lead_page.reload()
    expect(lead_page.get_by_text("Lot 24-118, reserved until June.")).to_be_visible()
    expect(lead_page.get_by_text(re.compile("Answered by Lena Hoffmann in"))).to_be_visible()
    assert any(m.to == [sponsor_lead.email] and "answered your question" in m.subject for m in mail.outbox)

    # The decision-maker approves the recommended option, signing; the CDMO is told.
    maker_page = browser.new_context().new_page()
    maker_errors = _watch_console(maker_page)
    _login(maker_page, base, decision_maker.email)
    maker_page.goto(f"{base}/projects/{project.pk}/")
    expect(maker_page.get_by_text("Recommended: Eshmuno A")).to_be_visible()
    maker_page.get_by_role("link", name="Approve the alternative Protein A resin").click()
    expect(maker_page.get_by_role("heading", name="Options")).to_be_visible()
    approve = maker_page.locator("section", has=maker_page.get_by_role("heading", name="Approve an option"))
    expect(approve.get_by_label("Eshmuno A")).to_be_checked()
    audit.check(maker_page, "sponsor decision-maker")
    approve.get_by_label("Your password").fill(DEFAULT_PASSWORD)
    approve.get_by_role("button", name="Sign and approve").click()
    expect(maker_page.get_by_text("Decision recorded and signed.")).to_be_visible()
    expect(maker_page.get_by_text("Option approved")).to_be_visible()
    audit.check(maker_page, "sponsor decision-maker")
    decision = DecisionRequest.objects.get(update=update)
    assert decision.approved_option.label == "Eshmuno A" and decision.outcome == "approved"
    assert not audit.failures, audit.failures
    assert not pm_errors and not lead_errors and not maker_errors, pm_errors + lead_errors + maker_errors


def test_pm_moves_a_milestone_forecast_in_place_and_a_missing_reason_is_caught(
    live_server, page: Page, project, cdmo_pm, sponsor_lead
):
    milestone = MilestoneFactory(
        project=project,
        title="GMP batch GMP-01",
        baseline_date=timezone.localdate() + datetime.timedelta(days=30),
    )
    errors = _watch_console(page)
    _login(page, live_server.url, cdmo_pm.email)
    page.goto(f"{live_server.url}/projects/{project.pk}/milestones/")
    expect(page.locator("svg.timeline-svg")).to_be_visible()
    row = page.locator(f"#milestone-{milestone.pk}")
    row.get_by_role("link", name="Edit").click()
    new_date = milestone.baseline_date + datetime.timedelta(days=14)
    row.get_by_label("Forecast date").fill(new_date.isoformat())
    row.get_by_role("button", name="Save").click()
    expect(row.get_by_text("Give the reason for moving the forecast")).to_be_visible()
    expect(row.get_by_label("Forecast date")).to_have_value(new_date.isoformat())
    row.get_by_label("Reason for moving the forecast").fill("Media lot failed incoming QC.")
    row.get_by_role("button", name="Save").click()
    expect(row.get_by_text("+14 days")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/milestones/$"))  # changed in place, no navigation
    change = MilestoneForecastChange.objects.get()
    assert change.reason == "Media lot failed incoming QC." and change.changed_by == cdmo_pm
    assert [m.to for m in mail.outbox] == [[sponsor_lead.email]]
    assert not errors, errors
