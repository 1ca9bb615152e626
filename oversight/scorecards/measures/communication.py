"""The CDMO's communication: the sponsor's questions answered in time, minutes sent in time."""

from __future__ import annotations

import datetime as dt
import statistics

from django.db.models import F, Q

from meetings.models import Meeting
from meetings.models.meetings import HELD_STATUSES
from projects.models import CommentKind, Side, UpdateComment

from ..quarters import utc_date
from .base import CDMO, Measure, Record, Records, Scope, n_hours, records

# --- Responsiveness ------------------------------------------------------------------------------


def _responsiveness(scope: Scope) -> Records:
    """Questions by the sponsor's people (not internal notes), by the UTC quarter asked: each
    answered one, kept if answered by its respond-by time, with the hours it took; each still open
    past its respond-by time, late (no sample). One still open within its time: not counted yet."""
    found = records()
    rows = UpdateComment.objects.filter(
        Q(answered_at__isnull=False) | Q(respond_by__lt=scope.now),
        update__project_id__in=scope.ids,
        kind=CommentKind.QUESTION,
        is_internal=False,
        author__organization_id=F("update__project__sponsor_id"),
        created_at__gte=scope.starts_at,
        created_at__lt=scope.ends_before,
    ).values_list("pk", "update__project_id", "created_at", "answered_at", "respond_by")
    for pk, project_id, asked, answered, respond_by in rows:
        quarter = scope.bucket(utc_date(asked))
        if quarter is None:
            continue
        ref, on = ("question", pk), utc_date(asked)
        if answered is None:
            found[project_id, quarter].append(Record(False, ref=ref, on=on))
        else:
            hours = (answered - asked).total_seconds() / 3600
            found[project_id, quarter].append(Record(answered <= respond_by, hours, ref=ref, on=on))
    return found


def _median_hours(hours) -> tuple[str, ...]:
    return (f"median answer {statistics.median(hours):.1f} hours",) if hours else ()


def _answered(record: Record) -> str:
    if record.sample is None:
        return "not answered, past its respond-by time"
    return f"answered in {n_hours(record.sample)}"


RESPONSIVENESS = Measure(
    "responsiveness",
    "Responsiveness",
    CDMO,
    "Of the sponsor's questions on status updates asked in the quarter, the share answered by "
    "their respond-by time (the time agreed for answers when they were asked), and the median "
    "time to answer in hours. A question still open past its respond-by time counts as late; one "
    "still open within it is not counted yet.",
    ("question", "questions"),
    compute=_responsiveness,
    describe=_median_hours,
    dated="Asked",
    explain=_answered,
)


# --- Meeting discipline -------------------------------------------------------------------------

MINUTES_WITHIN_BUSINESS_DAYS = 2


def _meeting_discipline(scope: Scope) -> Records:
    """Meetings run by the CDMO and held (minutes in draft, sent or confirmed), by the UTC
    quarter of their start. Sent: `minutes_sent_at` (after a correction, the last sending). Still
    in draft past the deadline: late (no sample). Still in draft within it: not counted yet."""
    found = records()
    rows = Meeting.objects.filter(
        project_id__in=scope.ids,
        organizer_side=Side.CDMO,
        status__in=HELD_STATUSES,
        starts_at__gte=scope.starts_at,
        starts_at__lt=scope.ends_before,
    ).values_list("pk", "project_id", "starts_at", "duration_minutes", "minutes_sent_at")
    for pk, project_id, starts_at, duration, sent_at in rows:
        quarter = scope.bucket(utc_date(starts_at))
        if quarter is None:
            continue
        ends_at = starts_at + dt.timedelta(minutes=duration)
        calendar = scope.projects[project_id].cdmo_calendar
        deadline = calendar.add_business_days(ends_at, MINUTES_WITHIN_BUSINESS_DAYS)
        ref, on = ("meeting", pk), utc_date(starts_at)
        if sent_at is not None:
            hours = (sent_at - ends_at).total_seconds() / 3600
            found[project_id, quarter].append(Record(sent_at <= deadline, hours, ref=ref, on=on))
        elif deadline < scope.now:
            found[project_id, quarter].append(Record(False, ref=ref, on=on))
    return found


def _minutes_sent(record: Record) -> str:
    if record.sample is None:
        return f"minutes not sent after {MINUTES_WITHIN_BUSINESS_DAYS} business days"
    return f"minutes sent {n_hours(record.sample)} after the meeting's end"


def _minutes_details(hours) -> tuple[str, ...]:
    return (f"median {statistics.median(hours):.1f} hours to minutes",) if hours else ()


MEETING_DISCIPLINE = Measure(
    "meeting_discipline",
    "Meeting discipline",
    CDMO,
    "Of the meetings the CDMO ran and held in the quarter (by their start, UTC), the share whose "
    f"minutes were sent within {MINUTES_WITHIN_BUSINESS_DAYS} business days of the meeting's end, "
    "counted in the CDMO's working hours (09:00–17:00 in its main site's time zone, Monday to "
    "Friday, without its country's public holidays), and the median hours from the meeting's end "
    "to its minutes. A held meeting whose minutes are still not sent after "
    f"{MINUTES_WITHIN_BUSINESS_DAYS} business days counts as late; cancelled meetings are not "
    "counted.",
    ("meeting", "meetings"),
    compute=_meeting_discipline,
    describe=_minutes_details,
    dated="Held",
    explain=_minutes_sent,
)
