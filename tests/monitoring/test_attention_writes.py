"""Each write that changes a dashboard figure refreshes its project's stored figures in its own
transaction (issue 13): asserted right after the service call, with no sweep in between and no
commit (the test's transaction never commits, so nothing deferred to a commit could have run)."""

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction

from issues import services as issue_services
from issues.models import EscalationLevel, IssueStatus
from oversight.monitoring.attention import FIGURES, live_figures, refresh_attention
from oversight.monitoring.models import ProjectAttention
from oversight.monitoring.services import mark_breaches, recheck_projects
from portal.accounts.models import OrgRole
from projects import services as project_services
from projects.models import MilestoneKind, MilestoneStatus, ProjectMember, TeamRole
from projects.selectors import access_for
from tests.factories.organizations import UserFactory
from tests.issues.conftest import drive
from tests.projects.update_helpers import published_update

NOW = dt.datetime(2026, 11, 2, 8, 0, tzinfo=dt.UTC)  # a Monday morning

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def team(project, sponsor_lead, decision_maker, cdmo_pm, cdmo_sme):
    return {"lead": sponsor_lead, "dm": decision_maker, "pm": cdmo_pm, "sme": cdmo_sme}


def stored(project) -> dict:
    """The project's stored figures; each time also checked against a recompute."""
    row = ProjectAttention.objects.values(*FIGURES).get(project=project)
    assert row == live_figures([project.pk])[project.pk]
    return row


def test_a_new_project_has_its_row_at_once(sponsor, cdmo):
    admin = UserFactory(organization=sponsor, org_role=OrgRole.ADMIN)
    project = project_services.project_create(
        actor=admin,
        sponsor=sponsor,
        cdmo=cdmo,
        code="NEW-1",
        name="New program",
        start_date=dt.date(2026, 11, 2),
    )
    row = ProjectAttention.objects.get(project=project)
    assert (row.overall, row.score, row.refreshed_at) == (None, 0, NOW)
    assert stored(project)["score"] == 0


def test_publishing_an_update_stores_its_overall_status(project, team, frozen):
    published_update(team["pm"], project, overall_rag="red")
    assert stored(project)["overall"] == "red"
    assert stored(project)["score"] == 6
    frozen.shift(dt.timedelta(days=1))
    published_update(team["pm"], project, overall_rag="amber")
    assert (stored(project)["overall"], stored(project)["score"]) == ("amber", 3)


def test_a_slipped_forecast_counts_at_once_and_a_done_milestone_no_more(project, team):
    pm = access_for(user=team["pm"], project=project)
    milestone = project_services.milestone_create(
        access=pm, kind=MilestoneKind.ENGINEERING_BATCH, title="EB-01", baseline_date=dt.date(2026, 12, 1)
    )
    assert stored(project)["worst_slip"] == 0
    project_services.milestone_change_forecast(
        access=pm,
        milestone=milestone,
        new_date=dt.date(2026, 12, 22),
        reason="Resin late.",
        version=milestone.version,
    )
    assert (stored(project)["worst_slip"], stored(project)["score"]) == (21, 3)
    milestone.refresh_from_db()
    project_services.milestone_set_status(
        access=pm,
        milestone=milestone,
        status=MilestoneStatus.DONE,
        actual_date=dt.date(2026, 11, 2),
        version=milestone.version,
    )
    assert (stored(project)["worst_slip"], stored(project)["score"]) == (0, 0)


def test_a_breached_issue_counts_at_once_and_closing_it_ends_that(project, team, frozen):
    issue = issue_services.issue_raise(
        access=access_for(user=team["lead"], project=project),
        category="quality",
        severity="critical",
        title="Deviation notified late",
        description="We learned of it from a batch record.",
        desired_outcome="Notice within 24 hours.",
    )
    assert stored(project)["breached_issues"] == 0
    # At the top of the ladder already (the sponsor escalated), so no escalation saves the issue:
    # the breach is written by UPDATE alone.
    while issue.escalation_level < max(EscalationLevel):
        issue = issue_services.issue_escalate(issue=issue, reason="No answer.", actor=team["lead"])
    frozen.shift(dt.timedelta(days=10))
    assert mark_breaches(now=NOW + dt.timedelta(days=10)) == 2  # by UPDATE: acknowledge and plan
    assert (stored(project)["breached_issues"], stored(project)["score"]) == (1, 4)
    drive(issue, IssueStatus.CLOSED, team, project)
    assert stored(project)["breached_issues"] == 0


def test_flags_raised_and_cleared_by_a_recheck_count_at_once(project, team, sponsor):
    lead = access_for(user=team["lead"], project=project)
    member = ProjectMember.objects.get(project=project, role=TeamRole.DECISION_MAKER, removed_at__isnull=True)
    project_services.team_member_remove(access=lead, member=member, confirmed=True)
    recheck_projects(project_ids=[project.pk])
    figures = stored(project)
    assert figures["decision_maker_flagged"] is True
    assert figures["critical_flags"] + figures["warning_flags"] >= 1
    assert figures["score"] > 0

    project_services.team_member_add(
        access=lead, user=UserFactory(organization=sponsor), role=TeamRole.DECISION_MAKER
    )
    recheck_projects(project_ids=[project.pk])
    assert stored(project)["decision_maker_flagged"] is False


def test_a_rolled_back_write_leaves_the_figures_as_they_were(project, team, frozen):
    published_update(team["pm"], project, overall_rag="green")
    frozen.shift(dt.timedelta(days=1))

    class Refused(Exception):
        pass

    with pytest.raises(Refused), transaction.atomic():
        published_update(team["pm"], project, overall_rag="red")
        assert stored(project)["overall"] == "red"
        raise Refused
    assert stored(project)["overall"] == "green"


def test_a_refresh_writes_only_rows_whose_figures_changed(project, team, frozen):
    published_update(team["pm"], project, overall_rag="amber")
    first = ProjectAttention.objects.get(project=project).refreshed_at
    frozen.shift(dt.timedelta(hours=1))
    assert refresh_attention() == 0
    assert refresh_attention(project_ids=[project.pk]) == 0
    assert ProjectAttention.objects.get(project=project).refreshed_at == first
    ProjectAttention.objects.filter(project=project).update(score=99)  # as if it had drifted
    assert refresh_attention() == 1
    assert stored(project)["score"] == 3


def test_migrate_fills_the_figures_of_projects_without_a_row(project, team):
    published_update(team["pm"], project, overall_rag="red")
    ProjectAttention.objects.filter(project=project).delete()  # derived data, as before the table existed
    call_command("migrate", verbosity=0)
    assert stored(project)["overall"] == "red"
