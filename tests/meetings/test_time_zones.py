"""Meetings are stored in UTC and shown to each person in their own zone; the page also
states the organizer's zone. New York and Berlin change clocks on different dates."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from meetings.forms import local_to_utc
from meetings.models import Meeting

pytestmark = pytest.mark.django_db

FROZEN = datetime.datetime(2026, 1, 5, 12, 0, tzinfo=datetime.UTC)


def _schedule_via_form(client, project, day: str, time: str = "09:00"):
    return client.post(
        reverse("meetings:meeting_schedule", kwargs={"project_id": project.pk}),
        {
            "kind": "weekly",
            "title": "Weekly project call",
            "date": day,
            "start_time": time,
            "duration_minutes": "60",
            "video_url": "https://zoom.example.com/j/123",
            "location": "",
        },
    )


@pytest.mark.parametrize(
    ("day", "utc_hour", "berlin"),
    [
        ("2026-06-10", 13, "15:00–16:00"),  # both on summer time: 6 hours apart
        ("2026-01-20", 14, "15:00–16:00"),  # both on standard time: 6 hours apart
        ("2026-03-16", 13, "14:00–15:00"),  # US already on summer time, Europe not yet: 5 hours
        ("2026-10-28", 13, "14:00–15:00"),  # Europe back on winter time, US not yet: 5 hours
    ],
)
def test_nine_in_new_york_shows_in_berlin_time(login, project, team, day, utc_hour, berlin, client):
    organizer, berlin_pm = team["lead"], team["pm"]
    assert organizer.time_zone == "America/New_York" and berlin_pm.time_zone == "Europe/Berlin"
    with time_machine.travel(FROZEN, tick=False):
        login(organizer)
        response = _schedule_via_form(client, project, day)
        assert response.status_code == 302, response.content.decode()[:2000]
        meeting = Meeting.objects.get(project=project)
        assert meeting.starts_at == datetime.datetime.fromisoformat(f"{day}T{utc_hour:02d}:00:00+00:00")
        assert meeting.organizer_time_zone == "America/New_York"

        client.force_login(berlin_pm)
        page = client.get(meeting.get_absolute_url()).content.decode()
    assert berlin in page
    assert "09:00–10:00 New York time (organizer)" in page
    assert f"{utc_hour:02d}:00–{utc_hour + 1:02d}:00 UTC" in page


def test_invitation_email_is_written_in_the_recipients_zone(
    login, project, team, client, django_capture_on_commit_callbacks
):
    with time_machine.travel(FROZEN, tick=False):
        login(team["lead"])
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                reverse("meetings:meeting_schedule", kwargs={"project_id": project.pk}),
                {
                    "kind": "weekly",
                    "date": "2026-03-16",
                    "start_time": "09:00",
                    "duration_minutes": "60",
                    "video_url": "https://zoom.example.com/j/1",
                    f"invite_{team['pm'].pk}": "required",
                    f"invite_{team['dm'].pk}": "no",
                    f"invite_{team['sme'].pk}": "no",
                },
            )
    to_pm = next(m for m in mail.outbox if m.to == [team["pm"].email])
    assert "Mon 16 Mar, 14:00 (Berlin)" in to_pm.subject
    assert "09:00 New York time (organizer)" in to_pm.body
    to_lead = next(m for m in mail.outbox if m.to == [team["lead"].email])
    assert "09:00 (New York)" in to_lead.subject


def test_a_time_skipped_by_the_clock_change_is_refused_with_the_typed_values_kept(
    login, project, team, client
):
    with time_machine.travel(FROZEN, tick=False):
        login(team["lead"])
        response = _schedule_via_form(client, project, "2026-03-08", "02:30")
    assert response.status_code == 200
    body = response.content.decode()
    assert "02:30 does not exist on 08 Mar 2026 in New York" in body
    assert 'value="2026-03-08"' in body and 'value="02:30"' in body
    assert not Meeting.objects.exists()


def test_the_repeated_hour_when_clocks_go_back_takes_summer_time():
    # 01:30 happens twice in New York on 1 Nov 2026; the first one is EDT (UTC-4).
    assert local_to_utc(
        datetime.date(2026, 11, 1), datetime.time(1, 30), "America/New_York"
    ) == datetime.datetime(2026, 11, 1, 5, 30, tzinfo=datetime.UTC)


@pytest.mark.clock
def test_tomorrow_at_nine_in_new_york_at_any_instant(clock_now, login, project, team, client):
    """Scheduled from an awkward instant (UTC already on the next day, a clock change tonight...),
    the organizer's "tomorrow 09:00" is stored as that wall time in New York and shown to the
    Berlin PM in Berlin time."""
    organizer, berlin_pm = team["lead"], team["pm"]
    new_york, berlin = ZoneInfo("America/New_York"), ZoneInfo("Europe/Berlin")
    tomorrow = clock_now.astimezone(new_york).date() + datetime.timedelta(days=1)
    login(organizer)
    response = _schedule_via_form(client, project, tomorrow.isoformat())
    assert response.status_code == 302, response.content.decode()[:2000]

    meeting = Meeting.objects.get(project=project)
    starts = datetime.datetime.combine(tomorrow, datetime.time(9), tzinfo=new_york)
    assert meeting.starts_at == starts
    client.force_login(berlin_pm)
    page = client.get(meeting.get_absolute_url()).content.decode()
    in_berlin = starts.astimezone(berlin)
    assert f"{in_berlin:%H:%M}–{in_berlin + datetime.timedelta(hours=1):%H:%M}" in page
    assert "09:00–10:00 New York time (organizer)" in page
