"""The project overview's "Next meeting" panel (registered in `MeetingsConfig.ready`).

One query, compiled once per process: the first meeting still to come (or under way) with its
organizer's name, the viewer's own reply and how many more are scheduled. Every project member
sees the project's meetings, as on the Meetings tab.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, DateTimeField, ExpressionWrapper, F, OuterRef, Subquery, Window

from portal.core.compiled import CompiledRead
from portal.core.list_formats import link
from projects.overview import Reads, page_now, panel_rows

from . import permissions
from .models import Invitee, Meeting, MeetingStatus, zone_label

_ENDS_AT = ExpressionWrapper(
    F("starts_at") + F("duration_minutes") * datetime.timedelta(minutes=1), output_field=DateTimeField()
)

# The scheduled meeting that ends soonest after `now` (so one under way still shows): what the
# panel shows of it, its organizer's name, `my_rsvp` (the user's reply, None when not invited)
# and how many scheduled meetings are still to come in all (`total`).
_NEXT_MEETING = CompiledRead(
    lambda project_id, user_id, now: (
        Meeting.objects.filter(project_id=project_id, status=MeetingStatus.SCHEDULED)
        .alias(ends=_ENDS_AT)
        .filter(ends__gt=now)
        .only(
            "pk", "project_id", "kind", "title", "starts_at", "duration_minutes", "location", "agenda_sent_at"
        )
        .annotate(
            organizer_name=F("organizer__full_name"),
            my_rsvp=Subquery(
                Invitee.objects.filter(meeting=OuterRef("pk"), user_id=user_id, removed_at__isnull=True)
                .order_by()
                .values("rsvp")[:1]
            ),
            total=Window(Count("pk")),
        )
        .order_by("starts_at", "pk")[:1]
    ),
    project_id=int,
    user_id=int,
    now=datetime.datetime,
)


def reads(page: dict[str, Any]) -> Reads:
    values = {"project_id": page["project"].pk, "user_id": page["access"].user.pk, "now": page_now(page)}
    return {"next_meeting": (_NEXT_MEETING, values)}


def next_meeting_panel(page: dict[str, Any]) -> dict:
    access = page["access"]
    now = page_now(page)
    rows = panel_rows(page, reads, "next_meeting")
    meeting, total = (rows[0], rows[0].total) if rows else (None, 0)
    return {
        "meeting": meeting,
        "url": link("meetings:meeting_detail", project_id=meeting.project_id, meeting_id=meeting.pk)
        if meeting
        else "",
        "later": max(total - 1, 0),
        "under_way": meeting is not None and meeting.starts_at <= now,
        "zone_label": zone_label(access.user.time_zone or "UTC"),
        "may_schedule": permissions.can_schedule(access),
    }
