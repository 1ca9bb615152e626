"""The calendar feed is written as text (meetings/ics_text.py), not with icalendar objects: it must
stay valid RFC 5545 (CRLF, lines folded at 75 octets without splitting a character, TEXT escaped)
and say exactly what an invitation built with icalendar says about the same meeting."""

import datetime
import gzip

import pytest
import time_machine
from django.urls import reverse
from icalendar import Calendar

from meetings.ics import event_ics
from meetings.ics_text import fold, param, text
from meetings.models import CalendarFeed
from tests.factories.projects import MilestoneFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2027, 3, 3, 9, 0, tzinfo=datetime.UTC)
LONG_TITLE = "Überprüfung der Chargenfreigabe — 品質レビュー 🧪 " * 4
AWKWARD_TITLE = "Batch 7, lot A; review \\ CoA"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _feed_body(client, user) -> bytes:
    response = client.get(reverse("meetings:calendar_feed", kwargs={"token": user.calendar_token}))
    assert response.status_code == 200
    return response.content


def _events(body: bytes) -> dict[str, object]:
    return {str(event["UID"]): event for event in Calendar.from_ical(body).walk("VEVENT")}


def test_lines_end_in_crlf_and_fold_at_75_octets_without_splitting_a_character(
    client, schedule, project, team
):
    meeting = schedule(title=LONG_TITLE.strip(), location="Gebäude 4, Raum 2.17; Konferenzzimmer «Rhein»")
    MilestoneFactory(project=project, title=LONG_TITLE.strip(), baseline_date=NOW.date())
    body = _feed_body(client, team["lead"])

    assert body.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in body.replace(b"\r\n", b"")  # no bare line feed
    physical = body.split(b"\r\n")[:-1]
    assert max(len(line) for line in physical) <= 75
    assert any(line.startswith(b" ") for line in physical)  # the long title was folded
    for line in physical:
        line.decode("utf-8")  # each physical line is whole UTF-8: no character cut in two

    event = _events(body)[meeting.ical_uid]
    assert str(event["SUMMARY"]) == f"{project.code}: {meeting.title}"
    assert str(event["LOCATION"]) == "Gebäude 4, Raum 2.17; Konferenzzimmer «Rhein»"
    summaries = {str(e["SUMMARY"]) for e in _events(body).values()}
    assert f"{project.code} milestone: {LONG_TITLE.strip()} (forecast)" in summaries


def test_commas_semicolons_backslashes_and_line_breaks_are_escaped(client, schedule, project, team):
    meeting = schedule(title=AWKWARD_TITLE, location="Site 2; Hall B, room 4")
    body = _feed_body(client, team["lead"])
    assert b"SUMMARY:" + f"{project.code}: Batch 7\\, lot A\\; review \\\\ CoA".encode() in body

    event = _events(body)[meeting.ical_uid]
    assert str(event["SUMMARY"]) == f"{project.code}: {AWKWARD_TITLE}"
    assert str(event["LOCATION"]) == "Site 2; Hall B, room 4"
    description = str(event["DESCRIPTION"])
    assert description.startswith(
        "Join: https://teams.example.com/l/weekly\n\nWhere: Site 2; Hall B, room 4\n"
    )
    assert description.endswith(meeting.get_absolute_url())


def test_the_feed_says_what_the_invitation_says(client, schedule, project, team):
    """Same UID, SEQUENCE, times and texts as the icalendar-built .ics of the meeting: calendars
    that got the invitation update that event instead of adding a second one."""
    meeting = schedule(title=AWKWARD_TITLE, location="Site 2")
    fed = _events(_feed_body(client, team["lead"]))[meeting.ical_uid]
    (invited,) = Calendar.from_ical(event_ics(meeting)).walk("VEVENT")
    for prop in (
        "UID",
        "SEQUENCE",
        "DTSTART",
        "DTEND",
        "SUMMARY",
        "LOCATION",
        "DESCRIPTION",
        "URL",
        "STATUS",
    ):
        assert fed.decoded(prop) == invited.decoded(prop), prop
    assert str(fed["ORGANIZER"]) == str(invited["ORGANIZER"]) == f"mailto:{team['pm'].email}"
    assert fed["ORGANIZER"].params["CN"] == team["pm"].full_name


def test_milestones_are_all_day_events(client, project, team):
    milestone = MilestoneFactory(
        project=project, title="GMP batch 1", baseline_date=datetime.date(2027, 4, 1)
    )
    event = _events(_feed_body(client, team["lead"]))[f"milestone-{milestone.pk}@meridian"]
    assert event.decoded("DTSTART") == milestone.forecast_date
    assert event.decoded("DTEND") == milestone.forecast_date + datetime.timedelta(days=1)


def test_fold_and_text_helpers():
    line = "SUMMARY:" + "é🧪" * 60
    folded = fold(line)
    assert folded.endswith("\r\n")
    assert all(len(part.encode()) <= 75 for part in folded[:-2].split("\r\n"))
    assert folded[:-2].replace("\r\n ", "") == line
    assert fold("VERSION:2.0") == "VERSION:2.0\r\n"
    assert text("a,b;c\\d\r\ne\rf\ng") == "a\\,b\\;c\\\\d\\ne\\nf\\ng"
    assert param('Dr. "Lena" Hoffmann') == "\"Dr. 'Lena' Hoffmann\""


def test_the_feed_is_compressed_for_apps_that_accept_it_and_still_answers_304(client, schedule, team):
    schedule(title="Weekly call")
    url = reverse("meetings:calendar_feed", kwargs={"token": team["lead"].calendar_token})
    response = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    events = Calendar.from_ical(gzip.decompress(response.content)).walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == ["ACM-101: Weekly call"]
    again = client.get(url, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    plain = client.get(url)
    assert "Content-Encoding" not in plain and b"BEGIN:VCALENDAR" in plain.content


def test_the_stored_feed_is_compressed_once_and_served_as_stored(client, schedule, team):
    """A poll that is not a 304 (a new device) sends the compressed body as it was stored when the
    feed was built, not compressing megabytes again; an app without gzip gets it unpacked."""
    schedule(title="Weekly call")
    url = reverse("meetings:calendar_feed", kwargs={"token": team["lead"].calendar_token})
    first = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert first["ETag"].startswith('W/"') and "Accept-Encoding" in first["Vary"]
    stored = CalendarFeed.objects.get(user=team["lead"])
    assert bytes(stored.body) == first.content
    assert stored.size == len(gzip.decompress(first.content))
    CalendarFeed.objects.filter(pk=stored.pk).update(
        body=gzip.compress(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    )
    assert gzip.decompress(client.get(url, HTTP_ACCEPT_ENCODING="gzip").content).count(b"VEVENT") == 0
    assert client.get(url).content == b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
