"""Meeting pages in the browser's place: forms, errors, htmx (query counts: test_query_counts.py)."""

import datetime

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from meetings.models import ActionItem, AgendaItem, Decision, Invitee, Meeting, MeetingStatus
from tests.factories.meetings import ActionItemFactory, held_meeting

pytestmark = pytest.mark.django_db


def _url(name, meeting, **extra):
    return reverse(
        f"meetings:{name}", kwargs={"project_id": meeting.project_id, "meeting_id": meeting.pk, **extra}
    )


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_schedule_form_keeps_what_was_typed_on_errors(client, login, project, team):
    login(team["pm"])
    url = reverse("meetings:meeting_schedule", kwargs={"project_id": project.pk})
    response = client.post(
        url,
        {
            "kind": "technical_review",
            "title": "Impurity deep-dive",
            "date": "not a date",
            "start_time": "10:30",
            "duration_minutes": "90",
            "guests": "Jane Doe <jane@consult.test>\nnot-an-email",
            f"invite_{team['sme'].pk}": "optional",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="Impurity deep-dive"' in body
    assert 'value="10:30"' in body
    assert "Enter a valid date." in body
    assert "Give a video link or a place (or both)." in body
    assert "Line 2: “not-an-email” is not an email address." in body
    assert "Jane Doe &lt;jane@consult.test&gt;" in body
    assert '<option value="optional" selected>' in body
    assert not Meeting.objects.exists()


def test_garbage_input_never_breaks_the_page(client, login, project, team):
    login(team["pm"])
    url = reverse("meetings:meeting_schedule", kwargs={"project_id": project.pk})
    response = client.post(
        url,
        {
            "kind": "party",
            "duration_minutes": "-3",
            "start_time": "25:99",
            "video_url": "javascript:alert(1)",
        },
    )
    assert response.status_code == 200
    assert not Meeting.objects.exists()


def test_scheduling_a_governance_meeting_without_the_decision_maker_warns_first(client, login, project, team):
    login(team["pm"])
    url = reverse("meetings:meeting_schedule", kwargs={"project_id": project.pk})
    day = (timezone.localdate() + datetime.timedelta(days=7)).isoformat()
    data = {
        "kind": "governance",
        "date": day,
        "start_time": "15:00",
        "duration_minutes": "90",
        "location": "Marburg site, Building C",
        f"invite_{team['lead'].pk}": "required",
        f"invite_{team['dm'].pk}": "no",
        f"invite_{team['sme'].pk}": "optional",
    }
    warning = client.post(url, data)
    assert "No decision-maker is invited" in warning.content.decode()
    assert not Meeting.objects.exists()
    client.post(url, {**data, "decision_maker": "without"}, follow=True)
    meeting = Meeting.objects.get()
    assert meeting.title == "Governance / steering committee"
    assert meeting.decision_maker_invited is False
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "No sponsor decision-maker is invited." in page
    assert set(meeting.invitees.values_list("user_id", "required")) == {
        (team["pm"].pk, True),
        (team["lead"].pk, True),
        (team["sme"].pk, False),
    }


def test_agenda_is_built_with_plain_forms(client, login, schedule, team):
    meeting = schedule()
    login(team["pm"])
    for title in ("Stability data", "Budget"):
        client.post(
            _url("agenda", meeting), {"title": title, "presenter": team["sme"].pk, "minutes_allotted": "15"}
        )
    budget = AgendaItem.objects.get(title="Budget")
    client.post(_url("agenda_item_move", meeting, agendaitem_id=budget.pk), {"direction": "up"})
    assert list(AgendaItem.objects.order_by("position").values_list("title", flat=True)) == [
        "Budget",
        "Stability data",
    ]
    response = client.post(_url("agenda", meeting), {"title": "", "minutes_allotted": "0"})
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    client.post(
        _url("agenda_item_edit", meeting, agendaitem_id=budget.pk), {"title": "Budget and change orders"}
    )
    budget.refresh_from_db()
    assert budget.title == "Budget and change orders" and budget.presenter is None
    client.post(_url("agenda_item_remove", meeting, agendaitem_id=budget.pk))
    agenda = client.get(meeting.get_absolute_url()).content.decode().split('aria-labelledby="agenda-h"')[1]
    assert "Stability data" in agenda and "Budget and change orders" not in agenda


def test_invite_a_guest_and_a_team_member_later(
    client, login, schedule, team, django_capture_on_commit_callbacks
):
    meeting = schedule(invite=("lead",))
    login(team["pm"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            _url("invitees", meeting),
            {
                "form": "guest",
                "guest-guest_name": "Gina",
                "guest-guest_email": "Gina@Consult.test",
                "guest-required": "on",
            },
        )
        client.post(_url("invitees", meeting), {"form": "team", "team-user": team["dm"].pk})
    assert meeting.invitees.filter(guest_email="gina@consult.test", required=True).exists()
    assert meeting.invitees.filter(user=team["dm"], required=False).exists()
    response = client.post(
        _url("invitees", meeting), {"form": "guest", "guest-guest_email": "gina@consult.test"}
    )
    assert "Gina is already invited." in response.content.decode()
    response = client.post(_url("invitees", meeting), {"form": "guest", "guest-guest_email": "nope"})
    assert "Enter a valid email address." in response.content.decode()


def test_the_invitee_replies_from_the_meeting_page(client, login, schedule, team):
    meeting = schedule()
    login(team["lead"])
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "Will you attend?" in page
    client.post(_url("rsvp", meeting), {"response": "tentative"})
    assert meeting.invitees.get(user=team["lead"]).rsvp == "tentative"
    response = client.post(_url("rsvp", meeting), {"response": "bogus"}, follow=True)
    assert any("accept, tentative or decline" in m for m in _messages(response))


def test_attendance_then_minutes_then_close_through_the_pages(
    client, login, schedule, project, team, django_capture_on_commit_callbacks
):
    from projects.models import TeamRole
    from tests.factories.projects import ProjectMemberFactory

    guest_qa = ProjectMemberFactory(project=project, role=TeamRole.CDMO_MEMBER).user
    start = timezone.now() + datetime.timedelta(hours=1)
    meeting = schedule(starts_at=start)
    login(team["pm"])
    with time_machine.travel(start + datetime.timedelta(hours=2), tick=False):
        invitees = {i.user_id: i.pk for i in meeting.invitees.all()}
        # A missing mark comes back as an error, nothing saved.
        response = client.post(
            _url("attendance", meeting), {f"attendance_{invitees[team['pm'].pk]}": "attended"}
        )
        assert (
            response.status_code == 200 and "Mark whether Emily Carter attended." in response.content.decode()
        )
        marks = {f"attendance_{pk}": "attended" for pk in invitees.values()}
        marks[f"attendance_{invitees[team['dm'].pk]}"] = "absent"
        response = client.post(_url("attendance", meeting), {**marks, "unexpected": [guest_qa.pk]})
        assert response.status_code == 302 and response["Location"] == _url("minutes", meeting)
        assert Invitee.objects.get(meeting=meeting, user=guest_qa).unexpected

        meeting.refresh_from_db()
        form = {
            "version": meeting.version,
            "summary": "Walked through the engineering batch plan.",
            "next_steps": "Book the GMP slot.",
            "decisions-TOTAL_FORMS": "2",
            "decisions-INITIAL_FORMS": "0",
            "decisions-0-summary": "Run the engineering batch at 200 L.",
            "decisions-1-summary": "",
            "actions-TOTAL_FORMS": "2",
            "actions-INITIAL_FORMS": "0",
            "actions-0-title": "Send the batch record",
            "actions-0-owner": team["lead"].pk,
            "actions-0-due_date": "2031-01-10",
            "actions-1-title": "Book the QA walkthrough",
            "then": "save",
        }
        response = client.post(_url("minutes", meeting), form)
        assert response.status_code == 200  # second action has no owner or date
        body = response.content.decode()
        assert "Who owns this action?" in body and "By when?" in body
        assert 'value="Send the batch record"' in body
        assert not Decision.objects.exists()

        form.update({"actions-1-owner": team["sme"].pk, "actions-1-due_date": "2031-01-12"})
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(_url("minutes", meeting), {**form, "then": "close"})
        assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.MINUTES_SENT
    assert list(Decision.objects.values_list("summary", flat=True)) == ["Run the engineering batch at 200 L."]
    assert list(ActionItem.objects.order_by("position").values_list("title", "owner_id")) == [
        ("Send the batch record", team["lead"].pk),
        ("Book the QA walkthrough", team["sme"].pk),
    ]
    # The closed minutes cannot be opened for editing again.
    response = client.get(_url("minutes", meeting))
    assert response.status_code == 302


def test_editing_minutes_shows_existing_rows_and_removes_struck_ones(client, login, project, team):
    meeting = held_meeting(project, status=MeetingStatus.MINUTES_DRAFT)
    decision = Decision.objects.get(meeting=meeting)
    login(team["pm"])
    body = client.get(_url("minutes", meeting)).content.decode()
    assert "Proceed with the 200 L engineering batch" in body
    item = ActionItem.objects.get(meeting=meeting)
    response = client.post(
        _url("minutes", meeting),
        {
            "version": meeting.version,
            "summary": "Updated",
            "next_steps": "",
            "decisions-TOTAL_FORMS": "1",
            "decisions-INITIAL_FORMS": "1",
            "decisions-0-id": decision.pk,
            "decisions-0-summary": decision.summary,
            "decisions-0-remove": "on",
            "actions-TOTAL_FORMS": "1",
            "actions-INITIAL_FORMS": "1",
            "actions-0-id": item.pk,
            "actions-0-title": "Send the batch record template (v2)",
            "actions-0-owner": item.owner_id,
            "actions-0-due_date": item.due_date.isoformat(),
        },
    )
    assert response.status_code == 302
    decision.refresh_from_db()
    item.refresh_from_db()
    assert decision.removed_at is not None
    assert item.title == "Send the batch record template (v2)"


def test_owner_marks_an_action_item_done_with_htmx(client, login, project, team):
    meeting = held_meeting(project, status=MeetingStatus.MINUTES_SENT)
    item = ActionItem.objects.get(meeting=meeting)
    login(team["pm"])
    url = reverse("meetings:action_item_toggle", kwargs={"project_id": project.pk, "actionitem_id": item.pk})
    response = client.post(url, {"done": "1", "layout": "mine"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.content.decode()
    assert body.strip().startswith(f'<tr id="action-{item.pk}" class="row-done"')
    assert "Reopen" in body and "<html" not in body
    item.refresh_from_db()
    assert item.is_done
    response = client.post(url, {"done": "0", "next": "/meetings/action-items/"})
    assert response.status_code == 302 and response["Location"] == "/meetings/action-items/"
    item.refresh_from_db()
    assert not item.is_done
    response = client.post(url, {"done": "1", "next": "https://evil.example.com/"})
    assert response["Location"] == item.get_absolute_url()


@time_machine.travel(datetime.datetime(2026, 11, 20, 15, 0, tzinfo=datetime.UTC), tick=False)
def test_my_action_items_highlights_overdue_and_filters(client, login, project, team):
    meeting = held_meeting(project, status=MeetingStatus.MINUTES_DRAFT)
    today = timezone.localdate()
    ActionItemFactory(
        meeting=meeting, title="Late thing", owner=team["lead"], due_date=today - datetime.timedelta(days=3)
    )
    ActionItemFactory(
        meeting=meeting, title="Future thing", owner=team["lead"], due_date=today + datetime.timedelta(days=3)
    )
    ActionItemFactory(meeting=meeting, title="PM thing", owner=team["pm"])
    login(team["lead"])
    body = client.get(reverse("meetings:my_action_items")).content.decode()
    assert "Late thing" in body and "Future thing" in body and "PM thing" not in body
    assert 'class="row-overdue"' in body, body
    assert "3\u00a0days overdue" in body  # timesince joins with a no-break space
    body = client.get(
        reverse("meetings:my_action_items"), {"owner": "anyone", "project": project.pk}
    ).content.decode()
    assert "PM thing" in body
    body = client.get(reverse("meetings:my_action_items"), {"status": "done"}).content.decode()
    assert "Late thing" not in body and "Nothing matches these filters" in body
    assert (
        client.get(reverse("meetings:my_action_items"), {"project": "abc", "status": "x"}).status_code == 200
    )


def test_project_tab_shows_attendance_at_a_glance_and_the_decision_maker(client, login, project, team):
    held_meeting(
        project,
        status=MeetingStatus.CONFIRMED,
        kind="governance",
        title="Steering",
        absent_roles=("decision_maker",),
    )
    held_meeting(project, status=MeetingStatus.MINUTES_SENT, title="Weekly call 7")
    login(team["lead"])
    body = client.get(
        reverse("meetings:project_meetings", kwargs={"project_id": project.pk})
    ).content.decode()
    assert "<strong>3/4</strong> attended" in body
    assert "<strong>4/4</strong> attended" in body
    assert "Absent" in body and "Attended" not in body.split("Past meetings")[0]
    assert "Awaiting confirmation" in body and "Minutes confirmed" in body
    assert "Open action items" in body and "Send the batch record template" in body


def test_my_meetings_lists_upcoming_and_minutes_to_confirm(client, login, schedule, project, team):
    upcoming = schedule(title="Next weekly call")
    to_confirm = held_meeting(project, status=MeetingStatus.MINUTES_SENT, title="Last week's call")
    login(team["lead"])
    body = client.get(reverse("meetings:my_meetings")).content.decode()
    assert "Next weekly call" in body and upcoming.get_absolute_url() in body
    assert "Minutes waiting for your confirmation" in body and to_confirm.get_absolute_url() in body


def test_junk_input_never_causes_a_server_error(client, login, project, team):
    meeting = held_meeting(project, status=MeetingStatus.MINUTES_DRAFT)
    item = ActionItem.objects.get(meeting=meeting)
    agenda = AgendaItem.objects.create(meeting=meeting, title="Point", position=1)
    login(team["pm"])
    junk = {"version": "x", "summary": "\x00", "decisions-TOTAL_FORMS": "abc", "actions-TOTAL_FORMS": "-1"}
    posts = [
        (_url("minutes", meeting), junk),
        (_url("minutes", meeting), {}),
        (_url("attendance", meeting), {"unexpected": ["abc", "999999"], "attendance_1": "maybe"}),
        (_url("agenda_item_move", meeting, agendaitem_id=agenda.pk), {"direction": "sideways"}),
        (_url("rsvp", meeting), {"response": ["a", "b"]}),
        (_url("invitees", meeting), {"form": "team", "team-user": "not-a-number"}),
        (_url("minutes_correction", meeting), {"note": ""}),
        (_url("meeting_cancel", meeting), {"reason": "x" * 5000}),
        (
            reverse(
                "meetings:action_item_toggle", kwargs={"project_id": project.pk, "actionitem_id": item.pk}
            ),
            {"done": "?"},
        ),
    ]
    for url, data in posts:
        response = client.post(url, data)
        assert response.status_code < 500, (url, response.status_code)
    for url, params in [
        (
            reverse("meetings:project_meetings", kwargs={"project_id": project.pk}),
            {"kind": "bogus", "page": "-1"},
        ),
        (reverse("meetings:my_action_items"), {"page": "abc", "owner": "everyone", "project": "1e9"}),
        (reverse("meetings:my_meetings"), {"page": "999"}),
    ]:
        assert client.get(url, params).status_code == 200, url
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.MINUTES_DRAFT
