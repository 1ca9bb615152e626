"""Scheduling a meeting, changing its details, cancelling it; the person's calendar link."""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.db.models import F

from portal.accounts.models import User
from portal.core import clock
from portal.core.audit import audited
from portal.core.events import emit
from portal.core.exceptions import ConcurrentEditError, ConfirmationRequired, NotAllowed, ServiceError
from portal.core.queue import enqueue_on_commit
from portal.core.signals import project_data_changed
from projects.models import ProjectMember, TeamRole
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


class DecisionMakerMissing(ConfirmationRequired):
    """A governance meeting is about to be sent with no decision-maker invited.

    Nothing was written or sent. `missing` are the project's decision-makers (empty when the
    team has none); the organizer invites one of them or sends without, deliberately."""

    def __init__(self, missing: Sequence[ProjectMember]):
        self.missing = tuple(missing)
        if self.missing:
            names = ", ".join(m.user.full_name or m.user.email for m in self.missing)
            text = f"No decision-maker is invited to this governance meeting; the project's is {names}."
        else:
            text = (
                "No decision-maker is invited to this governance meeting: the project has none on its team."
            )
        super().__init__([text])


def missing_decision_makers(
    *, kind: str, starts_at: datetime.datetime, organizer_id: int, invited_user_ids, team
) -> list[ProjectMember] | None:
    """The project's decision-makers when a governance meeting about to be sent invites none of
    them (an empty list: the team has none); None when there is nothing to ask.

    A decision-maker is a team member with that role, as the monitoring rule counts them (the
    invitee's role, optional invitees included). A meeting recorded after the fact sends nothing
    and is not asked about."""
    if kind != MeetingKind.GOVERNANCE or starts_at <= clock.now():
        return None
    invited = {organizer_id, *invited_user_ids}
    decision_makers = [m for m in team.values() if m.role == TeamRole.DECISION_MAKER]
    if any(m.user_id in invited for m in decision_makers):
        return None
    return sorted(decision_makers, key=lambda m: (m.side, m.user.full_name, m.user_id))


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
    without_decision_maker: bool = False,
    schedule_key: str = "",
) -> Meeting:
    """Schedule a meeting; the scheduler is the organizer and is invited as accepted.

    Every invitee gets an email with a METHOD:REQUEST calendar invitation (meetings
    already in the past are recorded without invitations). For a governance meeting,
    `decision_maker_invited` records whether the sponsor's decision-maker is invited.

    A governance meeting ahead with no decision-maker among the invitees raises
    `DecisionMakerMissing` before anything is written or sent, unless the organizer chose
    `without_decision_maker`: then the choice is recorded on the meeting (who, when).
    `schedule_key` (the form's one-time key) makes a second send of the same form return the
    meeting already scheduled, without inviting anyone twice.
    """
    if not permissions.can_schedule(access):
        raise NotAllowed("Only members of the project team can schedule meetings.")
    check_where(location, video_url)
    organizer = access.user
    if schedule_key:
        already = _scheduled_with(access, schedule_key)
        if already is not None:
            return already
    team = team_of(access.project)
    starts_at = to_minute(starts_at)
    specs = _unique_specs([resolve_guest(spec, team) for spec in invitees], organizer.pk)
    missing = missing_decision_makers(
        kind=kind,
        starts_at=starts_at,
        organizer_id=organizer.pk,
        invited_user_ids=[spec.user.pk for spec in specs if spec.user is not None],
        team=team,
    )
    if missing is not None and not without_decision_maker:
        raise DecisionMakerMissing(missing)
    waived = {}
    reason = f"Meeting scheduled: {title}"
    if missing is not None:
        waived = {"sent_without_decision_maker_at": clock.now(), "sent_without_decision_maker_by": organizer}
        reason += " (sent without a decision-maker, deliberately)"
    try:
        with transaction.atomic(), audited(reason):
            meeting = Meeting.objects.create(
                project=access.project,
                kind=kind,
                title=title.strip(),
                starts_at=starts_at,
                duration_minutes=duration_minutes,
                location=location.strip(),
                video_url=video_url.strip(),
                organizer=organizer,
                organizer_side=access.side,
                organizer_time_zone=organizer.time_zone or "UTC",
                schedule_key=schedule_key,
                **waived,
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
            created += [create_invitee(meeting, spec, team) for spec in specs]
            refresh_decision_maker_flag(meeting)
            queue_invitations(meeting, [i.pk for i in created], reason="new")
            emit("meeting.scheduled", project_id=meeting.project_id, subject=meeting)
    except IntegrityError:
        # The same form sent twice at once: the other request scheduled it (and invited everyone).
        if not schedule_key:
            raise
        already = _scheduled_with(access, schedule_key)
        if already is None:
            if Meeting.objects.filter(schedule_key=schedule_key).exists():
                raise ServiceError(
                    "This form was sent already. Reload the page and schedule again."
                ) from None
            raise
        return already
    return meeting


def _scheduled_with(access: ProjectAccess, schedule_key: str) -> Meeting | None:
    return Meeting.objects.filter(
        project=access.project, organizer=access.user, schedule_key=schedule_key
    ).first()


def _unique_specs(specs: Sequence[InviteeSpec], organizer_id: int) -> list[InviteeSpec]:
    """Each person once (the organizer is invited already); the first mention wins."""
    seen_users, seen_emails, unique = {organizer_id}, set(), []
    for spec in specs:
        if spec.user is not None:
            if spec.user.pk in seen_users:
                continue
            seen_users.add(spec.user.pk)
        else:
            email = spec.guest_email.strip().lower()
            if email in seen_emails:
                continue
            seen_emails.add(email)
        unique.append(spec)
    return unique


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
        emit("meeting.cancelled", project_id=meeting.project_id, subject=meeting)
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
