"""Invitees and their replies, and after the meeting, who attended."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from portal.accounts.models import User
from portal.core import clock
from portal.core.audit import audited
from portal.core.exceptions import NotAllowed, ServiceError
from portal.core.queue import enqueue_on_commit
from portal.core.signals import project_data_changed
from projects.models import ProjectMember, TeamRole
from projects.selectors import ProjectAccess

from .. import tasks
from ..models import Attendance, Invitee, Meeting, MeetingStatus, Rsvp
from .common import (
    is_future,
    queue_invitations,
    require_in_project,
    require_runner,
    require_status,
    start_minutes,
    team_of,
)


@dataclass(frozen=True)
class InviteeSpec:
    """Someone to invite: a team member (`user`) or a guest by email."""

    user: User | None = None
    guest_email: str = ""
    guest_name: str = ""
    required: bool = True


def refresh_decision_maker_flag(meeting: Meeting) -> None:
    invited = Invitee.objects.filter(
        meeting=meeting, removed_at__isnull=True, unexpected=False, team_role=TeamRole.DECISION_MAKER
    ).exists()
    if invited != meeting.decision_maker_invited:
        Meeting.objects.filter(pk=meeting.pk).update(decision_maker_invited=invited)
        project_data_changed.send(sender=Meeting, project_id=meeting.project_id)
        meeting.decision_maker_invited = invited


def create_invitee(meeting: Meeting, spec: InviteeSpec, team: dict[int, ProjectMember], **extra) -> Invitee:
    extra.setdefault("invited_at", clock.now())
    if spec.user is not None:
        member = team.get(spec.user.pk)
        if member is None:
            raise ServiceError(f"{spec.user} is not on the project team; invite them as a guest by email.")
        return Invitee.objects.create(
            meeting=meeting,
            user=spec.user,
            side=member.side,
            team_role=member.role,
            required=spec.required,
            **extra,
        )
    email = spec.guest_email.strip().lower()
    if not email:
        raise ServiceError("A guest needs an email address.")
    return Invitee.objects.create(
        meeting=meeting,
        guest_email=email,
        guest_name=spec.guest_name.strip(),
        required=spec.required,
        **extra,
    )


def resolve_guest(spec: InviteeSpec, team: dict[int, ProjectMember]) -> InviteeSpec:
    """A 'guest' whose email belongs to a team member is that team member."""
    if spec.user is not None:
        return spec
    email = spec.guest_email.strip().lower()
    for member in team.values():
        if member.user.email.lower() == email:
            return InviteeSpec(user=member.user, required=spec.required)
    return spec


def invitee_add(*, access: ProjectAccess, meeting: Meeting, spec: InviteeSpec) -> Invitee:
    """Invite one more person; they get the invitation, the others are not disturbed."""
    require_in_project(access, meeting)
    require_runner(access, meeting)
    require_status(meeting, MeetingStatus.SCHEDULED, doing="change the invitees")
    team = team_of(meeting)
    spec = resolve_guest(spec, team)
    if spec.user is not None:
        existing = Invitee.objects.filter(meeting=meeting, user=spec.user).first()
    else:
        existing = Invitee.objects.filter(
            meeting=meeting, guest_email__iexact=spec.guest_email.strip()
        ).first()
    with transaction.atomic(), audited("Invitee added"):
        if existing is not None:
            if existing.removed_at is None:
                raise ServiceError(f"{existing.display_name} is already invited.")
            existing.removed_at = None
            existing.required = spec.required
            existing.rsvp, existing.rsvp_at = Rsvp.PENDING, None
            if spec.guest_name:
                existing.guest_name = spec.guest_name.strip()
            existing.save(update_fields=["removed_at", "required", "rsvp", "rsvp_at", "guest_name"])
            invitee = existing
        else:
            try:
                with transaction.atomic():
                    invitee = create_invitee(meeting, spec, team)
            except IntegrityError as exc:
                raise ServiceError("That person is already invited.") from exc
        refresh_decision_maker_flag(meeting)
        queue_invitations(meeting, [invitee.pk], reason="new")
    return invitee


def invitee_set_required(*, access: ProjectAccess, invitee: Invitee, required: bool) -> Invitee:
    require_in_project(access, invitee.meeting)
    meeting = invitee.meeting
    require_runner(access, meeting)
    require_status(meeting, MeetingStatus.SCHEDULED, doing="change the invitees")
    with transaction.atomic(), audited("Invitee marked " + ("required" if required else "optional")):
        invitee.required = required
        invitee.save(update_fields=["required"])
    return invitee


def invitee_remove(*, access: ProjectAccess, invitee: Invitee) -> Invitee:
    """Uninvite someone: their calendar gets a cancellation of the event."""
    require_in_project(access, invitee.meeting)
    meeting = invitee.meeting
    require_runner(access, meeting)
    require_status(meeting, MeetingStatus.SCHEDULED, doing="change the invitees")
    if invitee.user_id == meeting.organizer_id:
        raise ServiceError("The organizer stays invited to their own meeting.")
    if invitee.removed_at is not None:
        return invitee
    with transaction.atomic(), audited("Invitee removed"):
        invitee.removed_at = clock.now()
        invitee.save(update_fields=["removed_at"])
        refresh_decision_maker_flag(meeting)
        if is_future(meeting):
            enqueue_on_commit(tasks.deliver_cancellation, invitee.pk)
    return invitee


def invitee_rsvp(*, user: User, meeting: Meeting, response: str) -> Invitee:
    """The invitee's own reply: accepted, tentative or declined."""
    if response not in (Rsvp.ACCEPTED, Rsvp.TENTATIVE, Rsvp.DECLINED):
        raise ServiceError("Reply with accept, tentative or decline.")
    require_status(meeting, MeetingStatus.SCHEDULED, doing="reply to this invitation")
    invitee = Invitee.objects.filter(
        meeting=meeting, user=user, removed_at__isnull=True, unexpected=False
    ).first()
    if invitee is None:
        raise NotAllowed("You are not invited to this meeting.")
    with transaction.atomic(), audited(f"Invitation {Rsvp(response).label.lower()}"):
        invitee.rsvp = response
        invitee.rsvp_at = clock.now()
        invitee.save(update_fields=["rsvp", "rsvp_at"])
    return invitee


def attendance_record(
    *,
    access: ProjectAccess,
    meeting: Meeting,
    marks: dict[int, str],
    unexpected_users: Iterable[User] = (),
) -> Meeting:
    """Record who attended: `marks` maps invitee id → attended/absent; `unexpected_users`
    are team members who attended without an invitation. An unexpected attendee marked
    absent is taken off the record (they were not there after all)."""
    require_in_project(access, meeting)
    with transaction.atomic(), audited("Attendance recorded"):
        start_minutes(access, meeting, doing="record attendance")
        invitees = {i.pk: i for i in Invitee.objects.filter(meeting=meeting, removed_at__isnull=True)}
        for invitee_id, mark in marks.items():
            invitee = invitees.get(invitee_id)
            if invitee is None:
                raise ServiceError("That person is not on this meeting's list.")
            if mark not in (Attendance.ATTENDED, Attendance.ABSENT):
                raise ServiceError("Mark each person as attended or absent.")
            if invitee.unexpected and mark == Attendance.ABSENT:
                invitee.removed_at = clock.now()
                invitee.save(update_fields=["removed_at"])
            elif invitee.attendance != mark:
                invitee.attendance = mark
                invitee.save(update_fields=["attendance"])
        team = team_of(meeting)
        for user in unexpected_users:
            member = team.get(user.pk)
            if member is None:
                raise ServiceError(f"{user} is not on the project team.")
            row = Invitee.objects.filter(meeting=meeting, user=user).first()
            if row is None:
                Invitee.objects.create(
                    meeting=meeting,
                    user=user,
                    side=member.side,
                    team_role=member.role,
                    required=False,
                    unexpected=True,
                    attendance=Attendance.ATTENDED,
                    invited_at=clock.now(),
                )
            elif row.removed_at is not None:
                row.removed_at = None
                row.unexpected = True
                row.required = False
                row.attendance = Attendance.ATTENDED
                row.save(update_fields=["removed_at", "unexpected", "required", "attendance"])
            elif row.attendance != Attendance.ATTENDED:
                row.attendance = Attendance.ATTENDED
                row.save(update_fields=["attendance"])
        Meeting.objects.filter(pk=meeting.pk).update(attendance_recorded_at=clock.now())
        project_data_changed.send(sender=Meeting, project_id=meeting.project_id)
        meeting.refresh_from_db()
    return meeting
