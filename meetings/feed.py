"""The private calendar feed, cheap to poll: built in the background, served as last built.

Calendar apps poll every subscribed feed about once an hour, for every person, whether
anything changed or not, and none of them needs a change the second it happens. So:

- the feed covers a window of dates, so its size follows the person's current work: meetings
  `FEED_PAST` back and `FEED_AHEAD` forward, milestones (one per project step, many more for
  someone on hundreds of projects) a tighter `MILESTONES_PAST` back and `MILESTONES_AHEAD` forward;
- each person's feed is kept as last built (`CalendarFeed`: gzip body, ETag, Last-Modified =
  when it was built). A poll answers from that row alone, a 304 when the app has it: nothing is
  counted, nothing is built;
- what the feed shows has a version, two aggregate queries over the window (`feed_version`).
  Every `CHECK_EVERY` the beat task `check_feeds` compares it with the stored one for each feed
  polled in the last `ACTIVE_FOR`, and queues one rebuild (outbox, at most one pending per
  person) where it differs. Any change reaches the stored feed that way, whatever path made it
  (a service, the admin, the window moving on at midnight), and the app's next poll gets it: a
  change reaches the calendar app within `CHECK_EVERY` plus its own polling interval;
- only two things build during a poll: the first poll of someone who never had a feed built
  (their subscription), and a poll by someone whose reach shrank since the last build (left a
  team, another organization or role): leaving a team is a security event, so the feed they
  get no longer holds that project's events. Both build the near weeks only
  (`FeedWindow.near`: `NEAR_PAST` back, `NEAR_AHEAD` forward, at most `NEAR_MOST` meetings and
  as many milestones), so the poll stays short however many projects the person is on, and
  queue the whole window's rebuild, which the app's next poll gets.
"""

from __future__ import annotations

import datetime
import gzip
import hashlib
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Max, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce

from portal.accounts.models import User
from portal.core.queue import enqueue_on_commit
from projects.models import ProjectMember

from .ics import feed_ics
from .models import CalendarFeed
from .selectors import calendar_meetings, calendar_milestones

FEED_PAST = datetime.timedelta(days=180)
FEED_AHEAD = datetime.timedelta(days=3 * 366)
MILESTONES_PAST = datetime.timedelta(days=90)
MILESTONES_AHEAD = datetime.timedelta(days=366)
# Raise when feed_ics writes something different for the same data: every stored feed is rebuilt.
FEED_FORMAT = 2
# Fast and still about 16:1 on a feed's repetitive text.
GZIP_LEVEL = 6
# The check's period (as its beat schedule in portal/settings.py): how late a change may reach
# the stored feed.
CHECK_EVERY = datetime.timedelta(minutes=10)
# Feeds no app asked for in this long are no longer checked; their next poll queues a refresh.
ACTIVE_FOR = datetime.timedelta(days=7)
# polled_at is written at most this often (a poll is otherwise read-only).
POLL_MARK = datetime.timedelta(hours=6)
# What a poll builds when it must build: the weeks people look at first.
NEAR_PAST = datetime.timedelta(days=7)
NEAR_AHEAD = datetime.timedelta(days=42)
NEAR_MOST = 1000
# A queued rebuild not started in this long (lost, failed) no longer holds back another one.
QUEUE_EXPIRES = datetime.timedelta(hours=1)
REFRESH_TASK = "meetings.tasks.refresh_calendar_feed"


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

    @classmethod
    def near(cls, moment: datetime.datetime) -> FeedWindow:
        today = moment.date()
        return cls(
            since=moment - NEAR_PAST,
            until=moment + NEAR_AHEAD,
            milestones_since=today - NEAR_PAST,
            milestones_until=today + NEAR_AHEAD,
        )


def _window_querysets(user: User, window: FeedWindow):
    meetings = calendar_meetings(user=user, since=window.since, until=window.until)
    milestones = calendar_milestones(user=user, since=window.milestones_since, until=window.milestones_until)
    return meetings, milestones


def feed_version(*, user: User, window: FeedWindow) -> str:
    """What the feed holds, in two aggregate queries (how many events, their ids, their last
    change): no event is loaded. Any change to a meeting or milestone in the window, to what the
    person may see, or to the window (it moves on every day) gives another version."""
    meetings, milestones = _window_querysets(user, window)
    figures = {"count": Count("pk"), "ids": Coalesce(Sum("pk"), 0), "changed": Max("updated_at")}
    of_meetings = meetings.order_by().aggregate(**figures, sequences=Coalesce(Sum("ical_sequence"), 0))
    of_milestones = milestones.order_by().aggregate(**figures)
    fingerprint = "|".join(
        str(part)
        for part in (
            FEED_FORMAT,
            user.pk,
            user.full_name,
            window.since.date(),
            window.until.date(),
            *sorted(of_meetings.items()),
            *sorted(of_milestones.items()),
        )
    )
    return hashlib.sha256(fingerprint.encode()).hexdigest()[:32]


# --- what the person can reach ------------------------------------------------------------------


def _teams_left(user_ref: str) -> Coalesce:
    """How many team memberships the user ever left: rows are kept with `removed_at` and a
    return is a new row, so the figure only rises, and it rises with every departure."""
    left = (
        ProjectMember.objects.filter(user=OuterRef(user_ref), removed_at__isnull=False)
        .order_by()
        .values("user")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(left), 0)


def _scope(user: User) -> dict:
    """What bounds the projects the person reaches: a change here may take projects away."""
    return {"org": user.organization_id, "role": user.org_role, "left": user.teams_left}


def _subscribers():
    return User.objects.filter(is_active=True, organization__isnull=False).annotate(
        teams_left=_teams_left("pk")
    )


def subscriber(token: str) -> User | None:
    """The person whose feed `token` opens, with their stored feed (without its body) and what
    bounds their reach: one query."""
    return (
        _subscribers()
        .filter(calendar_token=token)
        .select_related("calendar_feed")
        .defer("calendar_feed__body")
        .first()
    )


# --- building, serving, refreshing -------------------------------------------------------------


def build(
    *,
    user: User,
    now: datetime.datetime,
    near: bool = False,
    version: str | None = None,
    previous: CalendarFeed | None = None,
) -> CalendarFeed:
    """Build the person's feed (the whole window, or the `near` weeks) from the data and store it.
    `user` carries `teams_left`, read before anything is built: a departure after that read makes
    the next poll build again. Last-Modified (whole seconds) moves on from the `previous` build's,
    so an app that only sends If-Modified-Since sees a rebuild within the same second too."""
    scope = _scope(user)
    if near:
        meetings, milestones = _window_querysets(user, FeedWindow.near(now))
        meetings, milestones = meetings[:NEAR_MOST], milestones[:NEAR_MOST]
        # Never a version of the whole window: the check rebuilds it if the queued rebuild is lost.
        version = hashlib.sha256(f"near|{user.pk}|{now.isoformat()}".encode()).hexdigest()[:32]
    else:
        window = FeedWindow.around(now)
        version = version or feed_version(user=user, window=window)
        meetings, milestones = _window_querysets(user, window)
    built_at = now.replace(microsecond=0)
    if previous is not None and built_at <= previous.built_at:
        built_at = previous.built_at + datetime.timedelta(seconds=1)
    plain = feed_ics(user=user, meetings=meetings, milestones=milestones)
    stored = CalendarFeed(
        user=user,
        etag=version,
        built_at=built_at,
        scope=scope,
        body=gzip.compress(plain, GZIP_LEVEL),
        size=len(plain),
        checked_at=now,
        polled_at=now,
    )
    # One statement, so two first polls at once (two devices) do not collide.
    CalendarFeed.objects.bulk_create(
        [stored],
        update_conflicts=True,
        unique_fields=["user"],
        update_fields=["etag", "built_at", "scope", "body", "size", "checked_at"],
    )
    stored.plain = plain
    return stored


def for_poll(*, user: User, now: datetime.datetime) -> CalendarFeed:
    """The stored feed a poll answers with (`user` from `subscriber`). Built now, the near weeks
    only, for a first subscription or when the person's reach shrank since it was built."""
    stored = getattr(user, "calendar_feed", None)
    if stored is None or stored.scope != _scope(user):
        near = build(user=user, now=now, near=True, previous=stored)
        queue_refresh(user_id=user.pk, now=now)  # the whole window, for the app's next poll
        return near
    if stored.polled_at < now - POLL_MARK:
        CalendarFeed.objects.filter(pk=stored.pk).update(polled_at=now)
        # Not checked lately (no app polled it for a while, or the check is not running).
        if stored.checked_at < now - 2 * CHECK_EVERY:
            queue_refresh(user_id=user.pk, now=now)
    return stored


def body_of(stored: CalendarFeed, *, compressed: bool) -> bytes:
    """The stored body, as it is (gzip) or unpacked."""
    if not compressed and hasattr(stored, "plain"):
        return stored.plain
    packed = bytes(stored.body)  # a deferred field: read now
    return packed if compressed else gzip.decompress(packed)


def queue_refresh(*, user_id: int, now: datetime.datetime) -> bool:
    """Queue one rebuild of the person's stored feed, unless one is already pending."""
    with transaction.atomic():
        claimed = (
            CalendarFeed.objects.filter(user_id=user_id)
            .filter(Q(refresh_queued_at__isnull=True) | Q(refresh_queued_at__lt=now - QUEUE_EXPIRES))
            .update(refresh_queued_at=now)
        )
        if claimed:
            enqueue_on_commit(REFRESH_TASK, user_id)
    return bool(claimed)


def refresh(*, user_id: int, now: datetime.datetime) -> bool:
    """Rebuild the stored feed if what it shows changed (the queued task). Returns whether it did."""
    # From here on a change queues another rebuild.
    CalendarFeed.objects.filter(user_id=user_id).update(refresh_queued_at=None)
    user = (
        _subscribers().filter(pk=user_id).select_related("calendar_feed").defer("calendar_feed__body").first()
    )
    stored = getattr(user, "calendar_feed", None) if user else None
    if stored is None:
        return False  # never subscribed, or gone: nothing to keep fresh
    version = feed_version(user=user, window=FeedWindow.around(now))
    if version == stored.etag and stored.scope == _scope(user):
        CalendarFeed.objects.filter(pk=stored.pk).update(checked_at=now)
        return False
    build(user=user, now=now, version=version, previous=stored)
    return True


def check_feeds(*, now: datetime.datetime) -> int:
    """Compare the version of every feed polled lately with the stored one; queue a rebuild where
    they differ. Returns how many were queued."""
    due = (
        CalendarFeed.objects.filter(
            polled_at__gte=now - ACTIVE_FOR, user__is_active=True, user__organization__isnull=False
        )
        .filter(Q(refresh_queued_at__isnull=True) | Q(refresh_queued_at__lt=now - QUEUE_EXPIRES))
        .select_related("user")
        .defer("body")
        .annotate(teams_left=_teams_left("user_id"))
        .order_by("pk")
    )
    window = FeedWindow.around(now)
    queued, unchanged = 0, []
    for stored in due:  # rows without their bodies: small
        stored.user.teams_left = stored.teams_left
        if feed_version(user=stored.user, window=window) == stored.etag and stored.scope == _scope(
            stored.user
        ):
            unchanged.append(stored.pk)
        elif queue_refresh(user_id=stored.user_id, now=now):
            queued += 1
    CalendarFeed.objects.filter(pk__in=unchanged).update(checked_at=now)
    return queued
