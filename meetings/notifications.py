"""Meeting emails: build and send. Called by the Celery tasks in tasks.py.

Everyone with an account hears through the portal's one door, `notify()`: a bell entry, the
dedupe (`send_id`, the id of the queued task, is in the key: a retried task tells nobody twice,
a new send tells everyone again) and the email with its calendar entry or PDF. Invitations and
cancellations are calendar entries, and minutes carry their PDF, so they are emailed at once
whatever the person chose (`always_email`); a review of the minutes follows the preference.
Guests without an account are emailed directly with the same template.

Each email is rendered in the recipient's own time zone (guests get the organizer's).
"""

from __future__ import annotations

from django.utils import timezone

from portal.core.emails import attachment, send_templated_email
from portal.core.timezones import zone_or_utc
from portal.notifications.services import Attachment, notify
from projects.models import ProjectMember, TeamRole
from projects.notifications import project_subject

from .ics import invitation_ics
from .models import Invitee, Meeting, MeetingStatus, zone_label
from .pdf import minutes_filename, render_minutes_pdf
from .selectors import meeting_detail

INVITATION_TITLES = {"new": "invitation to", "updated": "updated", "agenda": "agenda for"}


def _zone_name_for(user, meeting: Meeting) -> str:
    return (user.time_zone if user is not None else "") or meeting.organizer_time_zone or "UTC"


def _send(
    template: str,
    context: dict,
    *,
    meeting: Meeting,
    to: str,
    user,
    kind: str,
    key: str,
    title: str,
    files: tuple[Attachment, ...] = (),
    always_email: bool = True,
) -> None:
    """One email: through notify() to a person with an account, directly to a guest."""
    zone_name = _zone_name_for(user, meeting)
    context = {**context, "recipient_zone": zone_name, "recipient_zone_label": zone_label(zone_name)}
    if user is None:
        with timezone.override(zone_or_utc(zone_name)):
            send_templated_email(
                template,
                context,
                to=[to],
                attachments=[attachment(f.filename, f.content, f.mimetype) for f in files],
            )
        return
    notify(
        recipients=[user],
        kind=kind,
        dedupe_key=key,
        title=f"{meeting.project.code}: {title}",
        body="",
        url=meeting.get_absolute_url(),
        subject=project_subject(meeting.project),
        email_template=template,
        email_context=context,
        always_email=always_email,
        attachments=files,
    )


def send_invitation(invitee: Invitee, *, reason: str, send_id: str) -> None:
    """The invitation (reason "new"), an update ("updated") or the agenda ("agenda")."""
    meeting = invitee.meeting
    detail = meeting_detail(meeting=meeting)
    ics = invitation_ics(meeting, invitees=detail.invited, agenda=detail.agenda)
    _send(
        "meeting-invitation",
        {"meeting": meeting, "detail": detail, "invitee": invitee, "reason": reason},
        meeting=meeting,
        to=invitee.email,
        user=invitee.user,
        kind="meeting.invited" if reason == "new" else f"meeting.{reason}",
        key=f"meeting.{reason}:invitee-{invitee.pk}:{send_id}",
        title=f"{INVITATION_TITLES.get(reason, reason)} “{meeting.title}”",
        files=(Attachment("invite.ics", ics, "text/calendar; method=REQUEST"),),
    )


def send_cancellation(invitee: Invitee, *, send_id: str) -> None:
    """METHOD:CANCEL for the same UID: the meeting was cancelled, or this person uninvited."""
    meeting = invitee.meeting
    ics = invitation_ics(meeting, invitees=[invitee], cancel=True)
    uninvited = not meeting.is_cancelled
    _send(
        "meeting-cancelled",
        {"meeting": meeting, "invitee": invitee, "uninvited": uninvited},
        meeting=meeting,
        to=invitee.email,
        user=invitee.user,
        kind="meeting.cancelled",
        key=f"meeting.cancelled:invitee-{invitee.pk}:{send_id}",
        title=f"“{meeting.title}” {'no longer needs you' if uninvited else 'was cancelled'}",
        files=(Attachment("cancel.ics", ics, "text/calendar; method=CANCEL"),),
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


def send_minutes(meeting: Meeting, *, send_id: str) -> int:
    """Email the closed minutes with the PDF. Returns how many emails went out."""
    detail = meeting_detail(meeting=meeting)
    pdf = Attachment(minutes_filename(meeting), render_minutes_pdf(detail), "application/pdf")
    recipients = minutes_recipients(meeting, detail)
    for email, user in recipients:
        _send(
            "meeting-minutes",
            {"meeting": meeting, "detail": detail, "recipient": user},
            meeting=meeting,
            to=email,
            user=user,
            kind="minutes.sent",
            key=f"minutes.sent:meeting-{meeting.pk}:{send_id}",
            title=f"minutes of “{meeting.title}”",
            files=(pdf,),
        )
    return len(recipients)


def send_minutes_reviewed(meeting: Meeting, *, send_id: str) -> None:
    """Tell the organizer (and whoever sent the minutes) that the sponsor confirmed them or
    asked for a correction."""
    confirmed = meeting.status == MeetingStatus.CONFIRMED
    people = {meeting.organizer.pk: meeting.organizer}
    if meeting.minutes_sent_by_id:
        people.setdefault(meeting.minutes_sent_by_id, meeting.minutes_sent_by)
    for person in people.values():
        _send(
            "meeting-minutes-confirmed" if confirmed else "meeting-correction",
            {"meeting": meeting, "recipient": person},
            meeting=meeting,
            to=person.email,
            user=person,
            kind="minutes.confirmed" if confirmed else "minutes.correction_requested",
            key=f"minutes.reviewed:meeting-{meeting.pk}:{send_id}",
            title=f"minutes of “{meeting.title}” {'confirmed' if confirmed else 'need a correction'}",
            always_email=False,
        )
