"""On-time delivery with the working agreement's tolerance: a milestone done up to the tolerance
(calendar days) after its baseline counts as on time, judged by the version in force at the end of
its actual date (UTC); its slip is still counted from the baseline."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from oversight.scorecards.figures import refresh_projects
from oversight.scorecards.measures import ON_TIME, scope_of
from projects import services
from projects.models import Project, TeamRole
from projects.selectors import access_for
from tests.factories.projects import staff_project
from tests.projects.test_working_agreement import _in_force, _terms

from .helpers import QUARTERS, UTC, done_milestone, measured, member

pytestmark = pytest.mark.usefixtures("frozen_now")

Q4, Q3, Q2, Q1, Q4_2025 = QUARTERS
d = dt.date


@pytest.fixture
def project(db):
    return staff_project(start_date=dt.date(2026, 6, 1), update_cadence_days=14)


def _leads(project):
    return member(project, TeamRole.SPONSOR_LEAD), member(project, TeamRole.PROJECT_MANAGER)


def _agree(project, at: dt.datetime, **terms):
    with time_machine.travel(at, tick=False):
        return _in_force(project, *_leads(project), **terms)


def _change_to(project, at: dt.datetime, **terms):
    """A change request proposing `terms`, approved by the sponsor's decision-maker at `at`."""
    sponsor, cdmo = _leads(project)
    with time_machine.travel(at - dt.timedelta(days=2), tick=False):
        change = services.agreement_propose_change(
            access=access_for(user=cdmo, project=project),
            terms=_terms(sponsor, cdmo, **terms),
            why="A tolerance for the GMP campaign.",
            needed_by=at.date(),
        )
    with time_machine.travel(at, tick=False):
        decider = access_for(user=member(project, TeamRole.DECISION_MAKER), project=project)
        services.change_approve(access=decider, change=change, option=change.options.get())


@pytest.mark.parametrize(("tolerance", "kept", "display"), [(0, 1, "33 %"), (3, 2, "67 %")])
def test_a_tolerance_turns_a_milestone_three_days_late_on_time(project, tolerance, kept, display):
    _agree(project, dt.datetime(2026, 7, 1, 9, tzinfo=UTC), on_time_tolerance_days=tolerance)
    done_milestone(project, baseline=d(2026, 9, 1), actual=d(2026, 9, 1))  # on time
    three_late = done_milestone(project, baseline=d(2026, 9, 1), actual=d(2026, 9, 4))  # 3 days late
    done_milestone(project, baseline=d(2026, 9, 1), actual=d(2026, 9, 5))  # 4 days late: late either way

    q3 = measured(ON_TIME, project, QUARTERS)[Q3]
    assert (q3.n, q3.tally.kept, q3.display) == (3, kept, display)
    # The slip is measured from the baseline whatever the tolerance: 0, 3 and 4 days.
    assert q3.details == ("mean slip 2.3 days", "worst slip 4 days")
    verdicts = _verdicts(project)
    assert verdicts[three_late.pk] == (tolerance >= 3, 3, tolerance)


def _verdicts(project) -> dict:
    """{milestone id: (kept, slip, tolerance)}, as the measure judged each one."""
    scope = scope_of([Project.objects.select_related("sponsor", "cdmo").get(pk=project.pk)], QUARTERS)
    return {
        record.ref[1]: (record.kept, record.sample, record.allowance)
        for records in ON_TIME.compute(scope).values()
        for record in records
    }


def test_the_version_in_force_at_the_actual_date_applies(client, project):
    """v1 (no tolerance) from 1 Jul 09:00 UTC; v2 (5 days) from 15 Aug 10:00 UTC."""
    _agree(project, dt.datetime(2026, 7, 1, 9, tzinfo=UTC))
    _change_to(project, dt.datetime(2026, 8, 15, 10, tzinfo=UTC), on_time_tolerance_days=5)
    before_any = done_milestone(project, baseline=d(2026, 6, 10), actual=d(2026, 6, 11))
    under_v1 = done_milestone(project, baseline=d(2026, 8, 1), actual=d(2026, 8, 4))
    eve_of_v2 = done_milestone(project, baseline=d(2026, 8, 12), actual=d(2026, 8, 14))
    # Done on the day v2 came into force (at 10:00): the version in force at the day's end is v2.
    day_of_v2 = done_milestone(project, baseline=d(2026, 8, 14), actual=d(2026, 8, 15))
    at_the_limit = done_milestone(project, baseline=d(2026, 8, 20), actual=d(2026, 8, 25))
    past_it = done_milestone(project, baseline=d(2026, 8, 20), actual=d(2026, 8, 26))

    assert _verdicts(project) == {
        before_any.pk: (False, 1, 0),
        under_v1.pk: (False, 3, 0),
        eve_of_v2.pk: (False, 2, 0),
        day_of_v2.pk: (True, 1, 5),
        at_the_limit.pk: (True, 5, 5),
        past_it.pk: (False, 6, 5),
    }
    q3 = measured(ON_TIME, project, QUARTERS)[Q3]
    assert (q3.n, q3.tally.kept, q3.display) == (5, 2, "40 %")
    assert q3.details == ("mean slip 3.4 days", "worst slip 6 days")

    # The evidence page says each verdict with its tolerance; the Health tab, the tolerance now.
    client.force_login(member(project, TeamRole.SPONSOR_LEAD))
    page = client.get(
        reverse("scorecards:evidence", args=[project.pk, "on_time", "2026-q3"])
    ).content.decode()
    assert "slip 1 day, within the agreed tolerance of 5 days" in page
    assert "slip 6 days, beyond the agreed tolerance of 5 days" in page
    assert "<td>slip 3 days</td>" in page
    assert "plus the tolerance in calendar days of the working agreement in force on the actual date" in page
    refresh_projects([project.pk])
    health = client.get(reverse("scorecards:project_health", args=[project.pk])).content.decode()
    assert "Tolerance now: 5 calendar days, agreed in the working agreement v2." in health


def test_without_an_agreement_the_tolerance_is_none(client, project):
    late = done_milestone(project, baseline=d(2026, 9, 1), actual=d(2026, 9, 2))
    assert _verdicts(project) == {late.pk: (False, 1, 0)}
    client.force_login(member(project, TeamRole.PROJECT_MANAGER))
    health = client.get(reverse("scorecards:project_health", args=[project.pk])).content.decode()
    assert "Tolerance now: none (no working agreement in force)." in health


def test_the_tolerance_costs_no_query_of_its_own(project):
    """The versions are read inside the milestones' query: one query for one project or three,
    whatever the number of versions."""
    _agree(project, dt.datetime(2026, 7, 1, 9, tzinfo=UTC), on_time_tolerance_days=1)
    done_milestone(project, baseline=d(2026, 9, 1), actual=d(2026, 9, 2))
    others = [staff_project(start_date=dt.date(2026, 6, 1)) for _ in range(2)]
    _change_to(project, dt.datetime(2026, 9, 10, 9, tzinfo=UTC), on_time_tolerance_days=4)
    for other in others:
        _agree(other, dt.datetime(2026, 8, 1, 9, tzinfo=UTC), on_time_tolerance_days=2)
        done_milestone(other, baseline=d(2026, 9, 1), actual=d(2026, 9, 3))
    projects = list(
        Project.objects.select_related("sponsor", "cdmo").filter(pk__in=[project.pk] + [o.pk for o in others])
    )
    with CaptureQueriesContext(connection) as one:
        ON_TIME.compute(scope_of(projects[:1], QUARTERS))
    with CaptureQueriesContext(connection) as three:
        counted = ON_TIME.compute(scope_of(projects, QUARTERS))
    assert len(one.captured_queries) == len(three.captured_queries) == 1
    assert sum(record.kept for records in counted.values() for record in records) == 3
