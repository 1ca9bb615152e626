"""iCalendar (RFC 5545/5546) for meeting invitations and the personal calendar feed.

One UID per meeting for its whole life and a SEQUENCE that rises with every change
a calendar must apply: that is what lets Outlook and Google update (or remove) the
event they already hold instead of adding a second one.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress

from projects.models import Milestone

from . import ics_text as ical
from .models import Invitee, Meeting, MeetingStatus, Rsvp

PRODID = f"-//{settings.PORTAL_NAME}//Sponsor-CDMO portal//EN"

PARTSTAT = {
    Rsvp.PENDING: "NEEDS-ACTION",
    Rsvp.ACCEPTED: "ACCEPTED",
    Rsvp.TENTATIVE: "TENTATIVE",
    Rsvp.DECLINED: "DECLINED",
}


def _utc(value: datetime.datetime) -> datetime.datetime:
    return value.astimezone(datetime.UTC)


def _calendar(method: str | None = None, name: str | None = None) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
    return cal


def meeting_description(meeting: Meeting, agenda: Iterable = (), *, url: str = "") -> str:
    """Plain text for DESCRIPTION: where to join, the agenda, the link to the portal."""
    lines = []
    if meeting.video_url:
        lines += [f"Join: {meeting.video_url}", ""]
    if meeting.location:
        lines += [f"Where: {meeting.location}", ""]
    agenda = list(agenda)
    if agenda:
        lines.append("Agenda:")
        for number, item in enumerate(agenda, start=1):
            extras = []
            if item.presenter_id:
                extras.append(item.presenter.full_name)
            if item.minutes_allotted:
                extras.append(f"{item.minutes_allotted} min")
            suffix = f" ({', '.join(extras)})" if extras else ""
            lines.append(f"{number}. {item.title}{suffix}")
        lines.append("")
    lines.append(f"Meeting page: {url or settings.SITE_URL + meeting.get_absolute_url()}")
    return "\n".join(lines)


def _meeting_event(meeting: Meeting, *, description: str, cancelled: bool) -> Event:
    event = Event()
    event.add("uid", meeting.ical_uid)
    event.add("sequence", meeting.ical_sequence)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", _utc(meeting.starts_at))
    event.add("dtend", _utc(meeting.ends_at))
    event.add("summary", f"{meeting.project.code}: {meeting.title}")
    event.add("location", meeting.location or meeting.video_url)
    event.add("description", description)
    event.add("url", f"{settings.SITE_URL}{meeting.get_absolute_url()}")
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    event.add("organizer", vCalAddress.new(meeting.organizer.email, cn=meeting.organizer.full_name))
    return event


def _attendee(invitee: Invitee) -> vCalAddress:
    return vCalAddress.new(
        invitee.email,
        cn=invitee.display_name,
        cutype="INDIVIDUAL",
        role="REQ-PARTICIPANT" if invitee.required else "OPT-PARTICIPANT",
        partstat=PARTSTAT.get(invitee.rsvp, "NEEDS-ACTION"),
        rsvp=True,
    )


def invitation_ics(
    meeting: Meeting, *, invitees: Iterable[Invitee], agenda: Iterable = (), cancel: bool = False
) -> bytes:
    """A METHOD:REQUEST (or METHOD:CANCEL) calendar for an invitation email.

    `invitees` become ATTENDEE lines: everyone invited for a request, the people the
    cancellation is for when cancelling.
    """
    cancel = cancel or meeting.is_cancelled
    cal = _calendar("CANCEL" if cancel else "REQUEST")
    event = _meeting_event(meeting, description=meeting_description(meeting, agenda), cancelled=cancel)
    for invitee in invitees:
        event.add("attendee", _attendee(invitee))
    cal.add_component(event)
    return cal.to_ical()


def feed_ics(*, user, meetings: QuerySet[Meeting], milestones: QuerySet[Milestone]) -> bytes:
    """The user's private calendar feed: their meetings and their projects' milestones.

    Written as text (meetings/ics_text.py), one string per event: the same events, UIDs and
    SEQUENCEs an invitation carries, at a fraction of the cost of `icalendar` objects."""
    stamp = ical.utc(timezone.now())
    meeting_url = _url_pattern("meetings:meeting_detail", "project_id", "meeting_id")
    milestone_url = _url_pattern("projects:milestone", "project_id", "milestone_id")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{ical.text(f'{settings.PORTAL_NAME} · {user.full_name}')}",
        f"X-WR-CALDESC:{ical.text(f'Meetings and milestones from {settings.PORTAL_NAME}, the Sponsor–CDMO portal')}",
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
        "X-PUBLISHED-TTL:PT1H",
    ]
    parts = ["".join(ical.fold(line) for line in lines)]
    # Rows, not model instances: a feed can hold thousands of events.
    meeting_rows = meetings.values_list(*FEED_MEETING_FIELDS, named=True)
    milestone_rows = milestones.values_list(*FEED_MILESTONE_FIELDS, named=True)
    parts += (_meeting_lines(m, stamp, meeting_url.format(m.project_id, m.pk)) for m in meeting_rows)
    parts += (_milestone_lines(m, stamp, milestone_url.format(m.project_id, m.pk)) for m in milestone_rows)
    parts.append("END:VCALENDAR" + ical.CRLF)
    return "".join(parts).encode()


# Only what the feed writes (as named rows): a feed holds thousands of events.
FEED_MEETING_FIELDS = (
    "pk",
    "project_id",
    "project__code",
    "ical_uid",
    "ical_sequence",
    "starts_at",
    "duration_minutes",
    "title",
    "location",
    "video_url",
    "status",
    "organizer__full_name",
    "organizer__email",
)
FEED_MILESTONE_FIELDS = ("pk", "project_id", "project__code", "title", "actual_date", "forecast_date")


def _url_pattern(name: str, *kwarg_names: str) -> str:
    """The absolute URL of `name` as a str.format pattern ({0}, {1}, … for the kwargs): one reverse()
    per feed instead of one per event."""
    markers = {kwarg: 900000001 + n for n, kwarg in enumerate(kwarg_names)}
    path = reverse(name, kwargs=markers).replace("{", "{{").replace("}", "}}")
    for n, marker in enumerate(markers.values()):
        path = path.replace(str(marker), f"{{{n}}}")
    return f"{settings.SITE_URL}{path}"


def _meeting_lines(meeting, stamp: str, url: str) -> str:
    """One meeting row (FEED_MEETING_FIELDS) as a VEVENT, as `_meeting_event` writes it."""
    location = meeting.location or meeting.video_url
    ends_at = meeting.starts_at + datetime.timedelta(minutes=meeting.duration_minutes)
    lines = [
        "BEGIN:VEVENT",
        f"UID:{ical.text(meeting.ical_uid)}",
        f"SEQUENCE:{meeting.ical_sequence}",
        f"DTSTAMP:{stamp}",
        f"DTSTART:{ical.utc(meeting.starts_at)}",
        f"DTEND:{ical.utc(ends_at)}",
        f"SUMMARY:{ical.text(f'{meeting.project__code}: {meeting.title}')}",
        *([f"LOCATION:{ical.text(location)}"] if location else []),
        f"DESCRIPTION:{ical.text(meeting_description(meeting, url=url))}",
        f"URL:{url}",
        f"STATUS:{'CANCELLED' if meeting.status == MeetingStatus.CANCELLED else 'CONFIRMED'}",
        "TRANSP:OPAQUE",
        f"ORGANIZER;CN={ical.param(meeting.organizer__full_name)}:mailto:{meeting.organizer__email}",
        "END:VEVENT",
    ]
    return "".join(ical.fold(line) for line in lines)


def _milestone_lines(milestone, stamp: str, url: str) -> str:
    """A milestone row (FEED_MILESTONE_FIELDS) as an all-day event on the day it was done or is
    now forecast."""
    day = milestone.actual_date or milestone.forecast_date
    state = "done" if milestone.actual_date else "forecast"
    lines = [
        "BEGIN:VEVENT",
        # The UID calendars already hold: never change its form.
        f"UID:milestone-{milestone.pk}@meridian",
        f"DTSTAMP:{stamp}",
        f"DTSTART;VALUE=DATE:{ical.date(day)}",
        f"DTEND;VALUE=DATE:{ical.date(day + datetime.timedelta(days=1))}",
        f"SUMMARY:{ical.text(f'{milestone.project__code} milestone: {milestone.title} ({state})')}",
        "TRANSP:TRANSPARENT",
        f"URL:{url}",
        "END:VEVENT",
    ]
    return "".join(ical.fold(line) for line in lines)


def event_ics(meeting: Meeting, *, agenda: Iterable = ()) -> bytes:
    """One meeting as a file to import by hand ("Add to calendar"): METHOD:PUBLISH, same UID."""
    cal = _calendar("PUBLISH")
    cal.add_component(
        _meeting_event(
            meeting, description=meeting_description(meeting, agenda), cancelled=meeting.is_cancelled
        )
    )
    return cal.to_ical()
