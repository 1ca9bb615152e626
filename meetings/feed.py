"""The private calendar feed, cheap to poll.

Calendar apps poll every subscribed feed about once an hour, for every person, whether
anything changed or not. So the feed:

- covers a window of dates, so its size follows the person's current work, not all history:
  meetings `FEED_PAST` back and `FEED_AHEAD` forward, milestones (one per project step, many
  more of them for someone on hundreds of projects) a tighter `MILESTONES_PAST` back and
  `MILESTONES_AHEAD` forward;
- writes its lines as text (meetings/ics.py `feed_ics`), not an `icalendar` object per event;
- has a version computed by two aggregate queries over that window (how many events, their
  ids, their last change): the ETag and Last-Modified of the response, so an unchanged feed
  answers 304 without being built;
- keeps the built body in the cache under that version, so a changed feed is built once per
  change, not once per poll. Any change to a meeting or milestone in the window, or to what
  the person may see, gives a new version; the old body simply ages out.
"""

from __future__ import annotations

import datetime
import gzip
import hashlib
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, Max, Sum
from django.db.models.functions import Coalesce

from portal.accounts.models import User
from portal.core import clock

from .ics import feed_ics
from .selectors import calendar_meetings, calendar_milestones

FEED_PAST = datetime.timedelta(days=180)
FEED_AHEAD = datetime.timedelta(days=3 * 366)
MILESTONES_PAST = datetime.timedelta(days=90)
MILESTONES_AHEAD = datetime.timedelta(days=366)
# Raise when feed_ics writes something different for the same data: every cached body goes stale.
FEED_FORMAT = 2
CACHE_SECONDS = 24 * 3600
# Fast and still about 16:1 on a feed's repetitive text.
GZIP_LEVEL = 6


@dataclass(frozen=True)
class FeedWindow:
    since: datetime.datetime
    until: datetime.datetime
    milestones_since: datetime.date
    milestones_until: datetime.date

    @classmethod
    def around(cls, moment: datetime.datetime) -> FeedWindow:
        today = moment.date()
        return cls(
            since=moment - FEED_PAST,
            until=moment + FEED_AHEAD,
            milestones_since=today - MILESTONES_PAST,
            milestones_until=today + MILESTONES_AHEAD,
        )


@dataclass(frozen=True)
class FeedVersion:
    etag: str
    last_modified: datetime.datetime | None


def _window_querysets(user: User, window: FeedWindow):
    meetings = calendar_meetings(user=user, since=window.since, until=window.until)
    milestones = calendar_milestones(user=user, since=window.milestones_since, until=window.milestones_until)
    return meetings, milestones


def feed_version(*, user: User, window: FeedWindow) -> FeedVersion:
    """What the feed holds, in two aggregate queries: no event is loaded."""
    meetings, milestones = _window_querysets(user, window)
    figures = {"count": Count("pk"), "ids": Coalesce(Sum("pk"), 0), "changed": Max("updated_at")}
    of_meetings = meetings.order_by().aggregate(**figures, sequences=Coalesce(Sum("ical_sequence"), 0))
    of_milestones = milestones.order_by().aggregate(**figures)
    stamps = [s for s in (of_meetings["changed"], of_milestones["changed"]) if s is not None]
    fingerprint = "|".join(
        str(part)
        for part in (
            FEED_FORMAT,
            user.pk,
            user.full_name,
            window.since.date(),
            *sorted(of_meetings.items()),
            *sorted(of_milestones.items()),
        )
    )
    return FeedVersion(
        etag=hashlib.sha256(fingerprint.encode()).hexdigest()[:32],
        last_modified=max(stamps) if stamps else None,
    )


def feed_body(*, user: User, window: FeedWindow, version: FeedVersion, compressed: bool = False) -> bytes:
    """The feed's bytes (gzip-compressed if asked): from the cache when this version was built
    before. The compressed body is kept too: compressing megabytes on every poll cost more than
    reading them from the cache."""
    key = f"calendar-feed:{user.pk}:{version.etag}"
    if compressed:
        packed = cache.get(f"{key}:gz")
        if packed is None:
            packed = gzip.compress(feed_body(user=user, window=window, version=version), GZIP_LEVEL)
            cache.set(f"{key}:gz", packed, CACHE_SECONDS)
        return packed
    body = cache.get(key)
    if body is None:
        meetings, milestones = _window_querysets(user, window)
        body = feed_ics(user=user, meetings=meetings, milestones=milestones)
        cache.set(key, body, CACHE_SECONDS)
    return body


def current_window() -> FeedWindow:
    return FeedWindow.around(clock.now())
