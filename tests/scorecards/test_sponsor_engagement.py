"""The sponsor's engagement: updates acknowledged and minutes answered within 2 of the sponsor's
business days, and a decision-maker present at governance meetings."""

import datetime as dt

import pytest
import time_machine

from meetings import services as meeting_services
from meetings.models import Meeting, MeetingKind, MeetingStatus
from oversight.scorecards.measures import DECISION_MAKER_PRESENT, MINUTES_CONFIRMED, UPDATES_ACKNOWLEDGED
from projects import services
from projects.models import TeamRole, UpdateAcknowledgement
from projects.selectors import access_for
from tests.factories.meetings import MeetingFactory, held_meeting
from tests.factories.projects import StatusUpdateFactory, staff_project

from .helpers import QUARTERS, UTC, measured, member, published

pytestmark = pytest.mark.usefixtures("frozen_now")

Q4, Q3, Q2, Q1, Q4_2025 = QUARTERS
at = dt.datetime
LEAD, DM, PM = TeamRole.SPONSOR_LEAD, TeamRole.DECISION_MAKER, TeamRole.PROJECT_MANAGER


@pytest.fixture
def project(db):
    project = staff_project(start_date=dt.date(2026, 1, 5))
    # The sponsor works 09:00–17:00 New York time (13:00–21:00 UTC in summer, 14:00–22:00 from
    # 1 November), Monday to Friday, without US public holidays (Labor Day: Monday 7 September).
    assert (project.sponsor.time_zone, project.sponsor.country) == ("America/New_York", "US")
    return project


def acknowledge(update, when, role=LEAD):
    return UpdateAcknowledgement.objects.create(
        update=update, user=member(update.project, role), acknowledged_at=when
    )


# --- Updates acknowledged ------------------------------------------------------------------------


def test_updates_acknowledged_within_two_of_the_sponsors_business_days(project):
    # Tuesday 4 Aug 14:00 UTC (10:00 NY): due Thursday 6 Aug 14:00 UTC; acknowledged at 13:00 (47 h).
    acknowledge(published(project, at(2026, 8, 4, 14, tzinfo=UTC)), at(2026, 8, 6, 13, tzinfo=UTC))
    # Friday 7 Aug 20:00 UTC (16:00 NY): 1 h Friday, 8 h Monday, 7 h Tuesday: due Tuesday 11 Aug
    # 20:00 UTC; acknowledged through the service at 19:00 (95 h).
    update = published(project, at(2026, 8, 7, 20, tzinfo=UTC))
    with time_machine.travel(at(2026, 8, 11, 19, tzinfo=UTC), tick=False):
        services.update_acknowledge(
            access=access_for(user=member(project, LEAD), project=project), update=update
        )
    # Friday 4 Sep 14:00 UTC: Labor Day does not count; due Wednesday 9 Sep 14:00 UTC (119 h: kept).
    acknowledge(published(project, at(2026, 9, 4, 14, tzinfo=UTC)), at(2026, 9, 9, 13, tzinfo=UTC))
    # Monday 17 Aug 14:00 UTC: due Wednesday 19 Aug 14:00 UTC; the sponsor at 15:00 (49 h): late.
    # The CDMO's own acknowledgement (a row nobody's service writes) is not the sponsor's.
    late = published(project, at(2026, 8, 17, 14, tzinfo=UTC))
    acknowledge(late, at(2026, 8, 17, 15, tzinfo=UTC), role=PM)
    acknowledge(late, at(2026, 8, 19, 15, tzinfo=UTC), role=DM)
    # Monday 24 Aug, never acknowledged: late.
    published(project, at(2026, 8, 24, 14, tzinfo=UTC))
    # Monday 31 Aug, corrected on 1 Sep; the correction acknowledged on 1 Sep 15:00 UTC (25 h
    # after the update it corrects): kept, and the correction is not an update of its own.
    original = published(project, at(2026, 8, 31, 14, tzinfo=UTC))
    correction = StatusUpdateFactory(
        project=project,
        published=True,
        published_at=at(2026, 9, 1, 12, tzinfo=UTC),
        revision_of=original,
        original=original,
        revision_number=2,
        correction_reason="Titre was 3.1 g/L, not 3.4.",
    )
    acknowledge(correction, at(2026, 9, 1, 15, tzinfo=UTC))

    q3 = measured(UPDATES_ACKNOWLEDGED, project, QUARTERS)[Q3]
    # 4 of 6 kept; hours 47, 95, 119, 49, 25 (none for the unacknowledged): median 49.
    assert (q3.n, q3.tally.kept, q3.display, q3.n_label) == (6, 4, "67 %", "n = 6 updates")
    assert q3.details == ("median 49.0 hours to acknowledge",)


def test_an_update_still_within_its_time_is_not_counted_yet(project):
    # Monday 2 Nov, acknowledged the next day: kept.
    acknowledge(published(project, at(2026, 11, 2, 15, tzinfo=UTC)), at(2026, 11, 3, 15, tzinfo=UTC))
    # Thursday 12 Nov 14:00 UTC (09:00 NY): due Friday 13 Nov 22:00 UTC; not acknowledged: late.
    published(project, at(2026, 11, 12, 14, tzinfo=UTC))
    # Tuesday 17 Nov 14:00 UTC: due today at 22:00 UTC, twelve hours from now: not counted yet.
    published(project, at(2026, 11, 17, 14, tzinfo=UTC))

    figures = measured(UPDATES_ACKNOWLEDGED, project, QUARTERS)
    assert (figures[Q4].n, figures[Q4].tally.kept, figures[Q4].display) == (2, 1, "too few to measure")
    assert figures[Q4].details == ()
    assert [figures[q].n for q in (Q3, Q2, Q1, Q4_2025)] == [0] * 4


# --- Minutes confirmed ---------------------------------------------------------------------------


def sent(project, when, **kwargs):
    """A one-hour meeting two hours before `when`, its minutes sent at `when`."""
    with time_machine.travel(when, tick=False):
        return held_meeting(
            project, starts_at=when - dt.timedelta(hours=2), status=MeetingStatus.MINUTES_SENT, **kwargs
        )


def sponsor_lead(project):
    return access_for(user=member(project, LEAD), project=project)


def test_minutes_answered_within_two_of_the_sponsors_business_days(project):
    # Tuesday 4 Aug 14:00 UTC: confirmed the next day (24 h): kept.
    first = sent(project, at(2026, 8, 4, 14, tzinfo=UTC))
    with time_machine.travel(at(2026, 8, 5, 14, tzinfo=UTC), tick=False):
        meeting_services.meeting_confirm_minutes(access=sponsor_lead(project), meeting=first)
    # Friday 7 Aug 20:00 UTC: due Tuesday 11 Aug 20:00 UTC, confirmed at 21:00 (97 h): late.
    second = sent(project, at(2026, 8, 7, 20, tzinfo=UTC))
    with time_machine.travel(at(2026, 8, 11, 21, tzinfo=UTC), tick=False):
        meeting_services.meeting_confirm_minutes(access=sponsor_lead(project), meeting=second)
    # Friday 4 Sep 14:00 UTC (Labor Day between): a correction asked on Wednesday 9 Sep at 13:00
    # UTC (119 h), in time: an answer too.
    third = sent(project, at(2026, 9, 4, 14, tzinfo=UTC))
    with time_machine.travel(at(2026, 9, 9, 13, tzinfo=UTC), tick=False):
        meeting_services.meeting_request_correction(
            access=sponsor_lead(project), meeting=third, note="The batch size was 200 L."
        )
    # Monday 24 Aug, still awaiting an answer: late.
    sent(project, at(2026, 8, 24, 14, tzinfo=UTC))
    # Not counted: minutes of a meeting the sponsor ran; another project's.
    sent(project, at(2026, 8, 25, 14, tzinfo=UTC), organizer=member(project, LEAD))
    sent(staff_project(start_date=dt.date(2026, 1, 5)), at(2026, 8, 26, 14, tzinfo=UTC))

    q3 = measured(MINUTES_CONFIRMED, project, QUARTERS)[Q3]
    third.refresh_from_db()
    assert third.status == MeetingStatus.MINUTES_DRAFT
    # 2 of 4 in time; hours 24, 97, 119: median 97.
    assert (q3.n, q3.tally.kept, q3.display, q3.n_label) == (4, 2, "50 %", "n = 4 sendings of minutes")
    assert q3.details == ("median 97.0 hours to answer",)


def test_minutes_sent_again_count_from_their_last_sending(project):
    # Sent Monday 2 Nov, sent back Thursday 5 Nov (late for that sending, but it is the last
    # sending that counts), sent again Monday 9 Nov 15:00 UTC and confirmed Tuesday 10 Nov 15:00
    # UTC (24 h): kept, in the quarter of the last sending.
    meeting = sent(project, at(2026, 11, 2, 15, tzinfo=UTC))
    with time_machine.travel(at(2026, 11, 5, 15, tzinfo=UTC), tick=False):
        meeting = meeting_services.meeting_request_correction(
            access=sponsor_lead(project), meeting=meeting, note="Add the resin decision."
        )
    Meeting.objects.filter(pk=meeting.pk).update(
        status=MeetingStatus.MINUTES_SENT, minutes_sent_at=at(2026, 11, 9, 15, tzinfo=UTC)
    )
    meeting.refresh_from_db()
    with time_machine.travel(at(2026, 11, 10, 15, tzinfo=UTC), tick=False):
        meeting_services.meeting_confirm_minutes(access=sponsor_lead(project), meeting=meeting)
    # Tuesday 17 Nov 14:00 UTC, awaiting: due today 22:00 UTC, not counted yet.
    sent(project, at(2026, 11, 17, 14, tzinfo=UTC))

    q4 = measured(MINUTES_CONFIRMED, project, QUARTERS)[Q4]
    assert (q4.n, q4.tally.kept, q4.tally.samples, q4.display) == (1, 1, (24.0,), "too few to measure")


# --- Decision-maker present ----------------------------------------------------------------------


def governance(project, starts_at, **kwargs):
    with time_machine.travel(starts_at + dt.timedelta(hours=2), tick=False):
        return held_meeting(
            project,
            starts_at=starts_at,
            kind=MeetingKind.GOVERNANCE,
            status=MeetingStatus.MINUTES_SENT,
            **kwargs,
        )


def test_a_decision_maker_present_at_governance_meetings(project):
    governance(project, at(2026, 7, 8, 14, tzinfo=UTC))  # present
    governance(project, at(2026, 8, 12, 14, tzinfo=UTC), absent_roles=(DM,))  # absent
    governance(project, at(2026, 9, 9, 14, tzinfo=UTC), absent_roles=(LEAD,))  # present
    # Not counted: a weekly call without the decision-maker; a governance meeting without recorded
    # attendance; one cancelled; one still to come.
    with time_machine.travel(at(2026, 9, 2, 16, tzinfo=UTC), tick=False):
        held_meeting(project, starts_at=at(2026, 9, 2, 14, tzinfo=UTC), absent_roles=(DM,))
    unrecorded = governance(project, at(2026, 9, 16, 14, tzinfo=UTC), absent_roles=(DM,))
    Meeting.objects.filter(pk=unrecorded.pk).update(attendance_recorded_at=None)
    MeetingFactory(
        project=project,
        kind=MeetingKind.GOVERNANCE,
        starts_at=at(2026, 9, 23, 14, tzinfo=UTC),
        status=MeetingStatus.CANCELLED,
        cancelled_at=at(2026, 9, 20, 14, tzinfo=UTC),
    )
    MeetingFactory(project=project, kind=MeetingKind.GOVERNANCE, starts_at=at(2026, 12, 9, 14, tzinfo=UTC))
    # Q4: one so far, present.
    governance(project, at(2026, 10, 14, 14, tzinfo=UTC))

    figures = measured(DECISION_MAKER_PRESENT, project, QUARTERS)
    # Q3: present at 2 of 3.
    assert (figures[Q3].n, figures[Q3].tally.kept, figures[Q3].display) == (3, 2, "67 %")
    assert figures[Q3].n_label == "n = 3 governance meetings" and figures[Q3].details == ()
    assert (figures[Q4].n, figures[Q4].display) == (1, "too few to measure")
    assert [figures[q].n for q in (Q2, Q1, Q4_2025)] == [0] * 3
