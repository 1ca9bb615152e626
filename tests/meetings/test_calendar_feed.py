"""The personal calendar feed is cheap to poll: a date window, ETag/Last-Modified with 304, and
a body built once per change (meetings.feed)."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from icalendar import Calendar

from meetings import services
from projects import services as project_services
from tests.factories.projects import MilestoneFactory

from .conftest import access

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2027, 3, 3, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _feed(client, user, **headers):
    return client.get(reverse("meetings:calendar_feed", kwargs={"token": user.calendar_token}), **headers)


def _summaries(response) -> set[str]:
    return {str(e["SUMMARY"]) for e in Calendar.from_ical(response.content).walk("VEVENT")}


def test_an_unchanged_feed_answers_304_without_building_it(client, schedule, team):
    schedule(title="Weekly call")
    first = _feed(client, team["lead"])
    assert first.status_code == 200
    etag, last_modified = first["ETag"], first["Last-Modified"]
    assert etag.startswith('"') and last_modified

    with CaptureQueriesContext(connection) as queries:
        again = _feed(client, team["lead"], HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    # The person, then one aggregate for meetings and one for milestones: no event is loaded.
    assert len(queries) == 3, [q["sql"] for q in queries]

    assert _feed(client, team["lead"], HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304


def test_any_change_in_the_window_gives_a_new_version(client, schedule, project, team, frozen):
    meeting = schedule(title="Weekly call")
    milestone = MilestoneFactory(project=project, title="GMP batch 1")
    etags = [_feed(client, team["lead"])["ETag"]]

    frozen.shift(datetime.timedelta(minutes=5))
    services.meeting_update(
        access=access(team["pm"], project),
        meeting=meeting,
        version=meeting.version,
        starts_at=meeting.starts_at + datetime.timedelta(hours=1),
    )
    etags.append(_feed(client, team["lead"], HTTP_IF_NONE_MATCH=etags[-1])["ETag"])

    frozen.shift(datetime.timedelta(minutes=5))
    project_services.milestone_change_forecast(
        access=access(team["pm"], project),
        milestone=milestone,
        new_date=milestone.forecast_date + datetime.timedelta(days=28),
        reason="Column resin delayed",
        version=milestone.version,
    )
    response = _feed(client, team["lead"], HTTP_IF_NONE_MATCH=etags[-1])
    assert response.status_code == 200
    etags.append(response["ETag"])
    assert len(set(etags)) == 3
    assert any("GMP batch 1 (forecast)" in s for s in _summaries(response))


def test_the_body_is_built_once_per_version(client, schedule, team, frozen):
    schedule(title="Weekly call")
    first = _feed(client, team["lead"]).content
    frozen.shift(datetime.timedelta(hours=1))
    # Without a conditional header the app still gets the whole feed, the one built an hour ago
    # (same DTSTAMP): the cache served it.
    assert _feed(client, team["lead"]).content == first
    schedule(title="Extra call")
    rebuilt = _feed(client, team["lead"])
    assert rebuilt.content != first
    assert any(s.endswith("Extra call") for s in _summaries(rebuilt))


def test_leaving_the_team_changes_the_version(client, schedule, project, team):
    schedule()
    etag = _feed(client, team["lead"])["ETag"]
    member = project.members.get(user=team["lead"])
    member.removed_at = NOW
    member.save()
    response = _feed(client, team["lead"], HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert _summaries(response) == set()


def test_the_feed_covers_a_window_of_dates(client, schedule, project, team):
    """Meetings six months back to three years ahead; milestones (far more of them for someone on
    many projects) three months back to a year ahead."""
    today = NOW.date()
    milestones = [
        ("Long done", -200),
        ("Done four months ago", -120),
        ("Recently done", -30),
        ("Next quarter", 90),
        ("In eleven months", 330),
        ("In eighteen months", 540),
        ("Far off", 1200),
    ]
    for title, days in milestones:
        MilestoneFactory(project=project, title=title, baseline_date=today + datetime.timedelta(days=days))
    schedule(title="Five months ago", starts_at=NOW - datetime.timedelta(days=150))
    schedule(title="Next week", starts_at=NOW + datetime.timedelta(days=7))
    schedule(title="In two years", starts_at=NOW + datetime.timedelta(days=730))
    schedule(title="In four years", starts_at=NOW + datetime.timedelta(days=4 * 365))

    summaries = " / ".join(sorted(_summaries(_feed(client, team["lead"]))))
    for shown in (
        "Recently done",
        "Next quarter",
        "In eleven months",
        "Five months ago",
        "Next week",
        "In two years",
    ):
        assert shown in summaries
    for hidden in ("Long done", "Done four months ago", "In eighteen months", "Far off", "In four years"):
        assert hidden not in summaries


def test_queries_do_not_grow_with_the_feed(client, schedule, project, team):
    def queries_for_feed():
        with CaptureQueriesContext(connection) as queries:
            assert _feed(client, team["lead"]).status_code == 200
        return len(queries)

    schedule(title="Call 0")
    MilestoneFactory(project=project)
    few = queries_for_feed()
    for n in range(1, 8):
        schedule(title=f"Call {n}", starts_at=NOW + datetime.timedelta(days=n))
        MilestoneFactory(project=project)
    assert queries_for_feed() == few
