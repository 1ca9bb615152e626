"""Meeting discipline, the CDMO's side: minutes sent within two business days of the meeting's end."""

import datetime as dt

import pytest
import time_machine

from meetings import services as meeting_services
from meetings.models import MeetingStatus
from oversight.scorecards.measures import MEETING_DISCIPLINE
from projects.models import TeamRole
from projects.selectors import access_for
from tests.factories.meetings import MeetingFactory, held_meeting
from tests.factories.projects import staff_project

from .helpers import QUARTERS, UTC, measured, member

pytestmark = pytest.mark.usefixtures("frozen_now")

Q4, Q3, Q2, Q1, Q4_2025 = QUARTERS
at = dt.datetime


@pytest.fixture
def project(db):
    project = staff_project(start_date=dt.date(2026, 3, 1))
    # The CDMO works 09:00–17:00 Berlin time (CET, UTC+1, from 25 October), Monday to Friday.
    assert (project.cdmo.time_zone, project.cdmo.country) == ("Europe/Berlin", "DE")
    return project


def meeting(project, starts_at, *, sent=None, **kwargs):
    """A one-hour meeting held at `starts_at`, its minutes sent at `sent` (else still in draft)."""
    status = MeetingStatus.MINUTES_SENT if sent else MeetingStatus.MINUTES_DRAFT
    with time_machine.travel(sent or starts_at + dt.timedelta(hours=1), tick=False):
        return held_meeting(project, starts_at=starts_at, status=status, duration_minutes=60, **kwargs)


def figures_of(project):
    return measured(MEETING_DISCIPLINE, project, QUARTERS)


def test_two_business_days_skip_the_weekend(project):
    # Friday 6 Nov, 10:00–11:00 UTC (12:00 Berlin): two business days end Tuesday 10 Nov at 11:00 UTC.
    meeting(project, at(2026, 11, 6, 10, tzinfo=UTC), sent=at(2026, 11, 10, 9, tzinfo=UTC))  # Tue: 94 h
    meeting(project, at(2026, 11, 6, 10, tzinfo=UTC), sent=at(2026, 11, 11, 9, tzinfo=UTC))  # Wed: late
    # Friday 30 Oct, sent on the dot of its deadline (Tuesday 3 Nov 11:00 UTC) through the service.
    draft = meeting(project, at(2026, 10, 30, 10, tzinfo=UTC))
    pm = access_for(user=member(project, TeamRole.PROJECT_MANAGER), project=project)
    with time_machine.travel(at(2026, 11, 3, 11, tzinfo=UTC), tick=False):
        sent = meeting_services.meeting_close_minutes(access=pm, meeting=draft)
    sent.refresh_from_db()
    assert sent.status == MeetingStatus.MINUTES_SENT
    assert sent.minutes_sent_at == at(2026, 11, 3, 11, tzinfo=UTC)

    q4 = figures_of(project)[Q4]
    assert q4.measure == MEETING_DISCIPLINE
    assert (q4.n, q4.share, q4.display, q4.n_label) == (3, 2 / 3, "67 %", "n = 3 meetings")
    assert q4.details == ("median 96.0 hours to minutes",)


def test_minutes_not_sent_after_two_business_days_count_as_late(project):
    meeting(project, at(2026, 11, 6, 10, tzinfo=UTC), sent=at(2026, 11, 9, 8, tzinfo=UTC))  # 69 h
    meeting(project, at(2026, 11, 2, 10, tzinfo=UTC), sent=at(2026, 11, 3, 10, tzinfo=UTC))  # 23 h
    # Friday 13 Nov: due Tuesday 17 Nov 11:00 UTC, still in draft today (Wednesday): late.
    meeting(project, at(2026, 11, 13, 10, tzinfo=UTC))
    # Monday 16 Nov: due today at 11:00 UTC, an hour from now: not counted yet.
    meeting(project, at(2026, 11, 16, 10, tzinfo=UTC))
    # Not counted: a cancelled meeting, one still scheduled, one the sponsor ran (its minutes are
    # the sponsor's to write), another project's late minutes.
    MeetingFactory(
        project=project,
        starts_at=at(2026, 11, 4, 10, tzinfo=UTC),
        status=MeetingStatus.CANCELLED,
        cancelled_at=at(2026, 11, 3, 10, tzinfo=UTC),
    )
    MeetingFactory(project=project, starts_at=at(2026, 11, 5, 10, tzinfo=UTC))
    meeting(project, at(2026, 11, 9, 10, tzinfo=UTC), organizer=member(project, TeamRole.SPONSOR_LEAD))
    other = staff_project(start_date=dt.date(2026, 3, 1))
    meeting(other, at(2026, 11, 2, 10, tzinfo=UTC), sent=at(2026, 11, 12, 10, tzinfo=UTC))

    q4 = figures_of(project)[Q4]
    assert (q4.n, q4.display, q4.n_label) == (3, "67 %", "n = 3 meetings")
    # The median is of the minutes sent (the unsent meeting has no time to minutes yet).
    assert q4.details == ("median 46.0 hours to minutes",)


def test_a_meeting_counts_in_the_utc_quarter_of_its_start(project):
    # Wednesday 30 Sep at 22:30 UTC (00:30 on 1 Oct in Berlin): Q3, as is one at midnight on 1 Jul.
    meeting(project, at(2026, 9, 30, 22, 30, tzinfo=UTC), sent=at(2026, 10, 1, 12, tzinfo=UTC))
    meeting(project, at(2026, 7, 1, 0, 0, tzinfo=UTC), sent=at(2026, 7, 1, 15, tzinfo=UTC))
    meeting(project, at(2026, 8, 12, 9, tzinfo=UTC), sent=at(2026, 8, 20, 9, tzinfo=UTC))  # late
    # Tuesday 30 Jun at 23:30 UTC: Q2, though its minutes were sent in Q3 (late, on Monday 6 Jul).
    meeting(project, at(2026, 6, 30, 23, 30, tzinfo=UTC), sent=at(2026, 7, 6, 12, tzinfo=UTC))

    figures = figures_of(project)
    q3 = figures[Q3]
    assert (q3.n, q3.display) == (3, "67 %")
    q2 = figures[Q2]
    assert (q2.n, q2.share, q2.display, q2.n_label, q2.details) == (
        1,
        0.0,
        "too few to measure",
        "n = 1 meeting",
        (),
    )
    assert [(figures[q].n, figures[q].share) for q in (Q4, Q1, Q4_2025)] == [(0, None)] * 3
    assert figures[Q4].display == "too few to measure" and figures[Q4].n_label == "n = 0 meetings"
