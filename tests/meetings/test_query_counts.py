"""Meeting pages' pinned query counts: the same number of queries at both sizes."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from meetings.models import Meeting, MeetingStatus
from meetings.selectors import get_meeting
from projects.models import TeamRole
from tests.factories.meetings import ActionItemFactory, MeetingFactory, close_as, held_meeting, invite_team
from tests.factories.projects import ProjectMemberFactory
from tests.meetings.conftest import access

pytestmark = pytest.mark.django_db


def _populate(project, team, meetings: int):
    for n in range(meetings):
        meeting = held_meeting(
            project,
            status=MeetingStatus.MINUTES_DRAFT,
            starts_at=timezone.now() - datetime.timedelta(days=7 * (n + 1)),
            title=f"Call {n}",
        )
        ActionItemFactory(
            meeting=meeting, owner=team["lead"], due_date=timezone.localdate() - datetime.timedelta(days=n)
        )
        close_as(meeting, MeetingStatus.CONFIRMED)
    for n in range(meetings // 2 + 1):
        upcoming = held_meeting(project, status=MeetingStatus.MINUTES_DRAFT, title=f"Upcoming {n}")
        Meeting.objects.filter(pk=upcoming.pk).update(
            status=MeetingStatus.SCHEDULED, starts_at=timezone.now() + datetime.timedelta(days=n + 1)
        )


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


# Measured with the shared project header (session, user, the project with its team in one round
# trip, header badges). The same number at both sizes is what proves there is no query per row.
PROJECT_TAB_QUERIES = 13  # the list rows' invitees are read once for their counts
MY_ACTION_ITEMS_QUERIES = 6  # no list of projects for a filter: the picker searches on demand
MEETING_PAGE_QUERIES = 13  # minutes sent: who sent them is read with the meeting's other people


@pytest.mark.parametrize("size", [2, 12])
def test_project_meetings_tab_query_count_is_pinned(client, login, project, team, size):
    _populate(project, team, size)
    login(team["lead"])
    url = reverse("meetings:project_meetings", kwargs={"project_id": project.pk})
    body = client.get(url).content.decode()
    assert body.count("attended</td>") >= min(size, 15)  # the rows are really there
    assert _count(client, url) == PROJECT_TAB_QUERIES


@pytest.mark.parametrize("size", [2, 12])
def test_my_action_items_query_count_is_pinned(client, login, project, team, size):
    _populate(project, team, size)
    login(team["lead"])
    url = reverse("meetings:my_action_items")
    assert client.get(url).content.decode().count('<tr id="action-') >= size
    assert _count(client, url) == MY_ACTION_ITEMS_QUERIES


@pytest.mark.parametrize("size", [2, 12])
def test_meeting_page_query_count_does_not_grow_with_invitees(client, login, project, team, size):
    for _ in range(size):
        ProjectMemberFactory(project=project, role=TeamRole.SME)
    meeting = held_meeting(project, status=MeetingStatus.MINUTES_DRAFT)
    for _ in range(size):
        ActionItemFactory(meeting=meeting, owner=team["lead"])
    close_as(meeting, MeetingStatus.MINUTES_SENT)
    login(team["lead"])
    assert _count(client, meeting.get_absolute_url()) == MEETING_PAGE_QUERIES


MY_MEETINGS_QUERIES = 9  # session, user, organization, ids, rows with replies, actions, 2 minutes lists, bell


@pytest.mark.parametrize("size", [3, 30])
def test_my_meetings_query_count_is_pinned(client, login, project, team, size):
    for n in range(size):
        meeting = MeetingFactory(
            project=project, title=f"Ahead {n}", starts_at=timezone.now() + datetime.timedelta(days=n + 1)
        )
        invite_team(meeting)
    login(team["lead"])
    url = reverse("meetings:my_meetings")
    assert client.get(url).content.decode().count("Ahead ") == min(size, 15)
    assert _count(client, url) == MY_MEETINGS_QUERIES


def test_a_meeting_comes_with_the_people_who_acted_on_it_in_one_query(
    project, team, django_assert_num_queries
):
    meeting = held_meeting(project, status=MeetingStatus.CONFIRMED)
    Meeting.objects.filter(pk=meeting.pk).update(
        correction_requested_at=timezone.now(), correction_requested_by=team["dm"]
    )
    lead_access = access(team["lead"], project)
    with django_assert_num_queries(2):  # the meeting with its project and organizer; the people
        loaded = get_meeting(access=lead_access, meeting_id=meeting.pk)
    with django_assert_num_queries(0):
        assert loaded.minutes_sent_by.pk == meeting.organizer_id
        assert loaded.minutes_confirmed_by == team["lead"]
        assert loaded.correction_requested_by == team["dm"]
        assert loaded.cancelled_by is None and loaded.organizer.pk == meeting.organizer_id
    scheduled = MeetingFactory(project=project)
    with django_assert_num_queries(1):
        assert get_meeting(access=lead_access, meeting_id=scheduled.pk).cancelled_by is None
