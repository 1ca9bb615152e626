"""Service issues answered in time (CDMO side): each issue's own clocks, by the quarter raised."""

import datetime as dt

import pytest

from issues.models import IssueStatus
from oversight.scorecards.measures import SERVICE_ISSUES
from tests.factories.issues import ServiceIssueFactory
from tests.factories.projects import staff_project

from .helpers import NOW, QUARTERS, UTC, measured

pytestmark = pytest.mark.usefixtures("frozen_now")

Q4, Q3, Q2, Q1, Q4_2025 = QUARTERS


@pytest.fixture
def project(db):
    return staff_project(start_date=dt.date(2026, 1, 5))


def issue(project, raised: dt.datetime, *, acknowledged_after=None, planned_after=None, **fields):
    """An issue raised at `raised`, due to be acknowledged within a day and planned within three
    (the factory's deadlines), answered after the given times (None: not yet)."""
    acknowledged = raised + acknowledged_after if acknowledged_after is not None else None
    planned = raised + planned_after if planned_after is not None else None
    status = (
        IssueStatus.PLAN_PROPOSED
        if planned
        else IssueStatus.ACKNOWLEDGED
        if acknowledged
        else IssueStatus.OPEN
    )
    return ServiceIssueFactory(
        project=project,
        raised_at=raised,
        status=fields.pop("status", status),
        acknowledged_at=acknowledged,
        plan_proposed_at=planned,
        first_plan_proposed_at=planned,
        hours_to_acknowledge=fields.pop("hours", None if acknowledged is None else 2.0),
        **fields,
    )


def test_issues_answered_within_their_clocks(project):
    hour, day = dt.timedelta(hours=1), dt.timedelta(days=1)
    q3 = dt.datetime(2026, 8, 3, 9, tzinfo=UTC)
    # Q3, five issues:
    issue(project, q3, acknowledged_after=2 * hour, planned_after=2 * day, hours=2.0)  # in time
    issue(
        project, q3, acknowledged_after=3 * hour, planned_after=1 * day, hours=3.0, reopened_count=1
    )  # in time, reopened
    issue(project, q3, acknowledged_after=30 * hour, planned_after=2 * day, hours=14.0)  # acknowledged late
    issue(
        project, q3, acknowledged_after=hour, planned_after=5 * day, hours=1.0, plan_breach_count=1
    )  # plan late
    issue(project, q3, acknowledged_after=hour, hours=1.0)  # plan still owed, three months on: late
    # Q4 (today 18 Nov, 10:00): one still within both clocks (not counted yet), one unacknowledged
    # past its deadline (late), one acknowledged in time with its plan not due yet (not counted).
    issue(project, NOW - 2 * hour)
    issue(project, NOW - 2 * day)
    issue(project, NOW - 2 * hour, acknowledged_after=hour, hours=1.0)

    figures = measured(SERVICE_ISSUES, project, QUARTERS)
    q3_figure = figures[Q3]
    # Kept 2 of 5 = 40 %; hours acknowledged 2, 3, 14, 1, 1: median 2.0; one reopened.
    assert (q3_figure.n, q3_figure.display) == (5, "40 %")
    assert q3_figure.details == ("median 2.0 business hours to acknowledge", "reopened 1 of 5")
    assert (figures[Q4].n, figures[Q4].tally.kept, figures[Q4].display) == (1, 0, "too few to measure")
    assert figures[Q2].n == 0


def test_a_plan_sent_back_and_owed_again_counts_once_its_new_deadline_passes(project):
    raised = dt.datetime(2026, 11, 2, 9, tzinfo=UTC)
    # Acknowledged and planned in time; the sponsor sent the plan back and the new plan is owed
    # by 20 Nov (after today): kept so far.
    kept = issue(
        project,
        raised,
        acknowledged_after=dt.timedelta(hours=1),
        planned_after=dt.timedelta(days=1),
        status=IssueStatus.ACKNOWLEDGED,
        plan_by=dt.datetime(2026, 11, 20, 9, tzinfo=UTC),
    )
    assert measured(SERVICE_ISSUES, project, QUARTERS)[Q4].tally.kept == 1
    # The new deadline passes with the plan still owed: late.
    kept.plan_by = dt.datetime(2026, 11, 17, 9, tzinfo=UTC)
    kept.save(update_fields=["plan_by"])
    figure = measured(SERVICE_ISSUES, project, QUARTERS)[Q4]
    assert (figure.n, figure.tally.kept) == (1, 0)
