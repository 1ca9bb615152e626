"""The demo data: every state, breached and escalated issues, recognition; safe to run twice."""

import pytest

from demo import issues as demo
from demo.world import seed_people_and_projects
from issues.models import EventKind, IssueEvent, IssueStatus, Recognition, ServiceIssue


@pytest.mark.clock
@pytest.mark.django_db
def test_demo_issues_cover_every_state_and_run_twice():
    world = seed_people_and_projects()
    demo.seed(world)
    counts = (ServiceIssue.objects.count(), IssueEvent.objects.count(), Recognition.objects.count())

    assert set(ServiceIssue.objects.values_list("status", flat=True)) == set(IssueStatus.values)
    breached = ServiceIssue.objects.get(project__code="HLX-207", severity="critical")
    assert breached.escalation_level == 2
    assert breached.acknowledge_breached_at and breached.plan_breach_count == 1
    assert (
        IssueEvent.objects.filter(issue=breached, kind=EventKind.ESCALATED, actor__isnull=True).count() == 2
    )
    assert ServiceIssue.objects.filter(escalation_level=1).exists()
    assert ServiceIssue.objects.filter(reopened_count__gt=0, status=IssueStatus.ACKNOWLEDGED).exists()
    within = ServiceIssue.objects.filter(
        status=IssueStatus.CLOSED, acknowledge_breached_at__isnull=True, plan_breach_count=0
    )
    assert within.count() >= 3
    assert Recognition.objects.count() >= 2
    assert IssueEvent.objects.filter(is_internal=True).exists()

    demo.seed(world)
    assert (ServiceIssue.objects.count(), IssueEvent.objects.count(), Recognition.objects.count()) == counts
