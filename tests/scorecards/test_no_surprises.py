"""No surprises, the CDMO's side: slips announced at least 14 days before the baseline date (the
default notice: these projects have no working agreement in force; test_slip_notice.py has the
agreed notice)."""

import datetime as dt

import pytest
import time_machine

from oversight.scorecards.measures import NO_SURPRISES
from projects import services
from projects.agreed_targets import DEFAULT_NOTICE_DAYS
from projects.models import MilestoneForecastChange, MilestoneStatus, TeamRole
from projects.selectors import access_for
from tests.factories.projects import MilestoneFactory, change_with_options, staff_project

from .helpers import QUARTERS, UTC, measured, member, milestone

pytestmark = pytest.mark.usefixtures("frozen_now")

Q4, Q3, Q2, Q1, Q4_2025 = QUARTERS
d = dt.date


@pytest.fixture
def project(db):
    return staff_project(start_date=d(2026, 1, 5))


def figures_of(project):
    return measured(NO_SURPRISES, project, QUARTERS)


def test_the_share_of_slips_announced_in_time(project):
    # Q3, baselines Jul–Sep (notice: baseline minus the day of the announcement):
    milestone(project, d(2026, 8, 31), (d(2026, 8, 10), d(2026, 9, 14)), done=d(2026, 9, 12))  # 21 d: kept
    milestone(project, d(2026, 9, 15), (d(2026, 9, 8), d(2026, 9, 30)), done=d(2026, 9, 29))  # 7 d: late
    milestone(project, d(2026, 7, 20), done=d(2026, 7, 25))  # never announced: 0 d, 0 moves
    # Announced 1 Jul (50 d), moved further on 15 Aug: still the 1 Jul announcement that stands.
    milestone(
        project,
        d(2026, 8, 20),
        (d(2026, 7, 1), d(2026, 8, 27)),
        (d(2026, 8, 15), d(2026, 9, 5)),
        done=d(2026, 9, 4),
    )
    # Not counted: early; moved past and back again and done in time (no slip); cancelled.
    milestone(project, d(2026, 8, 5), done=d(2026, 8, 3))
    milestone(
        project,
        d(2026, 9, 1),
        (d(2026, 7, 1), d(2026, 9, 20)),
        (d(2026, 8, 1), d(2026, 8, 30)),
        done=d(2026, 8, 29),
    )
    MilestoneFactory(
        project=project,
        baseline_date=d(2026, 9, 2),
        forecast_date=d(2026, 10, 2),
        status=MilestoneStatus.CANCELLED,
    )
    # Another project's surprise.
    milestone(staff_project(start_date=d(2026, 1, 5)), d(2026, 8, 3), done=d(2026, 8, 30))

    q3 = figures_of(project)[Q3]
    # 2 of 4 kept (21 d and 50 d); notice 0, 7, 21, 50: median (7 + 21) / 2 = 14; moves 1, 1, 0, 2: 1.0.
    assert (q3.n, q3.tally.kept, q3.display, q3.n_label) == (4, 2, "50 %", "n = 4 slipped milestones")
    assert q3.details == ("median 14 days' notice", "1.0 forecast moves per milestone")


def test_the_notice_is_counted_to_the_day_and_a_withdrawn_announcement_does_not_count(project):
    assert DEFAULT_NOTICE_DAYS == 14
    milestone(project, d(2026, 8, 15), (d(2026, 8, 1), d(2026, 8, 20)), done=d(2026, 8, 19))  # 14 d: kept
    milestone(project, d(2026, 8, 15), (d(2026, 8, 2), d(2026, 8, 20)), done=d(2026, 8, 19))  # 13 d: late
    # Announced on 1 Jul, taken back on 1 Aug (forecast on the baseline again), done late anyway:
    # a surprise (0 d), with 2 moves.
    milestone(
        project,
        d(2026, 9, 10),
        (d(2026, 7, 1), d(2026, 9, 30)),
        (d(2026, 8, 1), d(2026, 9, 10)),
        done=d(2026, 9, 20),
    )
    # Announced only after the baseline date had gone: 0 days' notice, not negative.
    milestone(project, d(2026, 7, 10), (d(2026, 7, 14), d(2026, 7, 31)), done=d(2026, 7, 30))

    q3 = figures_of(project)[Q3]
    # 1 of 4 kept; notice 14, 13, 0, 0: median (0 + 13) / 2 = 6.5; moves 1, 1, 2, 1: 5 / 4 = 1.25,
    # shown "1.2" (one decimal, half to even).
    assert (q3.n, q3.tally.kept, q3.display) == (4, 1, "25 %")
    assert q3.details == ("median 6.5 days' notice", "1.2 forecast moves per milestone")
    assert MilestoneForecastChange.objects.filter(milestone__project=project).count() == 5


def test_open_milestones_count_once_they_have_slipped(project):
    # Q4 (today 18 Nov). Nothing due yet and not moved: not counted.
    milestone(project, d(2026, 12, 10))
    # Moved on 1 Nov past a 15 Dec baseline: slipped, announced 44 days before. Kept.
    milestone(project, d(2026, 12, 15), (d(2026, 11, 1), d(2027, 1, 10)))
    # Due 10 Nov, still open, never moved: its baseline has gone, a slip nobody announced.
    milestone(project, d(2026, 11, 10))
    # Due 25 Nov, moved today: 7 days' notice. Late.
    milestone(project, d(2026, 11, 25), (d(2026, 11, 18), d(2026, 12, 5)))
    # Due today, still open and forecast today: it may still be done in time. Not counted.
    milestone(project, d(2026, 11, 18))

    figures = figures_of(project)
    q4 = figures[Q4]
    # 1 of 3; notice 44, 0, 7: median 7; moves 1, 0, 1: 2 / 3 = 0.7.
    assert (q4.n, q4.tally.kept, q4.display) == (3, 1, "33 %")
    assert q4.details == ("median 7 days' notice", "0.7 forecast moves per milestone")


def test_too_few_and_empty_quarters(project):
    milestone(project, d(2026, 5, 4), (d(2026, 4, 1), d(2026, 5, 20)), done=d(2026, 5, 18))
    milestone(project, d(2026, 6, 30), done=d(2026, 7, 2))  # counts in Q2, its baseline's quarter

    figures = figures_of(project)
    q2 = figures[Q2]
    assert (q2.n, q2.tally.kept, q2.display, q2.n_label, q2.details) == (
        2,
        1,
        "too few to measure",
        "n = 2 slipped milestones",
        (),
    )
    assert [(figures[q].n, figures[q].share) for q in (Q4, Q3, Q1, Q4_2025)] == [(0, None)] * 4
    assert figures[Q1].n_label == "n = 0 slipped milestones"


def rebaseline(project, item, days: int, on: dt.date):
    """The sponsor's lead approves, on `on`, a change request moving `item` by `days` (baseline and
    forecast together, with the forecast move recorded)."""
    item.refresh_from_db()
    request = change_with_options(project, impacts=[(item, days)], needed_by=on)
    lead = access_for(user=member(project, TeamRole.SPONSOR_LEAD), project=project)
    with time_machine.travel(dt.datetime.combine(on, dt.time(15), tzinfo=UTC), tick=False):
        services.change_approve(access=lead, change=request, option=request.recommended_option)


def pm_moves(project, item, on: dt.date, to: dt.date):
    item.refresh_from_db()
    with time_machine.travel(dt.datetime.combine(on, dt.time(9), tzinfo=UTC), tick=False):
        services.milestone_change_forecast(
            access=access_for(user=member(project, TeamRole.PROJECT_MANAGER), project=project),
            milestone=item,
            new_date=to,
            reason="Resin lead time",
            version=item.version,
        )


def done(project, item, on: dt.date):
    item.refresh_from_db()
    services.milestone_set_status(
        access=access_for(user=member(project, TeamRole.PROJECT_MANAGER), project=project),
        milestone=item,
        status=MilestoneStatus.DONE,
        actual_date=on,
        version=item.version,
    )


def test_a_rebaseline_is_read_against_the_baseline_it_set(project):
    # Due 31 Aug, forecast moved to 10 Sep on 1 Jun; re-baselined by 14 days on 1 Jul (baseline 14
    # Sep, forecast 24 Sep); done 20 Sep: slipped 6 days past the current baseline. Against it,
    # the 1 Jun move (to 10 Sep) was no slip; the approval moved the forecast past it: 75 days'
    # notice (1 Jul to 14 Sep), kept; 2 moves.
    first = milestone(project, d(2026, 8, 31), (d(2026, 6, 1), d(2026, 9, 10)))
    rebaseline(project, first, 14, d(2026, 7, 1))
    done(project, first, d(2026, 9, 20))
    # Due 31 Aug, re-baselined by 14 days on 1 Jul (to 14 Sep, forecast with it); moved to 20 Sep on
    # 7 Sep: 7 days' notice, late; 2 moves.
    second = milestone(project, d(2026, 8, 31))
    rebaseline(project, second, 14, d(2026, 7, 1))
    pm_moves(project, second, d(2026, 9, 7), d(2026, 9, 20))
    done(project, second, d(2026, 9, 19))
    first.refresh_from_db()
    assert (first.baseline_date, first.actual_date) == (d(2026, 9, 14), d(2026, 9, 20))

    q3 = figures_of(project)[Q3]
    assert (q3.n, q3.tally.kept, q3.tally.samples) == (2, 1, (75, 2, 7, 2))
