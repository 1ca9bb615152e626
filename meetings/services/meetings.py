"""Scheduling a meeting, changing its details, cancelling it; the person's calendar link."""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Sequence

from django.db import transaction
from django.db.models import F

from portal.accounts.models import User
from portal.core import clock
from portal.core.audit import audited
from portal.core.exceptions import ConcurrentEditError, NotAllowed
from portal.core.queue import enqueue_on_commit
from portal.core.signals import project_data_changed
from projects.selectors import ProjectAccess

from .. import permissions, tasks
from ..models import Invitee, Meeting, MeetingKind, MeetingStatus, Rsvp
from .common import (
    active_invitee_ids,
    check_where,
    is_future,
    queue_invitations,
    require_in_project,
    require_runner,
    require_status,
    team_of,
    to_minute,
    transition,
)
from .invitations import InviteeSpec, create_invitee, refresh_decision_maker_flag, resolve_guest

# Changing any of these changes the event in people's calendars.
CALENDAR_FIELDS = ("title", "starts_at", "duration_minutes", "location", "video_url")
MEETING_EDITABLE_FIELDS = ("kind", *CALENDAR_FIELDS)


def meeting_schedule(
    *,
    access: ProjectAccess,
    kind: str,
    title: str,
    starts_at: datetime.datetime,
    duration_minutes: int,
    location: str = "",
    video_url: str = "",
    invitees: Sequence[InviteeSpec] = (),
) -> Meeting:
    """Schedule a meeting; the scheduler is the organizer and is invited as accepted.

    Every invitee gets an email with a METHOD:REQUEST calendar invitation (meetings
    already in the past are recorded without invitations). For a governance meeting,
    `decision_maker_invited` records whether the sponsor's decision-maker is invited.
    """
    if not permissions.can_schedule(access):
        raise NotAllowed("Only members of the project team can schedule meetings.")
    check_where(location, video_url)
    organizer = access.user
    team = team_of(access.project)
    with transaction.atomic(), audited(f"Meeting scheduled: {title}"):
        meeting = Meeting.objects.create(
            project=access.project,
            kind=kind,
            title=title.strip(),
            starts_at=to_minute(starts_at),
            duration_minutes=duration_minutes,
            location=location.strip(),
            video_url=video_url.strip(),
            organizer=organizer,
            organizer_side=access.side,
            organizer_time_zone=organizer.time_zone or "UTC",
        )
        organizer_member = team.get(organizer.pk)
        created = [
            Invitee.objects.create(
                meeting=meeting,
                user=organizer,
                side=access.side,
                team_role=organizer_member.role if organizer_member else "",
                required=True,
                rsvp=Rsvp.ACCEPTED,
                rsvp_at=clock.now(),
                invited_at=clock.now(),
            )
        ]
        seen_users, seen_emails = {organizer.pk}, set()
        for spec in invitees:
            spec = resolve_guest(spec, team)
            if spec.user is not None:
                if spec.user.pk in seen_users:
                    continue
                seen_users.add(spec.user.pk)
            else:
                email = spec.guest_email.strip().lower()
                if email in seen_emails:
                    continue
                seen_emails.add(email)
            created.append(create_invitee(meeting, spec, team))
        refresh_decision_maker_flag(meeting)
        queue_invitations(meeting, [i.pk for i in created], reason="new")
    return meeting


def meeting_update(*, access: ProjectAccess, meeting: Meeting, version: int, **changes) -> Meeting:
    """Edit a scheduled meeting's details if nobody saved it since `version`.

    A change people's calendars must apply (time, duration, place, title) raises the
    calendar SEQUENCE and sends every invitee an update of the same event; a new time
    also resets their replies, since they accepted the old one.
    """
    require_in_project(access, meeting)
    require_runner(access, meeting)
    require_status(meeting, MeetingStatus.SCHEDULED, doing="change the meeting")
    unknown = set(changes) - set(MEETING_EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown meeting fields: {sorted(unknown)}")
    if "starts_at" in changes:
        changes["starts_at"] = to_minute(changes["starts_at"])
    merged = {f: changes.get(f, getattr(meeting, f)) for f in MEETING_EDITABLE_FIELDS}
    check_where(merged["location"], merged["video_url"])
    calendar_changed = [f for f in CALENDAR_FIELDS if f in changes and changes[f] != getattr(meeting, f)]
    time_changed = any(f in calendar_changed for f in ("starts_at", "duration_minutes"))
    with transaction.atomic(), audited("Meeting rescheduled" if time_changed else "Meeting details edited"):
        extra = {"ical_sequence": F("ical_sequence") + 1} if calendar_changed else {}
        updated = Meeting.objects.filter(
            pk=meeting.pk, version=version, status=MeetingStatus.SCHEDULED
        ).update(version=F("version") + 1, updated_at=clock.now(), **changes, **extra)
        if not updated:
            raise ConcurrentEditError()
        project_data_changed.send(sender=Meeting, project_id=meeting.project_id)
        meeting.refresh_from_db()
        if time_changed:
            Invitee.objects.filter(meeting=meeting, removed_at__isnull=True).exclude(
                user_id=meeting.organizer_id
            ).update(rsvp=Rsvp.PENDING, rsvp_at=None)
        if calendar_changed:
            queue_invitations(meeting, active_invitee_ids(meeting), reason="updated")
    return meeting


def meeting_cancel(*, access: ProjectAccess, meeting: Meeting, reason: str = "") -> Meeting:
    """Cancel a scheduled meeting: every invitee's calendar gets a METHOD:CANCEL for the same UID."""
    require_in_project(access, meeting)
    require_runner(access, meeting)
    require_status(meeting, MeetingStatus.SCHEDULED, doing="cancel the meeting")
    with transaction.atomic(), audited("Meeting cancelled"):
        transition(
            meeting,
            expected=[MeetingStatus.SCHEDULED],
            status=MeetingStatus.CANCELLED,
            cancelled_at=clock.now(),
            cancelled_by=access.user,
            cancellation_reason=reason.strip()[:500],
            ical_sequence=F("ical_sequence") + 1,
            version=F("version") + 1,
        )
        if is_future(meeting):
            for invitee_id in active_invitee_ids(meeting):
                enqueue_on_commit(tasks.deliver_cancellation, invitee_id)
    return meeting


def calendar_token_reset(*, user: User) -> str:
    """Give the user a new secret feed address; the old one stops working at once."""
    with transaction.atomic(), audited("Calendar link reset"):
        user.calendar_token = secrets.token_urlsafe(24)
        user.save(update_fields=["calendar_token"])
    return user.calendar_token


def is_governance_without_decision_maker(meeting: Meeting) -> bool:
    return meeting.kind == MeetingKind.GOVERNANCE and not meeting.decision_maker_invited
