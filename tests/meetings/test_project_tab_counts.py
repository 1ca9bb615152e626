"""The project's Meetings tab: each row's replies, attendance and decision-maker figures."""

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings.models import Attendance, Invitee, MeetingStatus, Rsvp
from projects.models import TeamRole
from tests.factories.meetings import MeetingFactory, held_meeting, invite_team

pytestmark = pytest.mark.django_db


def _row(body: str, title: str) -> str:
    return body.split(f">{title}</a>")[1].split("</tr>")[0]


def test_rows_count_current_invitees_replies_attendance_and_the_decision_maker(client, login, project, team):
    ahead = MeetingFactory(project=project, title="Call ahead")
    invite_team(ahead)  # the organizer (PM) has accepted
    Invitee.objects.filter(meeting=ahead, user=team["dm"]).update(rsvp=Rsvp.ACCEPTED)
    Invitee.objects.filter(meeting=ahead, user=team["sme"]).update(rsvp=Rsvp.DECLINED)
    Invitee.objects.create(
        meeting=ahead, guest_email="gone@example.com", rsvp=Rsvp.ACCEPTED, removed_at=timezone.now()
    )
    held = held_meeting(project, status=MeetingStatus.MINUTES_DRAFT, title="Call held", absent_roles=("sme",))
    Invitee.objects.create(
        meeting=held, guest_email="walk-in@example.com", unexpected=True, attendance=Attendance.ATTENDED
    )
    Invitee.objects.create(
        meeting=held,
        guest_email="struck@example.com",
        attendance=Attendance.ATTENDED,
        removed_at=timezone.now(),
    )
    steering = held_meeting(
        project,
        status=MeetingStatus.MINUTES_DRAFT,
        title="Steering",
        kind="governance",
        absent_roles=("decision_maker",),
    )
    Invitee.objects.filter(meeting=steering, team_role=TeamRole.DECISION_MAKER).update(
        removed_at=timezone.now()
    )

    login(team["lead"])
    body = client.get(
        reverse("meetings:project_meetings", kwargs={"project_id": project.pk})
    ).content.decode()
    assert "2 of 4 accepted" in _row(body, "Call ahead") and "1 declined" in _row(body, "Call ahead")
    row = _row(body, "Call held")
    assert '<strong>3/4</strong> attended <span class="muted small">+1</span>' in row
    assert "badge-green" in row and "Attended" in row
    row = _row(body, "Steering")  # the decision-maker's invitation struck: not absent, not invited
    assert "<strong>3/3</strong> attended</td>" in row and "Not invited" in row and "Absent" not in row
