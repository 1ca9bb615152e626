"""The project overview's "Next meeting" panel (registered in `MeetingsConfig.ready`).

One query: the first meeting still to come (or under way) with its organizer, the viewer's own
reply and how many more are scheduled. Every project member sees the project's meetings, as on the Meetings tab.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, DateTimeField, ExpressionWrapper, F, OuterRef, Subquery, Window
from django.utils import timezone

from projects.models import Project

from . import permissions
from .models import Invitee, Meeting, MeetingStatus, zone_label

# What the panel shows of a meeting (and its link), and no more.
_PANEL_FIELDS = (
    "pk",
    "project_id",
    "kind",
    "title",
    "starts_at",
    "duration_minutes",
    "location",
    "agenda_sent_at",
    "organizer__full_name",
)


def next_meetings(*, project: Project, user, now: datetime.datetime) -> tuple[Meeting | None, int]:
    """The scheduled meeting that ends soonest after `now` (so one under way still shows), with
    `my_rsvp` (the user's reply, None when not invited), and how many scheduled meetings are still
    to come in all."""
    ends_at = ExpressionWrapper(
        F("starts_at") + F("duration_minutes") * datetime.timedelta(minutes=1), output_field=DateTimeField()
    )
    mine = Invitee.objects.filter(meeting=OuterRef("pk"), user=user, removed_at__isnull=True).order_by()
    meeting = (
        Meeting.objects.filter(project=project, status=MeetingStatus.SCHEDULED)
        .alias(ends=ends_at)
        .filter(ends__gt=now)
        .select_related("organizer")
        .only(*_PANEL_FIELDS)
        .annotate(my_rsvp=Subquery(mine.values("rsvp")[:1]), total=Window(Count("pk")))
        .order_by("starts_at", "pk")
        .first()
    )
    return meeting, (meeting.total if meeting else 0)


def next_meeting_panel(page: dict[str, Any]) -> dict:
    access = page["access"]
    now = timezone.now()
    meeting, total = next_meetings(project=page["project"], user=access.user, now=now)
    return {
        "meeting": meeting,
        "url": meeting.get_absolute_url() if meeting else "",
        "later": max(total - 1, 0),
        "under_way": meeting is not None and meeting.starts_at <= now,
        "zone_label": zone_label(access.user.time_zone or "UTC"),
        "may_schedule": permissions.can_schedule(access),
    }
