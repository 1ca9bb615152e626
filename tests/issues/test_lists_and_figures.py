"""Lists (filters, countdowns, pagination, query counts) and figures (medians, shares, ages)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from issues.models import IssueEvent, IssueStatus, ResolutionPlan, ServiceIssue, Severity
from issues.selectors import figures_by_cdmo, project_figures
from projects.models import TeamRole
from tests.factories.issues import IssueEventFactory, ResolutionPlanFactory, ServiceIssueFactory
from tests.factories.organizations import CDMOFactory
from tests.factories.projects import ProjectFactory, ProjectMemberFactory

from .conftest import access

BERLIN = ZoneInfo("Europe/Berlin")
NOW = dt.datetime(2025, 11, 18, 12, 0, tzinfo=BERLIN)


def issue(project, raiser, **fields):
    defaults = {
        "raised_at": NOW - dt.timedelta(hours=2),
        "acknowledge_by": NOW + dt.timedelta(hours=2),
        "plan_by": NOW + dt.timedelta(days=1),
    }
    return ServiceIssueFactory(project=project, raised_by=raiser, **{**defaults, **fields})


def answered(project, raiser, *, ack_hours, plan_hours=None, **fields):
    """An issue acknowledged (and planned) after the given business hours."""
    extra = {
        "status": IssueStatus.ACKNOWLEDGED,
        "acknowledged_at": NOW - dt.timedelta(hours=1),
        "hours_to_acknowledge": ack_hours,
    }
    if plan_hours is not None:
        extra.update(
            status=IssueStatus.PLAN_ACCEPTED,
            first_plan_proposed_at=NOW - dt.timedelta(minutes=30),
            plan_proposed_at=NOW - dt.timedelta(minutes=30),
            hours_to_first_plan=plan_hours,
        )
    return issue(project, raiser, **{**extra, **fields})


# Lists ------------------------------------------------------------------------------------


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_rows_count_down_to_the_next_deadline(client, project, team):
    issue(project, team["lead"], title="Due soon", acknowledge_by=NOW + dt.timedelta(hours=3, minutes=20))
    issue(
        project,
        team["lead"],
        title="Overdue",
        raised_at=NOW - dt.timedelta(days=3),
        acknowledge_by=NOW - dt.timedelta(days=1, hours=2),
    )
    issue(
        project,
        team["lead"],
        title="Needs a plan",
        status=IssueStatus.ACKNOWLEDGED,
        acknowledged_at=NOW,
        plan_by=NOW + dt.timedelta(days=2, hours=1),
    )
    client.force_login(team["pm"])
    body = client.get(reverse("issues:project_issues", kwargs={"project_id": project.pk})).content.decode()
    assert "Due in 3h 20m" in body
    assert 'si-overdue">Overdue by 1d 2h' in body
    assert "Due in 2d 1h" in body
    # Overdue first, then the soonest deadline.
    assert body.index("Overdue by") < body.index("Due in 3h 20m") < body.index("Due in 2d 1h")


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_filters_by_status_severity_category_and_breach(client, project, team):
    issue(
        project,
        team["lead"],
        title="Critical open overdue",
        severity=Severity.CRITICAL,
        raised_at=NOW - dt.timedelta(hours=5),
        acknowledge_by=NOW - dt.timedelta(hours=1),
    )
    issue(project, team["lead"], title="Minor open on time", severity=Severity.MINOR, category="schedule")
    answered(
        project,
        team["lead"],
        ack_hours=9,
        title="Late once",
        acknowledge_breached_at=NOW - dt.timedelta(days=1),
    )
    issue(
        project,
        team["lead"],
        title="Closed long ago",
        status=IssueStatus.CLOSED,
        acknowledged_at=NOW,
        resolved_at=NOW,
        closed_at=NOW,
    )
    client.force_login(team["lead"])
    url = reverse("issues:project_issues", kwargs={"project_id": project.pk})

    def titles(query):
        body = client.get(url + query).content.decode()
        return {
            t
            for t in ("Critical open overdue", "Minor open on time", "Late once", "Closed long ago")
            if t in body
        }

    assert titles("?severity=critical") == {"Critical open overdue"}
    assert titles("?category=schedule") == {"Minor open on time"}
    assert titles("?status=active") == {"Critical open overdue", "Minor open on time", "Late once"}
    assert titles("?status=closed") == {"Closed long ago"}
    assert titles("?breach=overdue") == {"Critical open overdue"}
    assert titles("?breach=breached") == {"Critical open overdue", "Late once"}
    assert titles("?breach=within") == {"Minor open on time", "Closed long ago"}
    body = client.get(url + "?severity=major&category=other").content.decode()
    assert "No service issues match these filters" in body


@pytest.mark.django_db
def test_htmx_filtering_returns_only_the_results(client, project, team):
    issue(project, team["lead"], title="Only one")
    client.force_login(team["lead"])
    response = client.get(
        reverse("issues:project_issues", kwargs={"project_id": project.pk}) + "?severity=major",
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="results"')
    assert "Only one" in body and "<html" not in body


@pytest.mark.django_db
def test_my_list_spans_my_projects_only(client, project, team, outsider):
    issue(project, team["lead"], title="Acme issue")
    other = ProjectFactory(sponsor=project.sponsor, cdmo=project.cdmo, code="ACM-999")
    issue(other, team["lead"], title="Not on my team")
    client.force_login(team["lead"])
    body = client.get(reverse("issues:list")).content.decode()
    assert "Acme issue" in body and "Not on my team" not in body
    client.force_login(outsider)
    body = client.get(reverse("issues:list")).content.decode()
    assert "Acme issue" not in body and "No service issues" in body


@pytest.mark.django_db
def test_lists_paginate(client, project, team):
    for n in range(30):
        issue(project, team["lead"], title=f"Issue number {n:02d}")
    client.force_login(team["lead"])
    url = reverse("issues:list")
    first, second = client.get(url).content.decode(), client.get(url + "?page=2").content.decode()
    assert "1–25 of 30" in first and "26–30 of 30" in second
    assert first.count("Issue number") == 25 and second.count("Issue number") == 5


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["tab", "list", "detail"])
def test_page_query_counts_do_not_grow_with_the_data(client, project, team, page):
    """Whole pages (the shared project frame included) cost the same at 2 and 22 issues."""

    def add(n):
        for i in range(n):
            made = answered(project, team["lead"], ack_hours=2, plan_hours=6, title=f"Issue {i}")
            ResolutionPlanFactory(issue=made, status="accepted", responded_at=NOW, responded_by=team["lead"])
            IssueEventFactory(issue=made)
        return made

    client.force_login(team["lead"])
    target = add(2)
    client.get(target.get_absolute_url())  # warm per-process caches (content types)
    url = {
        "tab": reverse("issues:project_issues", kwargs={"project_id": project.pk}),
        "list": reverse("issues:list"),
        "detail": target.get_absolute_url(),
    }[page]
    small = _queries(client, url)
    add(20)
    for _ in range(3):
        IssueEventFactory(issue=target)
        ResolutionPlanFactory(issue=target, status="sent_back", responded_at=NOW, responded_by=team["lead"])
    assert _queries(client, url) == small


@pytest.mark.django_db
@pytest.mark.parametrize("size", [2, 22])
def test_selector_query_counts_are_pinned(size, project, team, django_assert_num_queries):
    """The issues part of each page, pinned at two sizes."""
    from issues.selectors import (
        IssueFilters,
        accepted_plan_target,
        issue_list_for_user,
        issue_timeline,
        project_issue_list,
    )
    from issues.views.log import _detail_context

    for i in range(size):
        made = answered(project, team["lead"], ack_hours=2, plan_hours=6, title=f"Issue {i}")
        ResolutionPlanFactory(issue=made, status="accepted", responded_at=NOW, responded_by=team["lead"])
        IssueEventFactory(issue=made)
    lead_access = access(team["lead"], project)
    with django_assert_num_queries(1):  # rows with their accepted plan's target
        rows = list(
            project_issue_list(project=project, filters=IssueFilters()).annotate(
                plan_target=accepted_plan_target()
            )
        )
        [(r.project.cdmo.name, r.raised_by.full_name, r.plan_target) for r in rows]
    with django_assert_num_queries(1):
        rows = list(
            issue_list_for_user(user=team["lead"], filters=IssueFilters()).annotate(
                plan_target=accepted_plan_target()
            )
        )
        [(r.project.cdmo.name, r.raised_by.full_name, r.plan_target) for r in rows]
    with django_assert_num_queries(1):
        project_figures(project=project)
    with django_assert_num_queries(1):
        figures_by_cdmo(user=team["lead"])
    with django_assert_num_queries(1):
        events = issue_timeline(issue=made, access=lead_access)
        [(e.actor.full_name if e.actor else "", str(e.actor.organization) if e.actor else "") for e in events]
    made.project = project
    # Content types are cached per process after the first lookup.
    ContentType.objects.get_for_models(ServiceIssue, ResolutionPlan, IssueEvent)
    request = RequestFactory().get("/")
    request.user, request.session = team["lead"], {}
    # Plans, recognition, timeline, their signatures, attachments, the people at the next rung.
    with django_assert_num_queries(6):
        _detail_context(request, {}, made, lead_access)


# Figures -----------------------------------------------------------------------------------


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_project_figures(project, team):
    lead = team["lead"]
    answered(project, lead, ack_hours=1, plan_hours=4)
    answered(project, lead, ack_hours=3, plan_hours=10, plan_breach_count=1)
    answered(
        project,
        lead,
        ack_hours=12,
        acknowledge_by=NOW - dt.timedelta(hours=1),
        acknowledge_breached_at=NOW,
        acknowledged_at=NOW,
    )
    answered(
        project,
        lead,
        ack_hours=2,
        plan_hours=5,
        status=IssueStatus.CLOSED,
        resolved_at=NOW,
        closed_at=NOW,
        reopened_count=1,
    )
    answered(
        project,
        lead,
        ack_hours=2,
        plan_hours=5,
        status=IssueStatus.RESOLVED,
        resolved_at=NOW,
        raised_at=NOW - dt.timedelta(days=40),
    )
    issue(project, lead, severity=Severity.CRITICAL, raised_at=NOW - dt.timedelta(days=10))
    issue(project, lead, severity=Severity.MINOR, raised_at=NOW - dt.timedelta(days=40))

    figures = project_figures(project=project)
    assert figures.total == 7
    assert figures.median_hours_to_acknowledge == 2.0  # 1, 2, 2, 3, 12
    assert figures.median_hours_to_plan == 5.0  # 4, 5, 5, 10
    assert (figures.acknowledge_in_time, figures.acknowledge_evaluated) == (4, 5)
    assert (figures.plan_in_time, figures.plan_evaluated) == (3, 4)
    assert (figures.reopened, figures.resolved_ever) == (1, 2)
    assert figures.reopen_rate == 0.5
    # Still being worked on: not resolved or closed; by severity and age.
    assert figures.open_total == 5
    open_rows = {label: counts for label, counts, _ in figures.open_rows()}
    assert open_rows == {"Critical": [0, 1, 0], "Major": [3, 0, 0], "Minor": [0, 0, 1]}


@pytest.mark.django_db
def test_figures_with_no_issues_show_dashes(client, project, team):
    figures = project_figures(project=project)
    assert (figures.total, figures.median_hours_to_acknowledge, figures.acknowledge_share) == (0, None, None)
    client.force_login(team["lead"])
    body = client.get(reverse("issues:project_issues", kwargs={"project_id": project.pk})).content.decode()
    assert "No service issues on this project" in body
    assert "Raise a service issue" in body


@pytest.mark.django_db
def test_figures_per_cdmo_across_the_sponsors_projects(
    project, team, sponsor_exec, django_assert_num_queries
):
    other_cdmo = CDMOFactory(name="Cascade Pharma", country="US", time_zone="America/Chicago")
    other = ProjectFactory(sponsor=project.sponsor, cdmo=other_cdmo, code="ACM-114")
    ProjectMemberFactory(project=other, role=TeamRole.SPONSOR_LEAD, user=team["lead"])
    answered(project, team["lead"], ack_hours=1)
    answered(project, team["lead"], ack_hours=3)
    answered(other, team["lead"], ack_hours=20, acknowledge_breached_at=timezone.now())
    with django_assert_num_queries(1):  # from the visible projects: one grouped aggregate
        rows = figures_by_cdmo(user=sponsor_exec)
    assert [(f.label, f.total, f.median_hours_to_acknowledge) for f in rows] == [
        ("Cascade Pharma", 1, 20.0),
        ("Northbridge CDMO", 2, 2.0),
    ]
    assert rows[0].acknowledge_share == 0.0 and rows[1].acknowledge_share == 1.0


@pytest.mark.django_db
def test_the_list_page_shows_figures_per_cdmo(client, project, team):
    answered(project, team["lead"], ack_hours=3)
    client.force_login(team["lead"])
    body = client.get(reverse("issues:list")).content.decode()
    assert "How your CDMOs answer service issues" in body
    assert "3 business hours" in body


@pytest.mark.django_db
def test_only_issue_rows_of_the_project_are_counted(project, team):
    other = ProjectFactory(sponsor=project.sponsor, cdmo=project.cdmo)
    answered(other, team["lead"], ack_hours=50)
    assert project_figures(project=project).total == 0
    assert ServiceIssue.objects.count() == 1
