"""Decisions on time, the sponsor's side: decision and change requests by their needed-by quarter."""

import datetime as dt

import pytest
import time_machine

from oversight.scorecards.measures import DECISIONS_ON_TIME
from projects.models import ChangeStatus, DecisionRequest, DecisionStatus
from tests.factories.projects import staff_project

from .helpers import QUARTERS, UTC, change, decision, measured, published

pytestmark = pytest.mark.usefixtures("frozen_now")

Q4, Q3, Q2, Q1, Q4_2025 = QUARTERS
d, at = dt.date, dt.datetime


@pytest.fixture
def project(db):
    return staff_project(start_date=dt.date(2026, 3, 1), update_cadence_days=14)


@pytest.fixture
def update(project):
    return published(project, at(2026, 3, 2, 9, tzinfo=UTC))


def figures_of(project):
    return measured(DECISIONS_ON_TIME, project, QUARTERS)


def test_decisions_and_changes_count_in_the_quarter_of_their_needed_by_date(project, update):
    # Q3: decided at 23:30 UTC on its needed-by day (on time, whatever the sponsor's own time zone),
    # decided 4 days late, a change approved two days early, a change rejected 10 days late.
    decision(update, needed_by=d(2026, 9, 30), decided=at(2026, 9, 30, 23, 30, tzinfo=UTC))
    decision(update, needed_by=d(2026, 7, 10), decided=at(2026, 7, 14, 9, tzinfo=UTC))
    change(project, needed_by=d(2026, 8, 1), decided=at(2026, 7, 30, 15, tzinfo=UTC))
    rejected = change(project, needed_by=d(2026, 9, 15), decided=at(2026, 9, 25, 8, tzinfo=UTC), how="reject")
    # Not counted: a change withdrawn (it has a decided_at too, but nobody decided it) and a
    # decision request a corrected update withdrew.
    withdrawn = change(
        project, needed_by=d(2026, 8, 20), decided=at(2026, 8, 25, 8, tzinfo=UTC), how="withdraw"
    )
    DecisionRequest.objects.create(
        project=project,
        update=update,
        title="Superseded by revision 2",
        needed_by=d(2026, 8, 5),
        status=DecisionStatus.WITHDRAWN,
        withdrawn_at=at(2026, 7, 1, 9, tzinfo=UTC),
    )
    assert (rejected.status, withdrawn.status) == (ChangeStatus.REJECTED, ChangeStatus.WITHDRAWN)
    assert withdrawn.decided_at is not None
    # Q4: needed by its first day, decided before it (counts here, on time); needed by 1 Nov and
    # decided at half past midnight UTC on 2 Nov (a day late); a change still proposed 10 days
    # after its needed-by date (late so far). Not counted yet: open and needed today, or later.
    decision(update, needed_by=d(2026, 10, 1), decided=at(2026, 9, 29, 9, tzinfo=UTC))
    decision(update, needed_by=d(2026, 11, 1), decided=at(2026, 11, 2, 0, 30, tzinfo=UTC))
    change(project, needed_by=d(2026, 11, 8))
    decision(update, needed_by=d(2026, 11, 18))
    change(project, needed_by=d(2026, 12, 5))
    # Q2: needed by its last day, decided two days into Q3.
    change(project, needed_by=d(2026, 6, 30), decided=at(2026, 7, 2, 9, tzinfo=UTC), how="reject")
    # Another project's late decision is not this one's.
    other = staff_project(start_date=dt.date(2026, 3, 1))
    change(other, needed_by=d(2026, 8, 1), decided=at(2026, 9, 1, 9, tzinfo=UTC))

    figures = figures_of(project)
    q3 = figures[Q3]
    assert q3.measure == DECISIONS_ON_TIME
    assert (q3.n, q3.share, q3.display, q3.n_label) == (4, 0.5, "50 %", "n = 4 requests")
    assert q3.details == ("median 7.0 days late",)
    q4 = figures[Q4]
    assert (q4.n, q4.display, q4.details) == (3, "33 %", ("median 5.5 days late",))
    q2 = figures[Q2]
    assert (q2.n, q2.too_few, q2.display, q2.n_label, q2.details) == (
        1,
        True,
        "too few to measure",
        "n = 1 request",
        (),
    )
    assert [figures[q].n for q in (Q1, Q4_2025)] == [0, 0]


def test_an_open_request_turns_late_the_day_after_its_needed_by_date(project, update):
    for day in (1, 2):
        decision(update, needed_by=d(2026, 11, day), decided=at(2026, 10, 30, 9, tzinfo=UTC))
    request = decision(update, needed_by=d(2026, 11, 18))
    # Two on time, and one still open on its needed-by day: too few to measure.
    assert (figures_of(project)[Q4].n, figures_of(project)[Q4].display) == (2, "too few to measure")
    with time_machine.travel(at(2026, 11, 19, 0, 5, tzinfo=UTC), tick=False):
        q4 = figures_of(project)[Q4]
    assert (q4.n, q4.display, q4.details) == (3, "67 %", ("median 1.0 days late",))
    assert DecisionRequest.objects.get(pk=request.pk).status == DecisionStatus.OPEN


def test_three_on_time_requests_have_none_late_even_when_alike(project, update):
    # Two decisions and a change needed the same day and decided the same moment: three requests.
    decided = at(2026, 4, 3, 9, tzinfo=UTC)
    decision(update, needed_by=d(2026, 4, 3), decided=decided)
    decision(update, needed_by=d(2026, 4, 3), decided=decided)
    change(project, needed_by=d(2026, 4, 3), decided=decided)
    q2 = figures_of(project)[Q2]
    assert (q2.n, q2.display, q2.details) == (3, "100 %", ("none late",))
