"""A governance meeting that invites no decision-maker is not sent until the organizer chooses:
invite the decision-maker and send, or send without (recorded on the meeting)."""

import datetime
from collections import Counter

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from meetings import services
from meetings.models import Invitee, Meeting
from portal.core.models import OutboxTask
from portal.notifications.models import Notification
from projects.models import ProjectMember, TeamRole

from .conftest import access

pytestmark = pytest.mark.django_db

INVITATION_TASK = "meetings.tasks.deliver_invitation"


def _steerco(team, project, *, invite=("lead", "sme"), **extra):
    return services.meeting_schedule(
        access=access(team["pm"], project),
        kind="governance",
        title="Quarterly steering committee",
        starts_at=timezone.now() + datetime.timedelta(days=10),
        duration_minutes=90,
        video_url="https://teams.example.com/l/steerco",
        invitees=[services.InviteeSpec(user=team[name]) for name in invite],
        **extra,
    )


def _nothing_written_or_sent():
    assert not Meeting.objects.exists()
    assert not Invitee.objects.exists()
    assert not OutboxTask.objects.exists()
    assert not Notification.objects.exists()
    assert mail.outbox == []


def _invitations_per_person():
    return Counter(address for message in mail.outbox for address in message.to)


# --- the service ------------------------------------------------------------------------------


def test_nothing_is_written_or_sent_before_the_choice(project, team, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(services.DecisionMakerMissing) as pending,
    ):
        _steerco(team, project)
    assert [m.user for m in pending.value.missing] == [team["dm"]]
    assert pending.value.missing[0].side == "sponsor"
    _nothing_written_or_sent()


def test_invite_and_send_invites_the_decision_maker_and_everyone_once(
    project, team, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = _steerco(team, project, invite=("lead", "sme", "dm"))
    assert meeting.decision_maker_invited is True
    assert meeting.sent_without_decision_maker is False
    assert meeting.invitees.get(user=team["dm"]).team_role == TeamRole.DECISION_MAKER
    people = [team[name].email for name in ("pm", "lead", "sme", "dm")]
    assert _invitations_per_person() == Counter({email: 1 for email in people})
    assert OutboxTask.objects.filter(task_name=INVITATION_TASK).count() == 4


def test_send_without_is_recorded_once_with_who_and_when(project, team, django_capture_on_commit_callbacks):
    key = "a" * 32
    with django_capture_on_commit_callbacks(execute=True):
        meeting = _steerco(team, project, without_decision_maker=True, schedule_key=key)
    assert meeting.sent_without_decision_maker
    assert meeting.sent_without_decision_maker_by == team["pm"]
    assert meeting.sent_without_decision_maker_at is not None
    assert meeting.decision_maker_invited is False
    assert services.is_governance_without_decision_maker(meeting)
    # The choice is in the meeting's history (pghistory) with the reason of the audit trail.
    event = meeting.events.get()
    assert event.sent_without_decision_maker_by_id == team["pm"].pk
    assert "without a decision-maker" in event.pgh_context.metadata["reason"]
    sent = _invitations_per_person()
    assert sent == Counter({team[name].email: 1 for name in ("pm", "lead", "sme")})
    # The same form sent again (a double click): the meeting already scheduled, nobody invited twice.
    with django_capture_on_commit_callbacks(execute=True):
        again = _steerco(team, project, without_decision_maker=True, schedule_key=key)
    assert again == meeting
    assert Meeting.objects.count() == 1
    assert _invitations_per_person() == sent
    assert OutboxTask.objects.filter(task_name=INVITATION_TASK).count() == 3


def test_without_is_not_recorded_when_a_decision_maker_is_invited_anyway(project, team):
    meeting = _steerco(team, project, invite=("dm",), without_decision_maker=True)
    assert meeting.decision_maker_invited and not meeting.sent_without_decision_maker


def test_an_optional_decision_maker_or_one_named_by_email_counts(project, team):
    optional = services.meeting_schedule(
        access=access(team["pm"], project),
        kind="governance",
        title="Steering",
        starts_at=timezone.now() + datetime.timedelta(days=3),
        duration_minutes=60,
        location="Room 1",
        invitees=[services.InviteeSpec(user=team["dm"], required=False)],
    )
    assert optional.decision_maker_invited
    by_email = services.meeting_schedule(
        access=access(team["pm"], project),
        kind="governance",
        title="Steering",
        starts_at=timezone.now() + datetime.timedelta(days=4),
        duration_minutes=60,
        location="Room 1",
        invitees=[services.InviteeSpec(guest_email=team["dm"].email.upper())],
    )
    assert by_email.decision_maker_invited


def test_a_project_without_a_decision_maker_is_asked_too(project, team):
    ProjectMember.objects.filter(project=project, role=TeamRole.DECISION_MAKER).update(
        removed_at=timezone.now()
    )
    with pytest.raises(services.DecisionMakerMissing) as pending:
        _steerco(team, project)
    assert pending.value.missing == ()
    assert "has none on its team" in str(pending.value)
    meeting = _steerco(team, project, without_decision_maker=True)
    assert meeting.sent_without_decision_maker


def test_other_kinds_and_meetings_in_the_past_are_not_asked(project, team):
    weekly = services.meeting_schedule(
        access=access(team["pm"], project),
        kind="weekly",
        title="Weekly",
        starts_at=timezone.now() + datetime.timedelta(days=1),
        duration_minutes=60,
        location="Room 1",
    )
    assert not weekly.sent_without_decision_maker
    past = services.meeting_schedule(
        access=access(team["pm"], project),
        kind="governance",
        title="Steering (recorded afterwards)",
        starts_at=timezone.now() - datetime.timedelta(days=1),
        duration_minutes=60,
        location="Room 1",
    )
    assert not past.sent_without_decision_maker


# --- the pages --------------------------------------------------------------------------------


def _form(team, **extra):
    day = (timezone.localdate() + datetime.timedelta(days=7)).isoformat()
    return {
        "kind": "governance",
        "title": "Q3 steering committee",
        "date": day,
        "start_time": "15:00",
        "duration_minutes": "90",
        "location": "Marburg site, Building C",
        "guests": "Jane Doe <jane@consult.test>",
        "schedule_key": "b" * 32,
        f"invite_{team['lead'].pk}": "required",
        f"invite_{team['dm'].pk}": "no",
        f"invite_{team['sme'].pk}": "optional",
        **extra,
    }


def _schedule_url(project):
    return reverse("meetings:meeting_schedule", kwargs={"project_id": project.pk})


def test_the_warning_page_names_the_decision_maker_and_keeps_the_form(client, login, project, team):
    login(team["pm"])
    response = client.post(_schedule_url(project), _form(team))
    assert response.status_code == 200
    body = response.content.decode()
    assert "No decision-maker is invited" in body
    assert "Nothing has been sent yet" in body
    dm = team["dm"]
    assert f"<strong>{dm.full_name}</strong>, Decision-maker on the Sponsor side ({dm.organization})" in body
    assert f'name="decision_maker" value="{dm.pk}">Invite {dm.full_name} and send</button>' in body
    assert 'value="without">Send without a decision-maker</button>' in body
    assert "csrfmiddlewaretoken" in body
    # Everything typed travels along in the form.
    for value in ("Q3 steering committee", "15:00", "Marburg site, Building C", "b" * 32):
        assert f'value="{value}"' in body
    assert 'value="Jane Doe &lt;jane@consult.test&gt;"' in body
    assert f'name="invite_{team["sme"].pk}" value="optional"' in body
    _nothing_written_or_sent()
    # Back to the form: the same input, nothing sent.
    back = client.post(_schedule_url(project), _form(team, decision_maker="edit")).content.decode()
    assert 'value="Q3 steering committee"' in back and "Schedule and send invitations" in back
    assert not Meeting.objects.exists()


def test_invite_and_send_from_the_page(client, login, project, team, django_capture_on_commit_callbacks):
    login(team["pm"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_schedule_url(project), _form(team, decision_maker=str(team["dm"].pk)))
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/meetings/{meeting.pk}/agenda/")
    assert meeting.decision_maker_invited and not meeting.sent_without_decision_maker
    assert meeting.invitees.get(user=team["dm"]).required
    assert set(_invitations_per_person().values()) == {1}
    assert len(mail.outbox) == 5  # organizer, lead, sme, decision-maker, guest
    # A second click on the same page: still one meeting, one invitation each.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_schedule_url(project), _form(team, decision_maker=str(team["dm"].pk)))
    assert Meeting.objects.count() == 1 and len(mail.outbox) == 5


def test_send_without_from_the_page_shows_the_choice_on_the_meeting(
    client, login, project, team, django_capture_on_commit_callbacks
):
    login(team["pm"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_schedule_url(project), _form(team, decision_maker="without"))
    meeting = Meeting.objects.get()
    assert meeting.sent_without_decision_maker_by == team["pm"]
    assert len(mail.outbox) == 4
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "No sponsor decision-maker is invited." in page
    assert f"{team['pm'].full_name} chose to send the invitations without one" in page


def test_a_made_up_decision_maker_choice_asks_again(client, login, project, team):
    login(team["pm"])
    body = client.post(_schedule_url(project), _form(team, decision_maker=str(team["sme"].pk))).content
    assert b"No decision-maker is invited" in body
    assert not Meeting.objects.exists()


def test_with_htmx_the_card_is_swapped_and_the_send_redirects(client, login, project, team):
    login(team["pm"])
    headers = {"HX-Request": "true"}
    response = client.post(_schedule_url(project), _form(team), headers=headers)
    body = response.content.decode()
    assert body.lstrip().startswith('<div class="card" id="schedule-card">')
    assert "No decision-maker is invited" in body and "<html" not in body
    response = client.post(_schedule_url(project), _form(team, decision_maker="without"), headers=headers)
    meeting = Meeting.objects.get()
    assert response.status_code == 200
    assert response["HX-Redirect"].endswith(f"/meetings/{meeting.pk}/agenda/")


def test_no_decision_maker_on_the_team_offers_to_continue_or_go_to_the_team(client, login, project, team):
    ProjectMember.objects.filter(project=project, role=TeamRole.DECISION_MAKER).update(
        removed_at=timezone.now()
    )
    login(team["pm"])
    data = _form(team)
    del data[f"invite_{team['dm'].pk}"]
    body = client.post(_schedule_url(project), data).content.decode()
    assert "This project has no decision-maker" in body
    assert "Invite " not in body
    assert 'value="without">Send without a decision-maker</button>' in body
    assert reverse("projects:team", kwargs={"project_id": project.pk}) in body
    client.post(_schedule_url(project), {**data, "decision_maker": "without"})
    assert Meeting.objects.get().sent_without_decision_maker


def test_a_weekly_call_is_sent_at_once(client, login, project, team):
    login(team["pm"])
    response = client.post(_schedule_url(project), _form(team, kind="weekly"))
    assert response.status_code == 302
    assert Meeting.objects.get().kind == "weekly"


def test_only_the_team_may_send_and_outsiders_get_404(client, login, project, team, outsider, sponsor_exec):
    login(outsider)
    assert client.post(_schedule_url(project), _form(team, decision_maker="without")).status_code == 404
    login(sponsor_exec)  # sees the project, is not on its team: may not schedule
    assert client.post(_schedule_url(project), _form(team, decision_maker="without")).status_code == 403
    assert not Meeting.objects.exists()
