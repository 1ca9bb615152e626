"""The issue lists page through `ListedIssues`: same rows and order as the sorted queryset, a
constant number of queries however many issues, and `paginate()`'s rules for odd page numbers;
and the figures beside them count open issues by age in one query."""

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from issues.models import IssueStatus, Severity
from issues.selectors import (
    IssueFilters,
    ListedIssues,
    figures_by_cdmo,
    issue_list_for_user,
    project_figures,
)
from tests.factories.issues import ResolutionPlanFactory, ServiceIssueFactory
from tests.factories.projects import ProjectFactory

NOW = dt.datetime(2025, 11, 18, 11, 0, tzinfo=dt.UTC)
STATUSES = [IssueStatus.OPEN, IssueStatus.ACKNOWLEDGED, IssueStatus.PLAN_ACCEPTED, IssueStatus.CLOSED]


def add_issues(project, raiser, count, start=0):
    """Issues in every status and severity, with deadlines spread out, so the sort has work to do."""
    for n in range(start, start + count):
        status = STATUSES[n % len(STATUSES)]
        extra = {}
        if status != IssueStatus.OPEN:
            extra["acknowledged_at"] = NOW - dt.timedelta(hours=1)
        if status == IssueStatus.CLOSED:
            extra.update(resolved_at=NOW, closed_at=NOW)
        made = ServiceIssueFactory(
            project=project,
            raised_by=raiser,
            title=f"Issue number {n:02d}",
            status=status,
            severity=list(Severity)[n % 3],
            raised_at=NOW - dt.timedelta(hours=40 - n % 7),
            acknowledge_by=NOW + dt.timedelta(hours=(n * 7) % 11),
            plan_by=NOW + dt.timedelta(hours=(n * 5) % 13 + 1),
            **extra,
        )
        if status == IssueStatus.PLAN_ACCEPTED:
            ResolutionPlanFactory(issue=made, status="accepted", responded_at=NOW, responded_by=raiser)


def titles(body: str) -> list[str]:
    return re.findall(r"Issue number \d\d", body)


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_pages_hold_the_sorted_list_in_order(client, project, team):
    add_issues(project, team["lead"], 30)
    client.force_login(team["lead"])
    url = reverse("issues:list")
    expected = [
        i.title for i in issue_list_for_user(user=team["lead"], filters=IssueFilters())
    ]  # the sorted queryset, read whole
    first, second = client.get(url).content.decode(), client.get(url + "?page=2").content.decode()
    assert titles(first) + titles(second) == expected
    assert "1–25 of 30" in first and "26–30 of 30" in second
    for odd in ("last", "99"):  # past the end, or "last": the last page
        body = client.get(f"{url}?page={odd}").content.decode()
        assert titles(body) == expected[25:] and "Page 2 of 2" in body
    for junk in ("0", "-1", "abc", "2.5"):
        assert titles(client.get(f"{url}?page={junk}").content.decode()) == expected[:25]


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("name", ["issues:list", "issues:project_issues"])
def test_list_queries_stay_the_same_from_3_to_30_issues(client, project, team, name):
    client.force_login(team["lead"])
    url = reverse(name, kwargs={"project_id": project.pk} if name != "issues:list" else None)

    def queries(query=""):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url + query).status_code == 200
        return len(captured)

    add_issues(project, team["lead"], 3)
    small = queries()
    add_issues(project, team["lead"], 27, start=3)
    other = ProjectFactory(sponsor=project.sponsor, cdmo=project.cdmo, code="ACM-777")
    add_issues(other, team["lead"], 5, start=40)  # not on the lead's team: never listed
    assert queries() == small and queries("?page=2") == small


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_listed_issues_reads_the_page_and_total_in_one_query(project, team, django_assert_num_queries):
    add_issues(project, team["lead"], 30)
    issues = issue_list_for_user(user=team["lead"], filters=IssueFilters())
    listed = ListedIssues(issues, page="2", per_page=25)
    with django_assert_num_queries(2):  # ids and total; the rows with their accepted plan's target
        assert listed.count() == 30
        rows = listed[25:30]
        [(r.project.cdmo.name, r.project.sponsor.name, r.raised_by.full_name, r.plan_target) for r in rows]
    assert rows == list(issues)[25:]
    empty = ListedIssues(issues.filter(title="nothing"), page=None, per_page=25)
    with django_assert_num_queries(1):
        assert empty.count() == 0 and empty[0:0] == []


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_open_issues_fall_in_age_buckets_at_their_edges(project, team):
    """A week old is in "1–4 weeks", four weeks old is "Older", the same per CDMO as per project."""
    for days in (0, 7 - 1 / 24, 7, 28 - 1 / 24, 28):
        ServiceIssueFactory(
            project=project,
            raised_by=team["lead"],
            severity=Severity.MAJOR,
            raised_at=NOW - dt.timedelta(days=days),
            acknowledge_by=NOW + dt.timedelta(hours=1),
            plan_by=NOW + dt.timedelta(hours=2),
        )
    rows = {label: counts for label, counts, _ in project_figures(project=project).open_rows()}
    assert rows["Major"] == [2, 2, 1] and rows["Critical"] == [0, 0, 0]
    (per_cdmo,) = figures_by_cdmo(user=team["lead"])
    assert per_cdmo.open_by_severity == {Severity.MAJOR: [2, 2, 1]} and per_cdmo.open_total == 5
