"""iCalendar (RFC 5545/5546) for meeting invitations and the personal calendar feed.

One UID per meeting for its whole life and a SEQUENCE that rises with every change
a calendar must apply: that is what lets Outlook and Google update (or remove) the
event they already hold instead of adding a second one.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress

from projects.models import Milestone

from .models import Invitee, Meeting, Rsvp

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


def meeting_description(meeting: Meeting, agenda: Iterable = ()) -> str:
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
    lines.append(f"Meeting page: {settings.SITE_URL}{meeting.get_absolute_url()}")
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


def feed_ics(*, user, meetings: Iterable[Meeting], milestones: Iterable[Milestone] = ()) -> bytes:
    """The user's private calendar feed: their meetings and their projects' milestones."""
    cal = _calendar(name=f"{settings.PORTAL_NAME} · {user.full_name}")
    cal.add("x-wr-caldesc", f"Meetings and milestones from {settings.PORTAL_NAME}, the Sponsor–CDMO portal")
    cal.add("refresh-interval", datetime.timedelta(hours=1), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT1H")
    for meeting in meetings:
        cal.add_component(
            _meeting_event(meeting, description=meeting_description(meeting), cancelled=meeting.is_cancelled)
        )
    for milestone in milestones:
        cal.add_component(_milestone_event(milestone))
    return cal.to_ical()


def _milestone_event(milestone: Milestone) -> Event:
    """An all-day event on the day the milestone was done or is now forecast."""
    day = milestone.actual_date or milestone.forecast_date
    state = "done" if milestone.actual_date else "forecast"
    event = Event()
    # The UID calendars already hold: never change its form.
    event.add("uid", f"milestone-{milestone.pk}@meridian")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", day)
    event.add("dtend", day + datetime.timedelta(days=1))
    event.add("summary", f"{milestone.project.code} milestone: {milestone.title} ({state})")
    event.add("transp", "TRANSPARENT")
    event.add("url", f"{settings.SITE_URL}{milestone.get_absolute_url()}")
    return event


def event_ics(meeting: Meeting, *, agenda: Iterable = ()) -> bytes:
    """One meeting as a file to import by hand ("Add to calendar"): METHOD:PUBLISH, same UID."""
    cal = _calendar("PUBLISH")
    cal.add_component(
        _meeting_event(
            meeting, description=meeting_description(meeting, agenda), cancelled=meeting.is_cancelled
        )
    )
    return cal.to_ical()
