"""Meeting emails: build and send. Called by the Celery tasks in tasks.py.

Each email is rendered in the recipient's own time zone (guests get the
organizer's), and carries the calendar or PDF attachment it is about.
"""

from __future__ import annotations

from email.mime.text import MIMEText

from django.utils import timezone

from portal.core.emails import send_templated_email
from portal.core.timezones import zone_or_utc
from projects.models import ProjectMember, TeamRole

from .ics import invitation_ics
from .models import Invitee, Meeting, MeetingStatus, zone_label
from .pdf import minutes_filename, render_minutes_pdf
from .selectors import meeting_detail


def _zone_name_for(user, meeting: Meeting) -> str:
    return (user.time_zone if user is not None else "") or meeting.organizer_time_zone or "UTC"


def ics_part(ics: bytes, *, method: str, filename: str = "invite.ics") -> MIMEText:
    """A text/calendar part with the METHOD parameter mail clients look for."""
    part = MIMEText(ics.decode("utf-8"), "calendar", "utf-8")
    part.set_param("method", method)
    part.add_header("Content-Disposition", "attachment", filename=filename)
    return part


def _send(template: str, context: dict, *, to: str, zone_name: str, attachments=()) -> None:
    with timezone.override(zone_or_utc(zone_name)):
        send_templated_email(
            template,
            {**context, "recipient_zone": zone_name, "recipient_zone_label": zone_label(zone_name)},
            to=[to],
            attachments=attachments,
        )


def send_invitation(invitee: Invitee, *, reason: str) -> None:
    """The invitation (reason "new"), an update ("updated") or the agenda ("agenda")."""
    meeting = invitee.meeting
    detail = meeting_detail(meeting=meeting)
    ics = invitation_ics(meeting, invitees=detail.invited, agenda=detail.agenda)
    _send(
        "meeting-invitation",
        {"meeting": meeting, "detail": detail, "invitee": invitee, "reason": reason},
        to=invitee.email,
        zone_name=_zone_name_for(invitee.user, meeting),
        attachments=[(ics_part(ics, method="REQUEST"),)],
    )


def send_cancellation(invitee: Invitee) -> None:
    """METHOD:CANCEL for the same UID: the meeting was cancelled, or this person uninvited."""
    meeting = invitee.meeting
    ics = invitation_ics(meeting, invitees=[invitee], cancel=True)
    _send(
        "meeting-cancelled",
        {"meeting": meeting, "invitee": invitee, "uninvited": not meeting.is_cancelled},
        to=invitee.email,
        zone_name=_zone_name_for(invitee.user, meeting),
        attachments=[(ics_part(ics, method="CANCEL", filename="cancel.ics"),)],
    )


def minutes_recipients(meeting: Meeting, detail) -> list[tuple[str, object]]:
    """(email, user or None): the attendees, plus the sponsor people who confirm minutes."""
    recipients: dict[str, object] = {}
    for invitee in detail.attendees:
        recipients.setdefault(invitee.email.lower(), invitee.user)
    confirmers = ProjectMember.objects.filter(
        project=meeting.project,
        removed_at__isnull=True,
        role__in=[TeamRole.SPONSOR_LEAD, TeamRole.DECISION_MAKER],
    ).select_related("user")
    for member in confirmers:
        recipients.setdefault(member.user.email.lower(), member.user)
    return list(recipients.items())


def send_minutes(meeting: Meeting) -> int:
    """Email the closed minutes with the PDF. Returns how many emails went out."""
    detail = meeting_detail(meeting=meeting)
    pdf = render_minutes_pdf(detail)
    attachment = (minutes_filename(meeting), pdf, "application/pdf")
    recipients = minutes_recipients(meeting, detail)
    for email, user in recipients:
        _send(
            "meeting-minutes",
            {"meeting": meeting, "detail": detail, "recipient": user},
            to=email,
            zone_name=_zone_name_for(user, meeting),
            attachments=[attachment],
        )
    return len(recipients)


def send_minutes_reviewed(meeting: Meeting) -> None:
    """Tell the organizer (and whoever sent the minutes) that the sponsor confirmed them or
    asked for a correction."""
    template = (
        "meeting-minutes-confirmed" if meeting.status == MeetingStatus.CONFIRMED else "meeting-correction"
    )
    people = {meeting.organizer.pk: meeting.organizer}
    if meeting.minutes_sent_by_id:
        people.setdefault(meeting.minutes_sent_by_id, meeting.minutes_sent_by)
    for person in people.values():
        _send(
            template,
            {"meeting": meeting, "recipient": person},
            to=person.email,
            zone_name=_zone_name_for(person, meeting),
        )
