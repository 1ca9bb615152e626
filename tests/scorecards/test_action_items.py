"""Action items on time, one measure a side: items done by their due date, by the owner's side."""

import datetime as dt

import pytest
import time_machine

from meetings import services as meeting_services
from meetings.models import ActionItemStatus, MeetingStatus
from oversight.scorecards.measures import CDMO_ACTIONS, SPONSOR_ACTIONS
from projects.models import TeamRole
from projects.selectors import access_for
from tests.factories.meetings import ActionItemFactory, MeetingFactory
from tests.factories.projects import staff_project

from .helpers import QUARTERS, UTC, measured, member

pytestmark = pytest.mark.usefixtures("frozen_now")

Q4, Q3, Q2, Q1, Q4_2025 = QUARTERS
d = dt.date


@pytest.fixture
def project(db):
    return staff_project(start_date=d(2026, 1, 5))


def item(project, owner_role, due: dt.date, done: dt.datetime | None = None, meeting=None, **kwargs):
    """An action item of a (scheduled) meeting, owned by the team member in `owner_role`, done at `done`."""
    meeting = meeting or MeetingFactory(project=project, starts_at=dt.datetime(2026, 1, 12, 9, tzinfo=UTC))
    return ActionItemFactory(
        meeting=meeting,
        owner=member(project, owner_role),
        due_date=due,
        status=ActionItemStatus.DONE if done else ActionItemStatus.OPEN,
        completed_at=done,
        **kwargs,
    )


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=UTC)


PM, LEAD, DM = TeamRole.PROJECT_MANAGER, TeamRole.SPONSOR_LEAD, TeamRole.DECISION_MAKER


def test_each_side_is_measured_on_its_own_peoples_items(project):
    # Q3, the CDMO's: on the day (23:30 UTC), 5 days late, a day early, 3 days late.
    item(project, PM, d(2026, 8, 10), at(d(2026, 8, 10), 23))
    item(project, PM, d(2026, 8, 20), at(d(2026, 8, 25)))
    item(project, TeamRole.SME, d(2026, 9, 30), at(d(2026, 9, 29)))
    item(project, PM, d(2026, 7, 15), at(d(2026, 7, 18)))
    # Q3, the sponsor's: two on time (too few).
    item(project, LEAD, d(2026, 9, 1), at(d(2026, 8, 30)))
    item(project, DM, d(2026, 9, 2), at(d(2026, 9, 2)))
    # Another project's late item.
    other = staff_project(start_date=d(2026, 1, 5))
    item(other, PM, d(2026, 8, 1), at(d(2026, 9, 1)))

    cdmo, sponsor = (
        measured(CDMO_ACTIONS, project, QUARTERS)[Q3],
        measured(SPONSOR_ACTIONS, project, QUARTERS)[Q3],
    )
    # CDMO: 2 of 4 on time; late 5 and 3: median 4.
    assert (cdmo.n, cdmo.tally.kept, cdmo.display, cdmo.n_label) == (4, 2, "50 %", "n = 4 action items")
    assert cdmo.details == ("median 4 days late",)
    assert (sponsor.n, sponsor.tally.kept, sponsor.display, sponsor.details) == (
        2,
        2,
        "too few to measure",
        (),
    )


def test_open_items_count_once_past_their_due_date(project):
    # Q4 (today 18 Nov), the CDMO's: open since 10 Nov (8 days late so far); done early; done on
    # the day through the service; open and due today or later: not counted yet.
    item(project, PM, d(2026, 11, 10))
    item(project, PM, d(2026, 11, 1), at(d(2026, 10, 30)))
    on_the_day = item(project, PM, d(2026, 10, 20))
    with time_machine.travel(at(d(2026, 10, 20), 16), tick=False):
        meeting_services.action_item_complete(
            access=access_for(user=member(project, PM), project=project), item=on_the_day
        )
    item(project, PM, d(2026, 11, 18))
    item(project, PM, d(2026, 12, 1))
    # Not counted: taken out of the minutes; of a cancelled meeting.
    item(project, PM, d(2026, 11, 5), removed_at=at(d(2026, 1, 12)))
    cancelled = MeetingFactory(
        project=project,
        starts_at=at(d(2026, 10, 1)),
        status=MeetingStatus.CANCELLED,
        cancelled_at=at(d(2026, 9, 30)),
    )
    item(project, PM, d(2026, 11, 3), meeting=cancelled)
    # The sponsor's: open since 2 Nov (16 days late), done a day early, done 3 days late.
    item(project, DM, d(2026, 11, 2))
    item(project, LEAD, d(2026, 11, 4), at(d(2026, 11, 3)))
    item(project, LEAD, d(2026, 11, 6), at(d(2026, 11, 9)))

    cdmo = measured(CDMO_ACTIONS, project, QUARTERS)[Q4]
    # 2 of 3 on time; the one late by 8 days.
    assert (cdmo.n, cdmo.tally.kept, cdmo.display) == (3, 2, "67 %")
    assert cdmo.details == ("median 8 days late",)
    sponsor = measured(SPONSOR_ACTIONS, project, QUARTERS)[Q4]
    # 1 of 3; late 16 and 3: median 9.5.
    assert (sponsor.n, sponsor.tally.kept, sponsor.display) == (3, 1, "33 %")
    assert sponsor.details == ("median 9.5 days late",)


def test_all_on_time_and_empty_quarters(project):
    for day in (3, 10, 17):
        item(project, PM, d(2026, 6, day), at(d(2026, 6, day), 9))
    figures = measured(CDMO_ACTIONS, project, QUARTERS)
    assert (figures[Q2].n, figures[Q2].display, figures[Q2].details) == (3, "100 %", ("none late",))
    assert [(figures[q].n, figures[q].share) for q in (Q4, Q3, Q1, Q4_2025)] == [(0, None)] * 4
    sponsor = measured(SPONSOR_ACTIONS, project, QUARTERS)
    assert [sponsor[q].n for q in QUARTERS] == [0] * 5
    assert sponsor[Q2].display == "too few to measure" and sponsor[Q2].n_label == "n = 0 action items"
