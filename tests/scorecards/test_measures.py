"""Each measure against a small world whose figures are computed by hand."""

import datetime as dt

import pytest
import time_machine

from oversight.scorecards.measures import CADENCE, ON_TIME, RESPONSIVENESS, update_periods
from oversight.scorecards.quarters import Quarter
from projects.models import MilestoneStatus, TeamRole
from tests.factories.projects import MilestoneFactory, StatusUpdateFactory, staff_project
from tests.projects.test_working_agreement import _in_force

from .helpers import QUARTERS, UTC, done_milestone, measured, member, published, question

pytestmark = pytest.mark.usefixtures("frozen_now")

Q4, Q3, Q2, Q1, Q4_2025 = QUARTERS


@pytest.fixture
def project(db):
    return staff_project(start_date=dt.date(2026, 6, 1), update_cadence_days=14)


def test_quarters_run_from_this_one_back_four():
    assert [q.label for q in QUARTERS] == ["Q4 2026", "Q3 2026", "Q2 2026", "Q1 2026", "Q4 2025"]
    assert (Q3.start, Q3.end) == (dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    assert (Q1.start, Q1.end) == (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert Quarter.of(dt.date(2026, 12, 31)) == Q4 and Quarter.of(dt.date(2027, 1, 1)).label == "Q1 2027"
    assert Q4_2025.span == "1 Oct – 31 Dec 2025"


def test_on_time_delivery(project):
    d = dt.date
    # Q3: on time on its quarter's last day, 8 days late, early, 2 days late.
    done_milestone(project, baseline=d(2026, 9, 30), actual=d(2026, 9, 30))
    done_milestone(project, baseline=d(2026, 8, 2), actual=d(2026, 8, 10))
    done_milestone(project, baseline=d(2026, 7, 5), actual=d(2026, 7, 1))
    done_milestone(project, baseline=d(2026, 7, 18), actual=d(2026, 7, 20))
    # Q4: one, on the quarter's first day, 11 days late.
    done_milestone(project, baseline=d(2026, 9, 20), actual=d(2026, 10, 1))
    # Not counted: still open (even though its baseline is past), and done before the five quarters.
    MilestoneFactory(project=project, baseline_date=d(2026, 8, 1), status=MilestoneStatus.AT_RISK)
    done_milestone(project, baseline=d(2025, 9, 1), actual=d(2025, 9, 30))

    figures = measured(ON_TIME, project, QUARTERS)
    q3 = figures[Q3]
    assert (q3.n, q3.share, q3.display, q3.n_label) == (4, 0.5, "50 %", "n = 4 milestones")
    assert q3.details == ("mean slip 2.5 days", "worst slip 8 days")
    q4 = figures[Q4]
    assert (q4.n, q4.too_few, q4.display, q4.n_label) == (1, True, "too few to measure", "n = 1 milestone")
    assert q4.details == ()
    assert [figures[q].n for q in (Q2, Q1, Q4_2025)] == [0, 0, 0]
    assert figures[Q4_2025].display == "too few to measure"


def test_three_on_time_milestones_are_measured_and_two_are_not(project):
    for day in (1, 2):
        done_milestone(project, baseline=dt.date(2026, 5, 10), actual=dt.date(2026, 5, day))
    assert measured(ON_TIME, project, QUARTERS)[Q2].display == "too few to measure"
    done_milestone(project, baseline=dt.date(2026, 6, 30), actual=dt.date(2026, 6, 30))
    q2 = measured(ON_TIME, project, QUARTERS)[Q2]
    assert (q2.n, q2.display, q2.details) == (3, "100 %", ("mean slip 0.0 days", "worst slip 0 days"))


def test_update_periods_follow_the_publications():
    d = dt.date
    periods = update_periods(
        start=d(2026, 6, 1),
        cadence=14,
        published=[d(2026, 6, 14), d(2026, 6, 28), d(2026, 7, 30), d(2026, 8, 13)],
        today=d(2026, 9, 11),
    )
    assert periods == [
        (d(2026, 6, 15), True),  # published the day before
        (d(2026, 6, 28), True),  # published on the due date: on time
        (d(2026, 7, 12), False),
        (d(2026, 7, 26), False),  # the 30 July update came four days late...
        (d(2026, 8, 9), True),  # ...and keeps the next period; the next is due 14 days after it
        (d(2026, 8, 13), True),
        (d(2026, 8, 27), False),
        (d(2026, 9, 10), False),  # due 24 Sep is not yet past on 11 Sep
    ]


def test_cadence_kept(project):
    at = dt.datetime
    for moment in (
        at(2026, 6, 14, 9, tzinfo=UTC),
        at(2026, 6, 28, 16, tzinfo=UTC),
        at(2026, 7, 30, 9, tzinfo=UTC),
        at(2026, 8, 13, 23, 30, tzinfo=UTC),  # late in the day, UTC: still 13 August
    ):
        original = published(project, moment)
    # A correction and a draft are not new updates: neither keeps a period.
    StatusUpdateFactory(
        project=project,
        published=True,
        published_at=at(2026, 9, 1, 9, tzinfo=UTC),
        revision_of=original,
        original=original,
        revision_number=2,
        correction_reason="Wrong titre.",
        period_end=dt.date(2026, 8, 13),
        period_start=dt.date(2026, 8, 7),
    )
    StatusUpdateFactory(project=project, period_end=dt.date(2026, 9, 1), period_start=dt.date(2026, 8, 26))

    figures = measured(CADENCE, project, QUARTERS)
    # Q2: due 15 Jun and 28 Jun, both kept: too few periods to measure.
    assert (figures[Q2].n, figures[Q2].display) == (2, "too few to measure")
    # Q3: due 12 Jul, 26 Jul missed; 9 Aug, 13 Aug kept; 27 Aug, 10 Sep, 24 Sep missed.
    q3 = figures[Q3]
    assert (q3.n, q3.display, q3.n_label) == (7, "29 %", "n = 7 update periods")
    assert q3.details == ("every 14 days",)
    # Q4 so far (18 Nov): 8 Oct, 22 Oct, 5 Nov missed; 19 Nov has not come.
    assert (figures[Q4].n, figures[Q4].display) == (3, "0 %")
    assert figures[Q1].n == 0 and figures[Q4_2025].n == 0


def test_responsiveness(project):
    update = published(project, dt.datetime(2026, 7, 1, 9, tzinfo=UTC))
    at = dt.datetime
    # Q3: asked an hour before the quarter ended, answered in 4 hours, in time.
    question(
        update,
        asked=at(2026, 9, 30, 23, tzinfo=UTC),
        respond_by=at(2026, 10, 2, 23, tzinfo=UTC),
        answered=at(2026, 10, 1, 3, tzinfo=UTC),
    )
    # Answered in 24 hours, in time; in 72 hours, a day late.
    question(
        update,
        asked=at(2026, 7, 5, 10, tzinfo=UTC),
        respond_by=at(2026, 7, 7, 10, tzinfo=UTC),
        answered=at(2026, 7, 6, 10, tzinfo=UTC),
    )
    question(
        update,
        asked=at(2026, 8, 1, 9, tzinfo=UTC),
        respond_by=at(2026, 8, 3, 9, tzinfo=UTC),
        answered=at(2026, 8, 4, 9, tzinfo=UTC),
    )
    # Still open long past its respond-by time: late, with no answer time to count.
    question(
        update, asked=at(2026, 8, 20, 9, tzinfo=UTC), respond_by=at(2026, 8, 22, 9, tzinfo=UTC), answered=None
    )
    # Not counted: asked by the CDMO's side.
    question(
        update,
        asked=at(2026, 8, 21, 9, tzinfo=UTC),
        respond_by=at(2026, 8, 23, 9, tzinfo=UTC),
        answered=at(2026, 8, 30, 9, tzinfo=UTC),
        author=member(project, TeamRole.SME),
    )
    # Q4: one, asked half an hour into the quarter.
    question(
        update,
        asked=at(2026, 10, 1, 0, 30, tzinfo=UTC),
        respond_by=at(2026, 10, 3, 0, 30, tzinfo=UTC),
        answered=at(2026, 10, 1, 2, 30, tzinfo=UTC),
    )
    # Not counted yet: open, and its respond-by time (tomorrow) has not come.
    question(
        update,
        asked=at(2026, 11, 17, 9, tzinfo=UTC),
        respond_by=at(2026, 11, 19, 9, tzinfo=UTC),
        answered=None,
    )

    figures = measured(RESPONSIVENESS, project, QUARTERS)
    q3 = figures[Q3]
    assert (q3.n, q3.display, q3.n_label) == (4, "50 %", "n = 4 questions")
    # The open question has no answer time: the median is of the three answered (4, 24, 72 hours).
    assert q3.details == ("median answer 24.0 hours",)
    assert (figures[Q4].n, figures[Q4].display) == (1, "too few to measure")
    assert figures[Q2].n == 0


def test_cadence_is_the_agreements_once_one_is_in_force(project):
    """Project cadence 14 days; from 5 Oct an agreement says 7. No update is ever published."""
    sponsor, cdmo = member(project, TeamRole.SPONSOR_LEAD), member(project, TeamRole.PROJECT_MANAGER)
    with time_machine.travel(dt.datetime(2026, 10, 5, 9, tzinfo=UTC), tick=False):
        _in_force(project, sponsor, cdmo, update_cadence_days=7)

    figures = measured(CADENCE, project, QUARTERS)
    # Q3, at 14 days from 1 Jun: due 13 Jul, 27 Jul, 10 Aug, 24 Aug, 7 Sep, 21 Sep, all missed.
    assert (figures[Q3].n, figures[Q3].display, figures[Q3].details) == (6, "0 %", ("every 14 days",))
    # Q4 so far, at 7 days from 1 Jun: due 5, 12, 19, 26 Oct, 2, 9, 16 Nov.
    assert (figures[Q4].n, figures[Q4].details) == (7, ("every 7 days",))
