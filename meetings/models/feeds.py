"""A person's calendar feed as last built (meetings.feed): what polls are answered from."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class CalendarFeed(models.Model):
    """The last built feed of one person: its validators, its compressed body, and what the
    person could reach when it was built. Derived data, rebuilt in the background when what it
    shows changes; never edited by hand (so not in the history)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="calendar_feed"
    )
    etag = models.CharField(max_length=64)
    # Last-Modified of the body: when this version was built.
    built_at = models.DateTimeField()
    # The person's organization, role and how many teams they ever left, when it was built:
    # a poll that finds them different (left a team) builds again at once instead of serving it.
    scope = models.JSONField(default=dict)
    body = models.BinaryField()  # gzip
    size = models.PositiveIntegerField(default=0)  # plain bytes
    # When the version was last compared with the data (the check and the rebuild).
    checked_at = models.DateTimeField()
    # When a calendar app last asked for it (written at most every few hours): only feeds someone
    # still polls are checked.
    polled_at = models.DateTimeField()
    # A rebuild is queued and not yet started: at most one pending per person.
    refresh_queued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["polled_at"], name="calendar_feed_polled_idx")]

    def __str__(self) -> str:
        return f"Calendar feed of user {self.user_id}"
