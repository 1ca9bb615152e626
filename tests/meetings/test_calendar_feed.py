"""The personal calendar feed is cheap to poll: a date window, a stored feed answered with
ETag/Last-Modified and 304, rebuilt in the background when its data changes (meetings.feed)."""

import datetime
import threading

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from icalendar import Calendar

from meetings import feed, services
from meetings.models import CalendarFeed
from meetings.tasks import check_calendar_feeds, refresh_calendar_feed
from portal.accounts.models import OrgRole
from portal.core.models import OutboxStatus, OutboxTask
from projects import services as project_services
from tests.factories.projects import MilestoneFactory

from .conftest import access

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2027, 3, 3, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def check(django_capture_on_commit_callbacks):
    """The beat's check, with the rebuilds it queues run (eagerly, through the outbox)."""

    def _check() -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return check_calendar_feeds.apply().get()

    return _check


@pytest.fixture
def subscribe(client, django_capture_on_commit_callbacks):
    """A calendar app subscribes: its first poll, then the whole-window rebuild that poll queued
    (run eagerly, through the outbox), then its next poll."""

    def _subscribe(user):
        with django_capture_on_commit_callbacks(execute=True):
            _feed(client, user)
        return _feed(client, user)

    return _subscribe


def _feed(client, user, **headers):
    return client.get(reverse("meetings:calendar_feed", kwargs={"token": user.calendar_token}), **headers)


def _summaries(response) -> set[str]:
    return {str(e["SUMMARY"]) for e in Calendar.from_ical(response.content).walk("VEVENT")}


def _refreshes():
    return OutboxTask.objects.filter(task_name=feed.REFRESH_TASK)


def test_the_first_poll_builds_the_near_weeks_and_queues_the_rest(
    client, schedule, team, django_capture_on_commit_callbacks
):
    schedule(title="Weekly call")
    schedule(title="Kick-off review", starts_at=NOW - feed.NEAR_PAST - datetime.timedelta(days=1))
    schedule(title="Summer review", starts_at=NOW + feed.NEAR_AHEAD + datetime.timedelta(days=1))
    with django_capture_on_commit_callbacks() as queued:
        first = _feed(client, team["lead"])
    assert first.status_code == 200
    assert _summaries(first) == {"ACM-101: Weekly call"}
    stored = CalendarFeed.objects.get(user=team["lead"])
    assert first["ETag"] == f'"{stored.etag}"' and stored.built_at == NOW
    assert list(_refreshes().values_list("args", flat=True)) == [[team["lead"].pk]]

    for publish in queued:
        publish()
    whole = _feed(client, team["lead"], HTTP_IF_NONE_MATCH=first["ETag"])
    assert whole.status_code == 200
    assert _summaries(whole) == {"ACM-101: Weekly call", "ACM-101: Kick-off review", "ACM-101: Summer review"}
    # Rebuilt within the same second: Last-Modified still moves on.
    assert _feed(client, team["lead"], HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 200
    assert _refreshes().get().status == OutboxStatus.DONE


def test_the_first_poll_holds_at_most_near_most_of_each(client, schedule, team, monkeypatch):
    monkeypatch.setattr(feed, "NEAR_MOST", 1)
    schedule(title="Tomorrow's call", starts_at=NOW + datetime.timedelta(days=1))
    schedule(title="Next week's call", starts_at=NOW + datetime.timedelta(days=7))
    assert _summaries(_feed(client, team["lead"])) == {"ACM-101: Tomorrow's call"}


def test_an_unchanged_feed_answers_304_from_the_stored_feed(client, schedule, team, subscribe):
    schedule(title="Weekly call")
    first = subscribe(team["lead"])
    etag, last_modified = first["ETag"], first["Last-Modified"]
    with CaptureQueriesContext(connection) as queries:
        again = _feed(client, team["lead"], HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    # The person with their stored feed and what bounds their reach: nothing counted or built.
    assert len(queries) == 1, [q["sql"] for q in queries]
    assert _feed(client, team["lead"], HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304
    assert _refreshes().count() == 1  # the subscription's
    # A device without the feed yet gets the stored body: one query more.
    stored_body = bytes(CalendarFeed.objects.get(user=team["lead"]).body)
    with CaptureQueriesContext(connection) as queries:
        assert _feed(client, team["lead"], HTTP_ACCEPT_ENCODING="gzip").content == stored_body
    assert len(queries) == 2, [q["sql"] for q in queries]


def test_a_change_is_served_once_the_check_rebuilt_the_feed(
    client, schedule, project, team, frozen, check, subscribe
):
    meeting = schedule(title="Weekly call")
    milestone = MilestoneFactory(project=project, title="GMP batch 1")
    first = subscribe(team["lead"])

    frozen.shift(datetime.timedelta(minutes=5))
    services.meeting_update(
        access=access(team["pm"], project),
        meeting=meeting,
        version=meeting.version,
        starts_at=meeting.starts_at + datetime.timedelta(hours=1),
    )
    # Until the check ran, polls get the feed as last built (the app keeps what it has).
    assert _feed(client, team["lead"], HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert _feed(client, team["lead"]).content == first.content
    assert _refreshes().count() == 1  # the subscription's

    assert check() == 1
    moved = _feed(client, team["lead"], HTTP_IF_NONE_MATCH=first["ETag"])
    assert moved.status_code == 200
    assert moved["ETag"] != first["ETag"]
    assert moved["Last-Modified"] != first["Last-Modified"]
    assert set(_refreshes().values_list("status", flat=True)) == {OutboxStatus.DONE}

    frozen.shift(datetime.timedelta(minutes=5))
    project_services.milestone_change_forecast(
        access=access(team["pm"], project),
        milestone=milestone,
        new_date=milestone.forecast_date + datetime.timedelta(days=28),
        reason="Column resin delayed",
        version=milestone.version,
    )
    check()
    response = _feed(client, team["lead"], HTTP_IF_NONE_MATCH=moved["ETag"])
    assert response.status_code == 200
    assert response["ETag"] not in (first["ETag"], moved["ETag"])
    assert any("GMP batch 1 (forecast)" in s for s in _summaries(response))


def test_an_unchanged_feed_is_checked_not_rebuilt_until_the_window_moves(
    client, schedule, team, frozen, check, subscribe
):
    schedule(title="Weekly call", starts_at=NOW + datetime.timedelta(days=30))
    first = subscribe(team["lead"])
    built_at = CalendarFeed.objects.get(user=team["lead"]).built_at
    frozen.shift(datetime.timedelta(minutes=10))
    assert check() == 0
    stored = CalendarFeed.objects.get(user=team["lead"])
    assert stored.built_at == built_at and stored.checked_at == NOW + datetime.timedelta(minutes=10)
    # An unchanged feed's rebuild (a re-sent task) builds nothing either.
    assert refresh_calendar_feed.apply(args=[team["lead"].pk]).get() is False

    # The next day the window starts a day later: one rebuild.
    frozen.shift(datetime.timedelta(days=1))
    assert check() == 1
    assert _feed(client, team["lead"], HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_beat_runs_the_check_every_check_every():
    (entry,) = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == check_calendar_feeds.name]
    assert entry["schedule"] == feed.CHECK_EVERY.total_seconds()


def test_one_rebuild_is_pending_per_person(schedule, team, subscribe):
    """Checks that find the same change queue one rebuild, until it started; one lost on the way
    (not started within QUEUE_EXPIRES) no longer holds back the next."""
    subscribe(team["lead"])
    schedule(title="Extra call")
    assert feed.check_feeds(now=NOW) == 1
    assert feed.check_feeds(now=NOW + datetime.timedelta(minutes=10)) == 0
    pending = _refreshes().filter(status=OutboxStatus.PENDING)
    assert list(pending.values_list("args", flat=True)) == [[team["lead"].pk]]
    later = NOW + feed.QUEUE_EXPIRES + datetime.timedelta(minutes=1)
    assert feed.check_feeds(now=later) == 1
    assert pending.count() == 2


def test_leaving_the_team_rebuilds_at_the_next_poll(client, schedule, project, team, subscribe):
    """Leaving a team is a security event: the next poll does not serve the stored feed with
    that project's events; it builds a new one without them, there and then."""
    schedule(title="Weekly call")
    MilestoneFactory(project=project, title="GMP batch 1")
    first = subscribe(team["lead"])
    assert len(_summaries(first)) == 2
    member = project.members.get(user=team["lead"])
    member.removed_at = NOW
    member.save()
    response = _feed(client, team["lead"], HTTP_IF_NONE_MATCH=first["ETag"])
    assert response.status_code == 200
    assert _summaries(response) == set()
    assert CalendarFeed.objects.get(user=team["lead"]).etag != first["ETag"].strip('"')


def test_another_role_rebuilds_at_the_next_poll(client, schedule, team, frozen, subscribe):
    schedule(title="Weekly call")
    subscribe(team["lead"])
    frozen.shift(datetime.timedelta(minutes=1))
    team["lead"].org_role = OrgRole.EXECUTIVE
    team["lead"].save()
    _feed(client, team["lead"])
    assert CalendarFeed.objects.get(user=team["lead"]).built_at == NOW + datetime.timedelta(minutes=1)


def test_a_feed_nobody_polls_is_not_checked_until_polled_again(
    client, schedule, team, frozen, django_capture_on_commit_callbacks, subscribe
):
    first = subscribe(team["lead"])
    frozen.shift(feed.ACTIVE_FOR + datetime.timedelta(hours=1))
    schedule(title="Extra call")
    assert feed.check_feeds(now=NOW + feed.ACTIVE_FOR + datetime.timedelta(hours=1)) == 0
    # The app comes back: it gets the feed as it was, and that poll queues a rebuild.
    with django_capture_on_commit_callbacks(execute=True):
        assert _feed(client, team["lead"], HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert any(s.endswith("Extra call") for s in _summaries(_feed(client, team["lead"])))


def test_the_feed_covers_a_window_of_dates(schedule, project, team, subscribe):
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

    summaries = " / ".join(sorted(_summaries(subscribe(team["lead"]))))
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
    def queries_to_subscribe_and_rebuild():
        CalendarFeed.objects.filter(user=team["lead"]).delete()
        with CaptureQueriesContext(connection) as subscribed:
            assert _feed(client, team["lead"]).status_code == 200
        with CaptureQueriesContext(connection) as rebuilt:
            assert feed.refresh(user_id=team["lead"].pk, now=NOW) is True
        return len(subscribed), len(rebuilt)

    schedule(title="Call 0")
    MilestoneFactory(project=project)
    few = queries_to_subscribe_and_rebuild()
    for n in range(1, 8):
        schedule(title=f"Call {n}", starts_at=NOW + datetime.timedelta(days=n * 20))
        MilestoneFactory(project=project)
    assert queries_to_subscribe_and_rebuild() == few


def test_the_calendar_page_says_how_soon_changes_arrive(client, login, team):
    login(team["lead"])
    body = client.get(reverse("meetings:calendar")).content.decode()
    # The page's promise follows the check's period.
    assert feed.CHECK_EVERY == datetime.timedelta(minutes=10)
    assert "reach the feed within about ten minutes" in body
    assert "If you leave a project, its events are gone from the feed at once." in body


@pytest.mark.django_db(transaction=True)
def test_two_devices_subscribing_at_once_get_the_feed_and_one_stored_row(schedule, team):
    schedule(title="Weekly call")
    barrier = threading.Barrier(2)
    answers = []

    def subscribe_from_a_device():
        try:
            barrier.wait()
            answers.append(_feed(Client(), team["lead"]))
        finally:
            connection.close()

    devices = [threading.Thread(target=subscribe_from_a_device) for _ in range(2)]
    for device in devices:
        device.start()
    for device in devices:
        device.join()
    assert [a.status_code for a in answers] == [200, 200]
    assert all(_summaries(a) == {"ACM-101: Weekly call"} for a in answers)
    assert CalendarFeed.objects.filter(user=team["lead"]).count() == 1
