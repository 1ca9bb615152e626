"""Who may do what: the organizer's side runs the meeting and writes the minutes, only the
sponsor's lead or decision-maker confirms them, outsiders get 404 everywhere."""

import pytest
from django.urls import reverse

from meetings import services
from meetings.models import ActionItem, MeetingStatus
from portal.signatures.registry import signed_action
from tests.factories.meetings import held_meeting
from tests.factories.organizations import DEFAULT_PASSWORD

from .conftest import access

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(team, sponsor_exec, cdmo_admin, sponsor_member_off_team, outsider):
    return {
        **team,
        "sponsor_exec": sponsor_exec,
        "cdmo_admin": cdmo_admin,
        "off_team": sponsor_member_off_team,
        "outsider": outsider,
    }


def _url(name, meeting, **extra):
    return reverse(
        f"meetings:{name}", kwargs={"project_id": meeting.project_id, "meeting_id": meeting.pk, **extra}
    )


MINUTES_PAGE = {
    "pm": 200,
    "sme": 200,
    "cdmo_admin": 200,
    "lead": 403,
    "dm": 403,
    "sponsor_exec": 403,
    "off_team": 404,
    "outsider": 404,
}


@pytest.mark.parametrize(("who", "expected"), MINUTES_PAGE.items())
def test_only_the_organizers_side_edits_minutes(client, people, project, who, expected):
    meeting = held_meeting(project, status=MeetingStatus.MINUTES_DRAFT)
    client.force_login(people[who])
    for name in ("minutes", "attendance"):
        assert client.get(_url(name, meeting)).status_code == expected, name
    response = client.post(_url("minutes", meeting), {"summary": "Hijacked", "version": meeting.version})
    assert response.status_code in ({200, 302} if expected == 200 else {expected})
    if expected != 200:
        meeting.refresh_from_db()
        assert meeting.summary != "Hijacked"


CONFIRM = {
    "lead": True,
    "dm": True,
    "pm": False,
    "sme": False,
    "cdmo_admin": False,
    "sponsor_exec": False,
}


@pytest.mark.parametrize(("who", "allowed"), CONFIRM.items())
def test_only_the_sponsor_lead_or_decision_maker_confirms(client, people, project, who, allowed):
    meeting = held_meeting(project, status=MeetingStatus.MINUTES_SENT)
    client.force_login(people[who])
    signing = {"meaning": "confirmed", "shown": signed_action("meetings.minutes_confirm").digest(meeting)}
    response = client.post(_url("minutes_confirm", meeting), {**signing, "password": DEFAULT_PASSWORD})
    meeting.refresh_from_db()
    if allowed:
        assert response.status_code == 302
        assert meeting.status == MeetingStatus.CONFIRMED and meeting.minutes_confirmed_by == people[who]
    else:
        assert response.status_code == 403
        assert meeting.status == MeetingStatus.MINUTES_SENT
    correction = client.get(_url("minutes_correction", meeting))
    assert correction.status_code == (302 if allowed else 403)  # allowed: already confirmed, sent back


@pytest.mark.parametrize("who", ["off_team", "outsider"])
def test_outsiders_get_404_for_every_meeting_page(client, people, project, who):
    meeting = held_meeting(project, status=MeetingStatus.MINUTES_SENT)
    item = ActionItem.objects.get(meeting=meeting)
    client.force_login(people[who])
    for name in ("meeting_detail", "minutes_pdf", "meeting_ics", "agenda", "invitees", "minutes"):
        assert client.get(_url(name, meeting)).status_code == 404, name
    assert client.post(_url("minutes_confirm", meeting)).status_code == 404
    toggle = reverse(
        "meetings:action_item_toggle", kwargs={"project_id": project.pk, "actionitem_id": item.pk}
    )
    assert client.post(toggle, {"done": "1"}).status_code == 404
    assert (
        client.get(reverse("meetings:project_meetings", kwargs={"project_id": project.pk})).status_code == 404
    )


def test_draft_minutes_are_hidden_from_the_other_side_until_sent(client, people, project):
    meeting = held_meeting(project, status=MeetingStatus.MINUTES_DRAFT)
    client.force_login(people["lead"])
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "Reviewed progress since last call." not in page
    assert "is writing the minutes" in page
    assert client.get(_url("minutes_pdf", meeting)).status_code == 404
    client.force_login(people["sme"])
    assert "Reviewed progress since last call." in client.get(meeting.get_absolute_url()).content.decode()


def test_a_meeting_the_sponsor_organizes_is_run_by_the_sponsor(client, schedule, people, project):
    meeting = schedule(by=people["lead"], kind="governance", invite=("dm", "pm"))
    assert meeting.organizer_side == "sponsor"
    client.force_login(people["pm"])
    assert client.get(_url("meeting_edit", meeting)).status_code == 403
    assert client.get(_url("agenda", meeting)).status_code == 403
    client.force_login(people["dm"])
    assert client.get(_url("agenda", meeting)).status_code == 200


def test_executives_see_meetings_but_do_not_run_them(client, schedule, people):
    meeting = schedule()
    client.force_login(people["sponsor_exec"])
    assert client.get(meeting.get_absolute_url()).status_code == 200
    assert client.get(_url("meeting_edit", meeting)).status_code == 403
    assert client.post(_url("meeting_cancel", meeting)).status_code == 403


def test_only_the_owner_marks_an_action_item_done(client, people, project):
    meeting = held_meeting(project, status=MeetingStatus.MINUTES_SENT)
    item = ActionItem.objects.get(meeting=meeting)  # owned by the organizer (PM)
    url = reverse("meetings:action_item_toggle", kwargs={"project_id": project.pk, "actionitem_id": item.pk})
    client.force_login(people["lead"])
    assert client.post(url, {"done": "1"}).status_code == 403
    item.refresh_from_db()
    assert not item.is_done
    client.force_login(people["pm"])
    assert client.post(url, {"done": "1"}).status_code == 302
    item.refresh_from_db()
    assert item.is_done and item.completed_by == people["pm"]


def test_services_refuse_the_wrong_side_too(people, project):
    meeting = held_meeting(project, status=MeetingStatus.MINUTES_DRAFT)
    lead = access(people["lead"], project)
    with pytest.raises(services.NotAllowed):
        services.minutes_save(
            access=lead, meeting=meeting, version=meeting.version, summary="x", next_steps=""
        )
    with pytest.raises(services.NotAllowed):
        services.meeting_close_minutes(access=lead, meeting=meeting)
    meeting = services.meeting_close_minutes(access=access(people["pm"], project), meeting=meeting)
    with pytest.raises(services.NotAllowed):
        services.meeting_confirm_minutes(access=access(people["pm"], project), meeting=meeting)
    with pytest.raises(services.NotAllowed):
        services.meeting_request_correction(access=access(people["sme"], project), meeting=meeting, note="no")
