"""Meetings: agenda, invitees, attendance, minutes (decisions, action items).

One module per sub-domain, the same split as the services, selectors and views; this package
re-exports every model and choice so `from meetings.models import Meeting` keeps working (and
the app label, hence the migrations, stays `meetings`).
"""

from .action_items import ActionItem, ActionItemStatus
from .agenda import AgendaItem
from .feeds import CalendarFeed
from .invitations import Attendance, Invitee, Rsvp, rsvp_badge
from .meetings import (
    LOCKED_STATUS_SQL,
    LOCKED_STATUSES,
    Badge,
    Meeting,
    MeetingKind,
    MeetingStatus,
    MinutesLocked,
    _ical_uid,
    zone_label,
)
from .minutes import Decision

__all__ = [
    "Badge",
    "LOCKED_STATUSES",
    "LOCKED_STATUS_SQL",
    "ActionItem",
    "ActionItemStatus",
    "AgendaItem",
    "Attendance",
    "CalendarFeed",
    "Decision",
    "Invitee",
    "rsvp_badge",
    "Meeting",
    "MeetingKind",
    "MeetingStatus",
    "MinutesLocked",
    "Rsvp",
    "_ical_uid",
    "zone_label",
]
