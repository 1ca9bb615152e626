"""My meetings: the person's upcoming meetings across the projects they can see, paginated."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings.models import Invitee, Rsvp
from projects.models import ProjectMember, TeamRole
from tests.factories.meetings import MeetingFactory, invite_team
from tests.factories.projects import ProjectFactory, ProjectMemberFactory

pytestmark = pytest.mark.django_db


def _upcoming(project, days: float, title: str):
    meeting = MeetingFactory(
        project=project, title=title, starts_at=timezone.now() + datetime.timedelta(days=days)
    )
    invite_team(meeting)
    return meeting


def _rows(body: str) -> list[str]:
    return [line.split(">", 1)[1].split("<", 1)[0] for line in body.split('<a href="/projects/')[1:]]


def test_lists_only_my_current_invitations_ahead_in_visible_projects_soonest_first(
    client, login, project, team
):
    lead = team["lead"]
    later = _upcoming(project, 5, "Later call")
    sooner = _upcoming(project, 2, "Sooner call")
    Invitee.objects.filter(meeting=sooner, user=lead).update(rsvp=Rsvp.ACCEPTED)
    _upcoming(project, -1, "Held yesterday")
    uninvited = _upcoming(project, 3, "Uninvited call")
    Invitee.objects.filter(meeting=uninvited, user=lead).update(removed_at=timezone.now())
    not_invited = MeetingFactory(project=project, title="Call without the lead")
    assert not Invitee.objects.filter(meeting=not_invited, user=lead).exists()
    # A project the lead has left: its meeting, though they are still on its invitation, is gone.
    left = ProjectFactory(sponsor=project.sponsor, cdmo=project.cdmo)
    ProjectMemberFactory(project=left, role=TeamRole.PROJECT_MANAGER)
    ProjectMemberFactory(project=left, role=TeamRole.SPONSOR_LEAD, user=lead)
    _upcoming(left, 1, "Call of a project left")
    ProjectMember.objects.filter(project=left, user=lead).update(removed_at=timezone.now())
    # Another project of the lead's: listed in time order among the first one's.
    other = ProjectFactory(sponsor=project.sponsor, cdmo=project.cdmo)
    ProjectMemberFactory(project=other, role=TeamRole.PROJECT_MANAGER)
    ProjectMemberFactory(project=other, role=TeamRole.SPONSOR_LEAD, user=lead)
    _upcoming(other, 4, "Other program call")

    login(lead)
    body = client.get(reverse("meetings:my_meetings")).content.decode()
    upcoming = body.split('id="up-h"')[1]
    assert _rows(upcoming) == ["Sooner call", "Other program call", "Later call"]
    assert later.get_absolute_url() in upcoming
    assert upcoming.count("Accepted") == 1 and upcoming.count(">Reply</a>") == 2


def test_pages_through_many_meetings_in_order(client, login, project, team):
    for n in range(17):
        _upcoming(project, n + 1, f"Call {n:02d}")
    login(team["lead"])
    url = reverse("meetings:my_meetings")
    first = client.get(url).content.decode().split('id="up-h"')[1]
    assert _rows(first) == [f"Call {n:02d}" for n in range(15)]
    assert "1–15 of 17" in first and "Page 1 of 2" in first
    second = client.get(url, {"page": "2"}).content.decode().split('id="up-h"')[1]
    assert _rows(second) == ["Call 15", "Call 16"]
    assert "16–17 of 17" in second
    assert _rows(client.get(url, {"page": "last"}).content.decode().split('id="up-h"')[1]) == _rows(second)
