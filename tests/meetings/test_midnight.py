"""A meeting that crosses midnight in the reader's zone names both local days (issue 12),
on the pages, in the invitation email and in the tables; one helper writes them all."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from portal.core.timezones import time_span

UTC = datetime.UTC
# 22:00–23:00 UTC: 17:00–18:00 in New York, 23:00–00:00 in Berlin (the next day ends it).
STARTS = datetime.datetime(2026, 12, 10, 22, 0, tzinfo=UTC)
ENDS = STARTS + datetime.timedelta(hours=1)
FROZEN = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
BOTH_DAYS = "Thursday 10 December 2026, 23:00 – Friday 11 December, 00:00"


@pytest.mark.parametrize(
    ("zone", "style", "expected"),
    [
        ("America/New_York", "long", "Thursday 10 December 2026, 17:00–18:00"),
        ("Europe/Berlin", "long", BOTH_DAYS),
        ("Europe/Berlin", "short", "Thu 10 Dec, 23:00 – Fri 11 Dec, 00:00"),
        ("Europe/Berlin", "times", "23:00 – Fri 11 Dec, 00:00"),
        ("UTC", "times", "22:00–23:00"),
        ("UTC", "no such style", "Thursday 10 December 2026, 22:00–23:00"),
        ("Not/AZone", "long", "Thursday 10 December 2026, 22:00–23:00"),
        ("Asia/Tokyo", "long", "Friday 11 December 2026, 07:00–08:00"),
    ],
)
def test_time_span_in_each_zone_and_style(zone, style, expected):
    assert time_span(STARTS, ENDS, zone, style=style) == expected


def test_time_span_across_new_year_names_the_end_year():
    starts = datetime.datetime(2026, 12, 31, 22, 30, tzinfo=UTC)
    assert (
        time_span(starts, starts + datetime.timedelta(hours=1), "Europe/Berlin")
        == "Thursday 31 December 2026, 23:30 – Friday 1 January 2027, 00:30"
    )


def test_time_span_defaults_to_the_active_zone():
    with timezone.override(ZoneInfo("Europe/Berlin")):
        assert time_span(STARTS, ENDS) == BOTH_DAYS
    with timezone.override(ZoneInfo("America/New_York")):
        assert time_span(STARTS, ENDS) == "Thursday 10 December 2026, 17:00–18:00"


@pytest.mark.django_db
def test_pages_and_invitation_show_both_days_to_the_berlin_reader(schedule, project, team, client):
    organizer, berlin_pm = team["lead"], team["pm"]
    assert organizer.time_zone == "America/New_York" and berlin_pm.time_zone == "Europe/Berlin"
    with time_machine.travel(FROZEN, tick=False):
        meeting = schedule(by=organizer, starts_at=STARTS, invite=("pm", "dm"))
        client.force_login(berlin_pm)
        detail = client.get(meeting.get_absolute_url()).content.decode()
        listing = client.get(
            reverse("meetings:project_meetings", kwargs={"project_id": project.pk})
        ).content.decode()
        mine = client.get(reverse("meetings:my_meetings")).content.decode()

        client.force_login(organizer)
        organizer_page = client.get(meeting.get_absolute_url()).content.decode()

    assert BOTH_DAYS in detail
    assert "Thursday 10 December 2026, 23:00–00:00" not in detail
    assert "Thu 10 Dec, 17:00–18:00 New York time (organizer)" in detail
    assert "22:00–23:00 UTC" in detail
    assert "23:00 – Fri 11 Dec, 00:00" in listing
    assert "23:00 – Fri 11 Dec, 00:00" in mine
    # The organizer in New York sees one day: nothing crosses midnight there.
    assert "Thursday 10 December 2026, 17:00–18:00" in organizer_page
    assert "Friday 11 December" not in organizer_page

    to_pm = next(m for m in mail.outbox if m.to == [berlin_pm.email])
    assert f"{BOTH_DAYS} Berlin time" in to_pm.body
    html = to_pm.alternatives[0][0]
    assert BOTH_DAYS in html
