"""The demo world holds a believable meeting history, and seeding twice adds nothing."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from meetings.models import ActionItem, Attendance, Meeting, MeetingKind, MeetingStatus
from projects.models import Project, ProjectStatus, TeamRole

pytestmark = pytest.mark.django_db


def test_demo_meeting_history():
    call_command("seed_demo", quiet=True)
    count = Meeting.objects.count()
    call_command("seed_demo", quiet=True)
    assert Meeting.objects.count() == count  # idempotent

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
