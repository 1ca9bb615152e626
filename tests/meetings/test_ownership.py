"""Every meetings service checks that what it is handed belongs to the project (and meeting) it
was given: a row of another project or meeting is refused, never changed."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings import services
from meetings.models import ActionItem, AgendaItem, Decision, Invitee, MeetingStatus
from portal.core.exceptions import NotAllowed, ServiceError
from tests.factories.meetings import MeetingFactory, held_meeting, invite_team
from tests.factories.projects import ProjectFactory, staff_project

from .conftest import access

pytestmark = pytest.mark.django_db


@pytest.fixture
def other(project):
    """Another project run by the same CDMO: its PM's side matches, its rows must still be refused."""
    return staff_project(ProjectFactory(cdmo=project.cdmo))


def _scheduled(project):
    meeting = MeetingFactory(project=project, starts_at=timezone.now() + datetime.timedelta(days=3))
    invite_team(meeting)
    return meeting


def test_services_refuse_a_meeting_of_another_project(project, team, other):
    theirs = _scheduled(other)
    mine = access(team["pm"], project)
    calls = [
        lambda: services.meeting_update(
            access=mine, meeting=theirs, version=theirs.version, title="Hijacked"
        ),
        lambda: services.meeting_cancel(access=mine, meeting=theirs),
        lambda: services.agenda_item_add(access=mine, meeting=theirs, title="Hijacked"),
        lambda: services.meeting_send_agenda(access=mine, meeting=theirs),
        lambda: services.invitee_add(
            access=mine, meeting=theirs, spec=services.InviteeSpec(guest_email="spy@example.com")
        ),
    ]
    for call in calls:
        with pytest.raises(NotAllowed):
            call()
    theirs.refresh_from_db()
    assert theirs.status == MeetingStatus.SCHEDULED
    assert theirs.title != "Hijacked"
    assert not AgendaItem.objects.filter(meeting=theirs).exists()
    assert not Invitee.objects.filter(meeting=theirs, guest_email="spy@example.com").exists()


def test_minutes_services_refuse_a_meeting_of_another_project(project, team, other):
    draft = held_meeting(other, status=MeetingStatus.MINUTES_DRAFT)
    sent = held_meeting(other, status=MeetingStatus.MINUTES_SENT)
    pm, lead = access(team["pm"], project), access(team["lead"], project)
    calls = [
        lambda: services.minutes_save(
            access=pm, meeting=draft, version=draft.version, summary="Hijacked", next_steps=""
        ),
        lambda: services.attendance_record(access=pm, meeting=draft, marks={}),
        lambda: services.meeting_close_minutes(access=pm, meeting=draft),
        lambda: services.meeting_confirm_minutes(access=lead, meeting=sent),
        lambda: services.meeting_request_correction(access=lead, meeting=sent, note="Hijacked"),
    ]
    for call in calls:
        with pytest.raises(NotAllowed):
            call()
    draft.refresh_from_db()
    sent.refresh_from_db()
    assert (draft.status, draft.summary) == (
        MeetingStatus.MINUTES_DRAFT,
        "Reviewed progress since last call.",
    )
    assert sent.status == MeetingStatus.MINUTES_SENT


def test_services_refuse_child_rows_of_another_project(project, team, other):
    theirs = _scheduled(other)
    item = AgendaItem.objects.create(meeting=theirs, title="Theirs", position=1)
    invitee = Invitee.objects.filter(meeting=theirs).exclude(user=theirs.organizer).first()
    action = ActionItem.objects.get(meeting=held_meeting(other, status=MeetingStatus.MINUTES_SENT))
    mine = access(team["pm"], project)
    calls = [
        lambda: services.agenda_item_update(access=mine, item=item, title="Hijacked"),
        lambda: services.agenda_item_remove(access=mine, item=item),
        lambda: services.agenda_item_move(access=mine, item=item, direction="down"),
        lambda: services.invitee_set_required(access=mine, invitee=invitee, required=False),
        lambda: services.invitee_remove(access=mine, invitee=invitee),
        lambda: services.action_item_complete(access=mine, item=action),
        lambda: services.action_item_reopen(access=mine, item=action),
    ]
    for call in calls:
        with pytest.raises(NotAllowed):
            call()
    item.refresh_from_db()
    invitee.refresh_from_db()
    action.refresh_from_db()
    assert (item.title, item.removed_at) == ("Theirs", None)
    assert (invitee.required, invitee.removed_at) == (True, None)
    assert not action.is_done


def test_minutes_rows_of_another_meeting_are_refused(project, team):
    mine = held_meeting(project, status=MeetingStatus.MINUTES_DRAFT)
    theirs = held_meeting(project, status=MeetingStatus.MINUTES_DRAFT)
    their_decision = Decision.objects.get(meeting=theirs)
    their_action = ActionItem.objects.get(meeting=theirs)
    pm = access(team["pm"], project)
    for rows in (
        {"decisions": [services.DecisionRow(id=their_decision.pk, summary="Hijacked")]},
        {"decisions": [services.DecisionRow(id=their_decision.pk, summary="", remove=True)]},
        {
            "action_items": [
                services.ActionItemRow(
                    id=their_action.pk, title="Hijacked", owner=team["pm"], due_date=timezone.localdate()
                )
            ]
        },
    ):
        with pytest.raises(NotAllowed):
            services.minutes_save(
                access=pm, meeting=mine, version=mine.version, summary="Mine", next_steps="", **rows
            )
    their_decision.refresh_from_db()
    their_action.refresh_from_db()
    assert (their_decision.summary, their_decision.removed_at) == (
        "Proceed with the 200 L engineering batch",
        None,
    )
    assert their_action.title == "Send the batch record template"


def test_attendance_marks_of_another_meetings_invitees_are_refused(project, team):
    mine = held_meeting(project, status=MeetingStatus.MINUTES_DRAFT)
    theirs = held_meeting(project, status=MeetingStatus.MINUTES_DRAFT)
    their_invitee = Invitee.objects.filter(meeting=theirs).first()
    with pytest.raises(ServiceError):
        services.attendance_record(
            access=access(team["pm"], project), meeting=mine, marks={their_invitee.pk: "absent"}
        )
    their_invitee.refresh_from_db()
    assert their_invitee.attendance == "attended"


def test_a_crafted_formset_row_id_is_refused_by_the_minutes_page(client, login, project, team):
    mine = held_meeting(project, status=MeetingStatus.MINUTES_DRAFT)
    theirs = held_meeting(project, status=MeetingStatus.MINUTES_DRAFT)
    their_decision = Decision.objects.get(meeting=theirs)
    login(team["pm"])
    url = reverse("meetings:minutes", kwargs={"project_id": project.pk, "meeting_id": mine.pk})
    response = client.post(
        url,
        {
            "version": mine.version,
            "summary": "Mine",
            "next_steps": "",
            "decisions-TOTAL_FORMS": "1",
            "decisions-INITIAL_FORMS": "0",
            "decisions-0-id": their_decision.pk,
            "decisions-0-summary": "Hijacked",
            "actions-TOTAL_FORMS": "0",
            "actions-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 403
    their_decision.refresh_from_db()
    assert their_decision.summary == "Proceed with the 200 L engineering batch"
