"""Rules over meetings, action items and service issues: raise when true, clear when not."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from issues.models import EventKind, IssueEvent, IssueStatus
from issues.models import Severity as IssueSeverity
from meetings.models import ActionItemStatus, MeetingKind, MeetingStatus
from oversight.monitoring.models import Flag, FlagKind, Severity
from oversight.monitoring.services import sweep
from projects.models import TeamRole
from tests.factories.issues import ServiceIssueFactory
from tests.factories.meetings import ActionItemFactory, MeetingFactory, held_meeting, invite_team
from tests.factories.projects import staff_project

NOW = dt.datetime(2026, 11, 18, 15, 0, tzinfo=dt.UTC)  # Wednesday afternoon


def open_flags(kind):
    return list(Flag.objects.filter(kind=kind, cleared_at__isnull=True))


@pytest.fixture
def project(db):
    p = staff_project(start_date=dt.date(2026, 1, 5))
    p.last_update_published_at = NOW
    p.next_update_due = timezone.localdate(NOW) + dt.timedelta(days=7)
    p.save()
    return p


@time_machine.travel(NOW, tick=False)
def test_governance_meeting_without_decision_maker(project):
    meeting = MeetingFactory(
        project=project,
        kind=MeetingKind.GOVERNANCE,
        title="Q4 steering committee",
        starts_at=NOW + dt.timedelta(days=10),
    )
    invite_team(meeting, exclude_roles=[TeamRole.DECISION_MAKER])
    sweep(now=NOW)
    (flag,) = open_flags(FlagKind.GOVERNANCE_WITHOUT_DECISION_MAKER)
    assert flag.subject == meeting and "Q4 steering committee" in flag.explanation
    invite_team(meeting)  # now the decision-maker is invited too
    sweep(now=NOW + dt.timedelta(minutes=15))
    assert open_flags(FlagKind.GOVERNANCE_WITHOUT_DECISION_MAKER) == []


@time_machine.travel(NOW, tick=False)
def test_the_flag_says_when_the_organizer_sent_without_a_decision_maker_on_purpose(project):
    organizer = project.members.get(role=TeamRole.PROJECT_MANAGER).user
    meeting = MeetingFactory(
        project=project,
        kind=MeetingKind.GOVERNANCE,
        title="Q4 steering committee",
        starts_at=NOW + dt.timedelta(days=10),
        sent_without_decision_maker_at=NOW - dt.timedelta(days=1),
        sent_without_decision_maker_by=organizer,
    )
    invite_team(meeting, exclude_roles=[TeamRole.DECISION_MAKER])
    sweep(now=NOW)
    (flag,) = open_flags(FlagKind.GOVERNANCE_WITHOUT_DECISION_MAKER)
    assert flag.explanation.endswith(
        f"has no sponsor decision-maker invited. {organizer.full_name} chose to send it without one on 17 Nov 2026."
    )


@time_machine.travel(NOW, tick=False)
def test_decision_maker_absent_from_last_two_governance_meetings(project):
    for weeks in (12, 8):
        held_meeting(
            project,
            kind=MeetingKind.GOVERNANCE,
            starts_at=NOW - dt.timedelta(weeks=weeks),
            status=MeetingStatus.CONFIRMED,
        )
    held_meeting(
        project,
        kind=MeetingKind.GOVERNANCE,
        starts_at=NOW - dt.timedelta(weeks=4),
        status=MeetingStatus.CONFIRMED,
        absent_roles=[TeamRole.DECISION_MAKER],
    )
    held_meeting(
        project,
        kind=MeetingKind.WEEKLY,
        starts_at=NOW - dt.timedelta(weeks=3),
        status=MeetingStatus.CONFIRMED,
    )
    sweep(now=NOW)
    assert open_flags(FlagKind.DECISION_MAKER_ABSENT) == []  # absent once is not yet a pattern

    latest = held_meeting(
        project,
        kind=MeetingKind.GOVERNANCE,
        starts_at=NOW - dt.timedelta(weeks=1),
        status=MeetingStatus.CONFIRMED,
        absent_roles=[TeamRole.DECISION_MAKER],
    )
    sweep(now=NOW + dt.timedelta(minutes=5))
    (flag,) = open_flags(FlagKind.DECISION_MAKER_ABSENT)
    assert flag.severity == Severity.CRITICAL
    assert "absent from the last two governance meetings" in flag.explanation

    held_meeting(
        project,
        kind=MeetingKind.GOVERNANCE,
        starts_at=latest.starts_at + dt.timedelta(days=3),
        status=MeetingStatus.CONFIRMED,
    )
    sweep(now=NOW + dt.timedelta(minutes=10))
    assert open_flags(FlagKind.DECISION_MAKER_ABSENT) == []


@time_machine.travel(NOW, tick=False)
def test_minutes_not_sent_within_two_business_days(project):
    # Friday 14 Nov 10:00 UTC: two business days later is Tuesday 18 Nov, ~10:00 local (Berlin CDMO).
    friday = dt.datetime(2026, 11, 14, 10, 0, tzinfo=dt.UTC)
    meeting = held_meeting(project, starts_at=friday, status=MeetingStatus.MINUTES_DRAFT)
    sweep(now=dt.datetime(2026, 11, 17, 16, 0, tzinfo=dt.UTC))  # Monday: not late yet
    assert open_flags(FlagKind.MINUTES_NOT_SENT) == []
    sweep(now=NOW)  # Wednesday
    (flag,) = open_flags(FlagKind.MINUTES_NOT_SENT)
    assert flag.subject == meeting and "within 2 business days" in flag.explanation
    meeting.status, meeting.minutes_sent_at, meeting.minutes_sent_by = (
        MeetingStatus.MINUTES_SENT,
        NOW,
        meeting.organizer,
    )
    meeting.save()
    sweep(now=NOW + dt.timedelta(minutes=1))
    assert open_flags(FlagKind.MINUTES_NOT_SENT) == []


@time_machine.travel(NOW, tick=False)
def test_minutes_not_confirmed_by_the_sponsor(project):
    meeting = held_meeting(project, starts_at=NOW - dt.timedelta(days=8), status=MeetingStatus.MINUTES_SENT)
    meeting.minutes_sent_at = NOW - dt.timedelta(days=6)
    meeting.save()
    sweep(now=NOW)
    (flag,) = open_flags(FlagKind.MINUTES_NOT_CONFIRMED)
    assert flag.subject == meeting and "has not confirmed the minutes" in flag.explanation


@time_machine.travel(NOW, tick=False)
def test_overdue_action_item_until_done(project):
    meeting = held_meeting(project, starts_at=NOW - dt.timedelta(days=20), status=MeetingStatus.MINUTES_DRAFT)
    item = ActionItemFactory(
        meeting=meeting,
        title="Send the tech transfer package",
        due_date=timezone.localdate(NOW) - dt.timedelta(days=3),
    )
    sweep(now=NOW)
    flags = {f.subject_id: f for f in open_flags(FlagKind.ACTION_ITEM_OVERDUE)}
    due = timezone.localdate(NOW) - dt.timedelta(days=3)
    assert item.pk in flags and f"was due {due:%d %b %Y}." in flags[item.pk].explanation
    assert flags[item.pk].severity == Severity.WARNING
    # Critical once more than two weeks late: the same flag.
    sweep(now=NOW + dt.timedelta(days=12))
    later = {f.subject_id: f for f in open_flags(FlagKind.ACTION_ITEM_OVERDUE)}
    assert (later[item.pk], later[item.pk].severity) == (flags[item.pk], Severity.CRITICAL)
    item.status, item.completed_at = ActionItemStatus.DONE, NOW
    item.save()
    sweep(now=NOW + dt.timedelta(days=12, minutes=1))
    assert item.pk not in {f.subject_id for f in open_flags(FlagKind.ACTION_ITEM_OVERDUE)}


@time_machine.travel(NOW, tick=False)
def test_service_issue_past_acknowledge_by_is_flagged_and_escalated_once(project):
    issue = ServiceIssueFactory(
        project=project,
        severity=IssueSeverity.CRITICAL,
        title="No QA contact for deviation",
        raised_at=NOW - dt.timedelta(hours=30),
        acknowledge_by=NOW - dt.timedelta(hours=2),
        plan_by=NOW + dt.timedelta(hours=20),
    )
    sweep(now=NOW)
    (flag,) = open_flags(FlagKind.ISSUE_ACK_BREACH)
    assert flag.subject == issue and flag.severity == Severity.CRITICAL
    issue.refresh_from_db()
    assert issue.acknowledge_breached_at == NOW and issue.escalation_level == 1
    sweep(now=NOW + dt.timedelta(minutes=15))
    issue.refresh_from_db()
    assert issue.escalation_level == 1  # a breach escalates once, however many sweeps run
    assert IssueEvent.objects.filter(issue=issue, kind=EventKind.ESCALATED).count() == 1
    assert len(open_flags(FlagKind.ISSUE_ACK_BREACH)) == 1

    issue.status, issue.acknowledged_at = IssueStatus.ACKNOWLEDGED, NOW
    issue.save()
    sweep(now=NOW + dt.timedelta(minutes=30))
    assert open_flags(FlagKind.ISSUE_ACK_BREACH) == []


@time_machine.travel(NOW, tick=False)
def test_service_issue_past_plan_by_is_flagged(project):
    issue = ServiceIssueFactory(
        project=project,
        status=IssueStatus.ACKNOWLEDGED,
        acknowledged_at=NOW - dt.timedelta(days=3),
        raised_at=NOW - dt.timedelta(days=4),
        acknowledge_by=NOW - dt.timedelta(days=3),
        plan_by=NOW - dt.timedelta(days=1),
    )
    sweep(now=NOW)
    (flag,) = open_flags(FlagKind.ISSUE_PLAN_BREACH)
    assert flag.subject == issue and "no resolution plan" in flag.explanation
    issue.refresh_from_db()
    assert issue.plan_breached_at == NOW
