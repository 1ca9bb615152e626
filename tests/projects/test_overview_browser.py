"""The project overview with every panel filled (its rows printed in Python, some of them holding
markup people typed) passes axe on a laptop and on a phone, and shows the typed text as text."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from oversight.monitoring.models import FlagKind
from oversight.monitoring.models import Severity as FlagSeverity
from projects.models import DecisionRequest, TeamRole
from tests.browser import log_in
from tests.factories.issues import ServiceIssueFactory
from tests.factories.meetings import MeetingFactory
from tests.factories.monitoring import FlagFactory
from tests.factories.organizations import UserFactory
from tests.factories.projects import MilestoneFactory, ProjectMemberFactory, StatusUpdateFactory
from tests.test_accessibility import Audit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TYPED = "<b>Bold</b> claim & <script>window.typed = 1</script>"


def test_a_full_overview_passes_axe_and_shows_typed_markup_as_text(
    browser, live_server, project, sponsor_lead, cdmo_pm
):
    now, today = timezone.now(), timezone.localdate()
    ProjectMemberFactory(
        project=project,
        role=TeamRole.DECISION_MAKER,
        user=UserFactory(organization=project.sponsor, full_name=f"Dana {TYPED}"),
    )
    update = StatusUpdateFactory(
        project=project, created_by=cdmo_pm, published=True, title=f"Week 49 {TYPED}"
    )
    MilestoneFactory(
        project=project,
        title=f"GMP-01 {TYPED}",
        baseline_date=today - dt.timedelta(days=20),
        forecast_date=today - dt.timedelta(days=1),
    )
    MilestoneFactory(project=project, title="Release", baseline_date=today + dt.timedelta(days=40))
    DecisionRequest.objects.create(
        project=project, update=update, title=f"Approve {TYPED}", needed_by=today - dt.timedelta(days=1)
    )
    ServiceIssueFactory(project=project, title=f"Late {TYPED}", raised_at=now)
    FlagFactory(
        project=project, kind=FlagKind.MILESTONE_SLIP, severity=FlagSeverity.WARNING, explanation=TYPED
    )
    MeetingFactory(project=project, starts_at=now + dt.timedelta(days=2))

    page = browser.new_context().new_page()
    log_in(page, live_server.url, sponsor_lead.email)
    page.goto(f"{live_server.url}{project.get_absolute_url()}")
    for panel in ("#overview-milestones", "#decisions-needed", "#overview-issues", "#overview-flags"):
        expect(page.locator(panel)).to_contain_text(TYPED)
    expect(page.locator("section[aria-labelledby=overview-contacts-title]")).to_contain_text(f"Dana {TYPED}")
    assert page.evaluate("() => window.typed") is None
    assert page.locator("#overview-milestones b, #overview-flags b, #overview-issues b").count() == 0

    audit = Audit()
    audit.check(page, "sponsor project lead")
    assert not audit.failures, audit.failures
