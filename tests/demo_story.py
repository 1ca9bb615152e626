"""What the demo world must show, whatever the moment it was seeded at.

Shared by the demo tests at the real time and by the demo test at every clock instant
(tests/portal/test_seed_demo.py), which seeds once per instant.
"""

import datetime

from django.urls import reverse
from django.utils import timezone

from meetings.models import ActionItem, Attendance, Meeting, MeetingKind, MeetingStatus
from oversight.monitoring.models import Flag, FlagKind
from portal.accounts.models import User
from projects.models import Project, ProjectStatus, TeamRole


def assert_meeting_history():
    """Weekly calls, governance, next week's call, every minutes state, the absent decision-maker."""
    now = timezone.now()
    for project in Project.objects.filter(status=ProjectStatus.ACTIVE):
        meetings = Meeting.objects.filter(project=project)
        weekly = meetings.filter(kind=MeetingKind.WEEKLY, starts_at__lt=now)
        assert weekly.count() >= 8 or project.start_date > (now - timezone.timedelta(weeks=8)).date(), (
            project.code
        )
        assert meetings.filter(kind=MeetingKind.GOVERNANCE, starts_at__lt=now).exists(), project.code
        assert meetings.filter(starts_at__gt=now, starts_at__lt=now + timezone.timedelta(days=8)).exists(), (
            project.code
        )

    statuses = set(Meeting.objects.values_list("status", flat=True))
    assert {
        MeetingStatus.CONFIRMED,
        MeetingStatus.MINUTES_SENT,
        MeetingStatus.MINUTES_DRAFT,
        MeetingStatus.SCHEDULED,
    } <= statuses
    assert (
        Meeting.objects.filter(
            status=MeetingStatus.MINUTES_DRAFT, correction_requested_at__isnull=False
        ).count()
        == 1
    )
    assert (
        Meeting.objects.filter(status=MeetingStatus.CONFIRMED).count()
        > 5 * Meeting.objects.filter(status=MeetingStatus.MINUTES_SENT).count()
    )

    # ACM-101: the decision-maker missed the last two steering committees.
    last_two = Meeting.objects.filter(
        project__code="ACM-101", kind=MeetingKind.GOVERNANCE, starts_at__lt=now
    ).order_by("-starts_at")[:2]
    assert len(last_two) == 2
    for meeting in last_two:
        dm = meeting.invitees.get(team_role=TeamRole.DECISION_MAKER)
        assert dm.attendance == Attendance.ABSENT
    # Elsewhere decision-makers came.
    other = Meeting.objects.filter(
        project__code="KST-401", kind=MeetingKind.GOVERNANCE, starts_at__lt=now
    ).first()
    assert other.invitees.get(team_role=TeamRole.DECISION_MAKER).attendance == Attendance.ATTENDED
    # A governance meeting is scheduled without the decision-maker invited.
    assert Meeting.objects.filter(
        kind=MeetingKind.GOVERNANCE, starts_at__gt=now, decision_maker_invited=False, project__code="KST-415"
    ).exists()

    today = timezone.localdate()
    items = ActionItem.objects.all()
    assert items.filter(status="done").exists()
    assert items.filter(status="open", due_date__lt=today).exists()
    assert items.filter(status="open", due_date__gte=today).exists()


def assert_dashboard_story(client):
    """Flags dated when a live sweep would have raised them; the dashboard's worst and green rows."""
    # Conditions that began before the demo was seeded are dated when a live sweep would have
    # raised them (the day after an action item fell due), not all on the seeding day.
    overdue = Flag.objects.filter(kind=FlagKind.ACTION_ITEM_OVERDUE, cleared_at__isnull=True)
    assert overdue.count() >= 3
    for flag in overdue:
        assert flag.raised_at.date() == flag.subject.due_date + datetime.timedelta(days=1), flag.explanation

    open_kinds = set(Flag.objects.filter(cleared_at__isnull=True).values_list("kind", "project__code"))
    assert (FlagKind.STALE_UPDATE, "HLX-207") in open_kinds
    assert (FlagKind.ISSUE_ACK_BREACH, "HLX-207") in open_kinds
    assert (FlagKind.DECISION_MAKER_ABSENT, "ACM-101") in open_kinds
    assert (FlagKind.NO_DECISION_MAKER, "HLX-201") in open_kinds
    assert Flag.objects.filter(cleared_at__isnull=False).count() >= 10  # twelve weeks of history

    client.force_login(User.objects.get(email="exec@cascade.example.com"))
    rows = client.get(reverse("monitoring:dashboard")).context["rows"]
    assert rows[0].code == "HLX-207" and rows[0].breached_issues >= 1
    assert any(row.score == 0 and row.overall == "green" for row in rows) or any(
        row.overall == "green" for row in rows
    )
