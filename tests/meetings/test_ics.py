"""Calendar invitations and the personal feed, parsed back with the icalendar library."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from meetings import services
from meetings.models import Meeting
from tests.factories.meetings import MeetingFactory, invite_team
from tests.factories.projects import ProjectFactory, staff_project

from .conftest import access

pytestmark = pytest.mark.django_db


def _calendar_of(message) -> tuple[Calendar, object]:
    parts = [
        a for a in message.attachments if getattr(a, "get_content_type", lambda: "")() == "text/calendar"
    ]
    assert len(parts) == 1, "exactly one calendar part"
    part = parts[0]
    return Calendar.from_ical(part.get_payload(decode=True)), part


def _event(cal: Calendar):
    events = list(cal.walk("VEVENT"))
    assert len(events) == 1
    return events[0]


def _mail_to(user):
    return [m for m in mail.outbox if m.to == [user.email]]


def test_invitation_carries_a_request_with_attendees_roles_and_utc_times(schedule, team):
    starts = datetime.datetime(2030, 5, 6, 13, 0, tzinfo=datetime.UTC)
    meeting = schedule(starts_at=starts, guests=[("Gina Guest", "gina@consult.test")])
    # PM (organizer), lead, dm, sme and the guest each get an invitation
    assert len(mail.outbox) == 5
    cal, part = _calendar_of(_mail_to(team["lead"])[0])
    assert part.get_param("method") == "REQUEST"
    assert cal["METHOD"] == "REQUEST"
    event = _event(cal)
    assert str(event["UID"]) == meeting.ical_uid
    assert event["SEQUENCE"] == 0
    assert event.decoded("DTSTART") == starts
    assert event.decoded("DTEND") == starts + datetime.timedelta(hours=1)
    assert event["DTSTART"].to_ical() == b"20300506T130000Z"
    assert str(event["ORGANIZER"]) == f"mailto:{team['pm'].email}"
    assert event["ORGANIZER"].params["CN"] == team["pm"].full_name
    attendees = {str(a).removeprefix("mailto:"): a.params for a in event["ATTENDEE"]}
    assert set(attendees) == {
        team["pm"].email,
        team["lead"].email,
        team["dm"].email,
        team["sme"].email,
        "gina@consult.test",
    }
    assert all(p["RSVP"] == "TRUE" for p in attendees.values())
    assert attendees[team["lead"].email]["ROLE"] == "REQ-PARTICIPANT"
    assert attendees[team["pm"].email]["PARTSTAT"] == "ACCEPTED"
    assert attendees[team["lead"].email]["PARTSTAT"] == "NEEDS-ACTION"
    assert str(event["LOCATION"]) == "https://teams.example.com/l/weekly"
    assert meeting.get_absolute_url() in str(event["DESCRIPTION"])
    assert str(event["STATUS"]) == "CONFIRMED"


def test_optional_invitees_are_opt_participants(project, team, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_schedule(
            access=access(team["pm"], project),
            kind="technical_review",
            title="Impurity review",
            starts_at=timezone.now() + datetime.timedelta(days=1),
            duration_minutes=45,
            location="Room 2.14",
            invitees=[services.InviteeSpec(user=team["sme"], required=False)],
        )
    event = _event(_calendar_of(_mail_to(team["sme"])[0])[0])
    roles = {str(a).removeprefix("mailto:"): a.params["ROLE"] for a in event["ATTENDEE"]}
    assert roles[team["sme"].email] == "OPT-PARTICIPANT"
    assert str(event["LOCATION"]) == "Room 2.14"


def test_reschedule_keeps_the_uid_and_raises_the_sequence(
    schedule, project, team, django_capture_on_commit_callbacks
):
    meeting = schedule()
    first = _event(_calendar_of(_mail_to(team["lead"])[0])[0])
    mail.outbox.clear()
    new_start = meeting.starts_at + datetime.timedelta(hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_update(
            access=access(team["pm"], project), meeting=meeting, version=meeting.version, starts_at=new_start
        )
    update = _mail_to(team["lead"])
    assert len(update) == 1 and update[0].subject.startswith("Updated:")
    cal, _ = _calendar_of(update[0])
    assert cal["METHOD"] == "REQUEST"
    event = _event(cal)
    assert str(event["UID"]) == str(first["UID"]) == meeting.ical_uid
    assert event["SEQUENCE"] > first["SEQUENCE"]
    assert event.decoded("DTSTART") == new_start
    assert len(mail.outbox) == 4  # everyone invited hears of the change


def test_a_change_calendars_do_not_care_about_sends_nothing(
    schedule, project, team, django_capture_on_commit_callbacks
):
    meeting = schedule()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        meeting = services.meeting_update(
            access=access(team["pm"], project),
            meeting=meeting,
            version=meeting.version,
            kind="technical_review",
        )
    assert meeting.ical_sequence == 0
    assert mail.outbox == []


def test_cancel_sends_method_cancel_for_the_same_uid(
    schedule, project, team, django_capture_on_commit_callbacks
):
    meeting = schedule()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_cancel(access=access(team["pm"], project), meeting=meeting, reason="Batch moved")
    assert len(mail.outbox) == 4
    message = _mail_to(team["dm"])[0]
    assert message.subject.startswith("Cancelled:")
    assert "Batch moved" in message.body
    cal, part = _calendar_of(message)
    assert part.get_param("method") == "CANCEL" and cal["METHOD"] == "CANCEL"
    event = _event(cal)
    assert str(event["UID"]) == meeting.ical_uid
    assert str(event["STATUS"]) == "CANCELLED"
    assert event["SEQUENCE"] == 1


def test_uninvited_person_alone_gets_a_cancel(schedule, project, team, django_capture_on_commit_callbacks):
    meeting = schedule()
    mail.outbox.clear()
    invitee = meeting.invitees.get(user=team["sme"])
    with django_capture_on_commit_callbacks(execute=True):
        services.invitee_remove(access=access(team["pm"], project), invitee=invitee)
    assert [m.to for m in mail.outbox] == [[team["sme"].email]]
    event = _event(_calendar_of(mail.outbox[0])[0])
    assert str(event["UID"]) == meeting.ical_uid
    assert [str(a) for a in [event["ATTENDEE"]]] == [f"mailto:{team['sme'].email}"]


def test_send_agenda_updates_the_event_description(
    schedule, project, team, django_capture_on_commit_callbacks
):
    meeting = schedule()
    pm = access(team["pm"], project)
    services.agenda_item_add(
        access=pm, meeting=meeting, title="Stability data", presenter=team["sme"], minutes_allotted=15
    )
    services.agenda_item_add(access=pm, meeting=meeting, title="Batch record review", minutes_allotted=20)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        meeting = services.meeting_send_agenda(access=pm, meeting=meeting)
    assert meeting.agenda_sent_at is not None
    message = _mail_to(team["lead"])[0]
    assert message.subject.startswith("Agenda:")
    assert "1. Stability data (Anika Schulz, 15 min)" in message.body
    event = _event(_calendar_of(message)[0])
    assert event["SEQUENCE"] == 1
    assert "2. Batch record review (20 min)" in str(event["DESCRIPTION"])


def _feed(client, user):
    return client.get(reverse("meetings:calendar_feed", kwargs={"token": user.calendar_token}))


def test_feed_lists_my_meetings_and_my_projects_milestones(
    client, schedule, project, team, django_capture_on_commit_callbacks
):
    from projects.models import Milestone

    mine = schedule(title="Weekly call ACM")
    not_invited = schedule(title="CDMO internal prep", invite=("sme",))
    other = staff_project(ProjectFactory(cdmo=project.cdmo))
    other_meeting = MeetingFactory(project=other, title="Someone else's call")
    invite_team(other_meeting)
    Milestone.objects.create(
        project=project,
        kind=Milestone._meta.get_field("kind").choices[0][0],
        title="GMP batch 1",
        baseline_date=timezone.localdate() + datetime.timedelta(days=300),
        forecast_date=timezone.localdate() + datetime.timedelta(days=314),
    )
    # The first poll builds the near weeks and queues the whole window (meetings.feed), which
    # the next poll gets.
    with django_capture_on_commit_callbacks(execute=True):
        _feed(client, team["lead"])
    response = _feed(client, team["lead"])
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.content)
    events = {str(e["SUMMARY"]): e for e in cal.walk("VEVENT")}
    assert f"{project.code}: Weekly call ACM" in events
    assert str(events[f"{project.code}: Weekly call ACM"]["UID"]) == mine.ical_uid
    assert all(not_invited.title not in s and other_meeting.title not in s for s in events)
    milestone = events[f"{project.code} milestone: GMP batch 1 (forecast)"]
    # an all-day event on the forecast date
    assert milestone.decoded("DTSTART") == timezone.localdate() + datetime.timedelta(days=314)


def test_cancelled_meetings_stay_in_the_feed_as_cancelled(client, schedule, project, team):
    meeting = schedule()
    services.meeting_cancel(access=access(team["pm"], project), meeting=meeting)
    cal = Calendar.from_ical(_feed(client, team["lead"]).content)
    (event,) = list(cal.walk("VEVENT"))
    assert str(event["STATUS"]) == "CANCELLED"


def test_feed_drops_projects_the_person_no_longer_sees(client, schedule, project, team):
    schedule()
    member = project.members.get(user=team["lead"])
    member.removed_at = timezone.now()
    member.save()
    cal = Calendar.from_ical(_feed(client, team["lead"]).content)
    assert list(cal.walk("VEVENT")) == []


def test_resetting_the_link_kills_the_old_one(client, login, team):
    old_token = team["lead"].calendar_token
    login(team["lead"])
    response = client.post(reverse("meetings:calendar_reset"))
    assert response.status_code == 302
    team["lead"].refresh_from_db()
    assert team["lead"].calendar_token != old_token
    client.logout()
    assert client.get(reverse("meetings:calendar_feed", kwargs={"token": old_token})).status_code == 404
    assert _feed(client, team["lead"]).status_code == 200


def test_unknown_feed_token_is_404(client, db):
    assert client.get(reverse("meetings:calendar_feed", kwargs={"token": "nope"})).status_code == 404


def test_calendar_page_shows_the_feed_url(client, login, team):
    login(team["pm"])
    body = client.get(reverse("meetings:calendar")).content.decode()
    assert f"/meetings/calendar/{team['pm'].calendar_token}.ics" in body
    assert "Subscribe from web" in body and "From URL" in body


def test_add_to_calendar_download_is_a_publish_with_the_same_uid(client, login, schedule, team):
    meeting = schedule()
    login(team["lead"])
    response = client.get(
        reverse("meetings:meeting_ics", kwargs={"project_id": meeting.project_id, "meeting_id": meeting.pk})
    )
    cal = Calendar.from_ical(response.content)
    assert cal["METHOD"] == "PUBLISH"
    assert str(_event(cal)["UID"]) == meeting.ical_uid


def test_meeting_uid_is_unique_per_meeting(schedule):
    assert schedule().ical_uid != schedule().ical_uid
    assert Meeting.objects.count() == 2
