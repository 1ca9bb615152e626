"""No surprises with the working agreement's notice of a slip: a slip counts as announced in time
when the forecast moved past the baseline at least the agreed notice (calendar days) before the
baseline date, the notice of the version in force at the end of the baseline date (UTC); 14
before any version came into force."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from oversight.scorecards.figures import refresh_projects
from oversight.scorecards.measures import NO_SURPRISES, scope_of
from projects.models import Project, TeamRole
from tests.factories.projects import staff_project

from .helpers import QUARTERS, UTC, measured, member, milestone
from .test_on_time_tolerance import _agree, _change_to

pytestmark = pytest.mark.usefixtures("frozen_now")

Q4, Q3, Q2, Q1, Q4_2025 = QUARTERS
d = dt.date


@pytest.fixture
def project(db):
    return staff_project(start_date=dt.date(2026, 6, 1), update_cadence_days=14)


def _verdicts(project) -> dict:
    """{milestone id: (kept, days of notice, notice agreed)}, as the measure judged each one."""
    scope = scope_of([Project.objects.select_related("sponsor", "cdmo").get(pk=project.pk)], QUARTERS)
    return {
        record.ref[1]: (record.kept, record.sample[0], record.allowance)
        for records in NO_SURPRISES.compute(scope).values()
        for record in records
    }


@pytest.mark.parametrize(("notice", "kept", "display"), [(7, 2, "67 %"), (14, 1, "33 %")])
def test_a_slip_announced_ten_days_ahead_is_in_time_under_seven_not_under_fourteen(
    project, notice, kept, display
):
    _agree(project, dt.datetime(2026, 7, 1, 9, tzinfo=UTC), slip_notice_days=notice)
    # Due 31 Aug, moved past it on 21 Aug (10 days ahead), done 3 Sep.
    ten_ahead = milestone(project, d(2026, 8, 31), (d(2026, 8, 21), d(2026, 9, 4)), done=d(2026, 9, 3))
    # Due 15 Sep, moved on 1 Sep (14 days ahead): in time either way.
    fourteen_ahead = milestone(project, d(2026, 9, 15), (d(2026, 9, 1), d(2026, 9, 22)), done=d(2026, 9, 21))
    # Due 20 Sep, done 25 Sep, never announced: a surprise either way.
    never = milestone(project, d(2026, 9, 20), done=d(2026, 9, 25))

    assert _verdicts(project) == {
        ten_ahead.pk: (notice <= 10, 10, notice),
        fourteen_ahead.pk: (True, 14, notice),
        never.pk: (False, 0, notice),
    }
    q3 = measured(NO_SURPRISES, project, QUARTERS)[Q3]
    assert (q3.n, q3.tally.kept, q3.display) == (3, kept, display)
    # The details do not depend on the notice agreed: notice 10, 14, 0 (median 10); moves 1, 1, 0.
    assert q3.details == ("median 10 days' notice", "0.7 forecast moves per milestone")


def test_the_version_in_force_on_the_baseline_date_applies(client, project):
    """v1 (14 days) from 1 Jul 09:00 UTC; v2 (7 days) from 15 Aug 10:00 UTC."""
    _agree(project, dt.datetime(2026, 7, 1, 9, tzinfo=UTC))
    _change_to(project, dt.datetime(2026, 8, 15, 10, tzinfo=UTC), slip_notice_days=7)
    # Due before any version was in force: the default 14.
    before_any = milestone(project, d(2026, 6, 25), (d(2026, 6, 15), d(2026, 6, 30)), done=d(2026, 6, 29))
    # Due under v1, 10 days' notice: short of its 14.
    under_v1 = milestone(project, d(2026, 8, 10), (d(2026, 7, 31), d(2026, 8, 20)), done=d(2026, 8, 19))
    eve_of_v2 = milestone(project, d(2026, 8, 14), (d(2026, 8, 4), d(2026, 8, 20)), done=d(2026, 8, 19))
    # Due on the day v2 came into force (at 10:00): the version in force at the day's end is v2,
    # though the slip was announced while v1 was in force (the notice is owed against the date).
    day_of_v2 = milestone(project, d(2026, 8, 15), (d(2026, 8, 5), d(2026, 8, 21)), done=d(2026, 8, 20))
    at_the_limit = milestone(project, d(2026, 9, 1), (d(2026, 8, 25), d(2026, 9, 8)), done=d(2026, 9, 7))
    short_of_it = milestone(project, d(2026, 9, 2), (d(2026, 8, 27), d(2026, 9, 8)), done=d(2026, 9, 7))

    assert _verdicts(project) == {
        before_any.pk: (False, 10, 14),
        under_v1.pk: (False, 10, 14),
        eve_of_v2.pk: (False, 10, 14),
        day_of_v2.pk: (True, 10, 7),
        at_the_limit.pk: (True, 7, 7),
        short_of_it.pk: (False, 6, 7),
    }
    q3 = measured(NO_SURPRISES, project, QUARTERS)[Q3]
    assert (q3.n, q3.tally.kept, q3.display) == (5, 2, "40 %")

    # The evidence page says each milestone's notice against the notice required.
    client.force_login(member(project, TeamRole.SPONSOR_LEAD))
    page = client.get(
        reverse("scorecards:evidence", args=[project.pk, "no_surprises", "2026-q3"])
    ).content.decode()
    assert "announced 10 days ahead; 14 were agreed; 1 forecast move" in page
    assert "announced 10 days ahead; 7 were agreed; 1 forecast move" in page
    assert "announced 6 days ahead; 7 were agreed; 1 forecast move" in page
    assert "the notice of the working agreement in force on the baseline date before it" in page
    refresh_projects([project.pk])
    health = client.get(reverse("scorecards:project_health", args=[project.pk])).content.decode()
    assert "Notice now: 7 calendar days, agreed in the working agreement v2." in health


def test_without_an_agreement_fourteen_days_are_owed(client, project):
    surprise = milestone(project, d(2026, 9, 20), done=d(2026, 9, 25))
    thirteen = milestone(project, d(2026, 9, 15), (d(2026, 9, 2), d(2026, 9, 22)), done=d(2026, 9, 21))
    assert _verdicts(project) == {surprise.pk: (False, 0, 14), thirteen.pk: (False, 13, 14)}
    client.force_login(member(project, TeamRole.PROJECT_MANAGER))
    page = client.get(
        reverse("scorecards:evidence", args=[project.pk, "no_surprises", "2026-q3"])
    ).content.decode()
    assert (
        "no notice (not announced before the baseline date, or the announcement taken back); 14 were agreed"
        in page
    )
    health = client.get(reverse("scorecards:project_health", args=[project.pk])).content.decode()
    assert "Notice now: 14 calendar days (no working agreement in force)." in health


def test_the_notice_costs_no_query_of_its_own(client, project, django_assert_num_queries):
    """The versions are read inside the milestones' query: one query for one project or three,
    whatever the number of versions; the evidence page costs what it did (the frame 7, the
    measure 1, the milestones' names 1, the targets 2)."""
    _agree(project, dt.datetime(2026, 7, 1, 9, tzinfo=UTC), slip_notice_days=10)
    milestone(project, d(2026, 9, 10), (d(2026, 8, 30), d(2026, 9, 12)), done=d(2026, 9, 11))
    others = [staff_project(start_date=dt.date(2026, 6, 1)) for _ in range(2)]
    _change_to(project, dt.datetime(2026, 9, 1, 9, tzinfo=UTC), slip_notice_days=21)
    for other in others:
        _agree(other, dt.datetime(2026, 8, 1, 9, tzinfo=UTC), slip_notice_days=5)
        milestone(other, d(2026, 9, 10), (d(2026, 9, 4), d(2026, 9, 12)), done=d(2026, 9, 11))
    projects = list(
        Project.objects.select_related("sponsor", "cdmo").filter(pk__in=[project.pk] + [o.pk for o in others])
    )
    with CaptureQueriesContext(connection) as one:
        NO_SURPRISES.compute(scope_of(projects[:1], QUARTERS))
    with CaptureQueriesContext(connection) as three:
        counted = NO_SURPRISES.compute(scope_of(projects, QUARTERS))
    assert len(one.captured_queries) == len(three.captured_queries) == 1
    # The project's 11 days fall short of v2's 21 (in force on 10 Sep); the others' 6 meet their 5.
    assert sorted(record.kept for records in counted.values() for record in records) == [False, True, True]

    client.force_login(member(project, TeamRole.SPONSOR_LEAD))
    url = reverse("scorecards:evidence", args=[project.pk, "no_surprises", "2026-q3"])
    client.get(url)  # the first request after logging in does session bookkeeping
    with django_assert_num_queries(11):
        client.get(url)
    for day in range(1, 6):
        baseline = d(2026, 9, 10) + dt.timedelta(days=day)
        milestone(project, baseline, (baseline - dt.timedelta(days=day), baseline + dt.timedelta(days=3)))
    with django_assert_num_queries(11):
        page = client.get(url).content.decode()
    assert page.count("were agreed") == 6
