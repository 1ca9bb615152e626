"""Writes for meetings. One function per change; each checks who may make it,
writes in one transaction with a reason for the audit trail, and queues the
emails it causes after the commit.

Status changes are compare-and-set on the expected status (and on `version` for
edits of free text), so two people acting at once never both succeed.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone

from portal.accounts.models import User
from portal.core.audit import audited
from portal.core.exceptions import ConcurrentEditError, NotAllowed, ServiceError
from portal.core.queue import enqueue_on_commit
from projects.models import ProjectMember, TeamRole
from projects.selectors import ProjectAccess

from . import tasks
from .models import (
    ActionItem,
    ActionItemStatus,
    AgendaItem,
    Attendance,
    Decision,
    Invitee,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Rsvp,
)
from .permissions import can_schedule_meetings, completes_action_item, confirms_minutes, runs_meeting

# Changing any of these changes the event in people's calendars.
CALENDAR_FIELDS = ("title", "starts_at", "duration_minutes", "location", "video_url")
MEETING_EDITABLE_FIELDS = ("kind", *CALENDAR_FIELDS)


@dataclass(frozen=True)
class InviteeSpec:
    """Someone to invite: a team member (`user`) or a guest by email."""

    user: User | None = None
    guest_email: str = ""
    guest_name: str = ""
    required: bool = True


@dataclass(frozen=True)
class DecisionRow:
    id: int | None
    summary: str
    remove: bool = False


@dataclass(frozen=True)
class ActionItemRow:
    id: int | None
    title: str
    owner: User | None
    due_date: datetime.date | None
    remove: bool = False


# --- helpers ---------------------------------------------------------------------------------


def _require_runner(access: ProjectAccess, meeting: Meeting) -> None:
    if not runs_meeting(access, meeting):
        raise NotAllowed(f"Only the {meeting.get_organizer_side_display()} team runs this meeting.")


def _require_status(meeting: Meeting, *statuses: str, doing: str) -> None:
    if meeting.status not in statuses:
        raise ServiceError(f"You cannot {doing}: the meeting is {meeting.get_status_display().lower()}.")


def _team(meeting_or_project) -> dict[int, ProjectMember]:
    project_id = getattr(meeting_or_project, "project_id", None) or meeting_or_project.pk
    return {
        m.user_id: m
        for m in ProjectMember.objects.filter(project_id=project_id, removed_at__isnull=True).select_related(
            "user"
        )
    }


def _transition(meeting: Meeting, *, expected: Sequence[str], **changes) -> None:
    """Compare-and-set the meeting from one of `expected` statuses; refresh the instance."""
    updated = Meeting.objects.filter(pk=meeting.pk, status__in=list(expected)).update(
        updated_at=timezone.now(), **changes
    )
    if not updated:
        raise ConcurrentEditError(
            "Someone else changed this meeting just now. Reload the page and try again."
        )
    meeting.refresh_from_db()


def _refresh_decision_maker_flag(meeting: Meeting) -> None:
    invited = Invitee.objects.filter(
        meeting=meeting, removed_at__isnull=True, unexpected=False, team_role=TeamRole.DECISION_MAKER
    ).exists()
    if invited != meeting.decision_maker_invited:
        Meeting.objects.filter(pk=meeting.pk).update(decision_maker_invited=invited)
        meeting.decision_maker_invited = invited


def _is_future(meeting: Meeting) -> bool:
    return meeting.starts_at > timezone.now()


def _queue_invitations(meeting: Meeting, invitee_ids: Iterable[int], *, reason: str) -> None:
    # Invitations only make sense for meetings still ahead; a meeting recorded after the
    # fact goes straight to attendance and minutes.
    if not _is_future(meeting):
        return
    for invitee_id in invitee_ids:
        enqueue_on_commit(tasks.deliver_invitation, invitee_id, reason)


def _active_invitee_ids(meeting: Meeting) -> list[int]:
    return list(
        Invitee.objects.filter(meeting=meeting, removed_at__isnull=True, unexpected=False).values_list(
            "pk", flat=True
        )
    )


def _create_invitee(meeting: Meeting, spec: InviteeSpec, team: dict[int, ProjectMember], **extra) -> Invitee:
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


def _resolve_guest(spec: InviteeSpec, team: dict[int, ProjectMember]) -> InviteeSpec:
    """A 'guest' whose email belongs to a team member is that team member."""
    if spec.user is not None:
        return spec
    email = spec.guest_email.strip().lower()
    for member in team.values():
        if member.user.email.lower() == email:
            return InviteeSpec(user=member.user, required=spec.required)
    return spec


def _to_minute(value: datetime.datetime) -> datetime.datetime:
    # Calendars count in whole minutes (iCalendar drops anything finer).
    return value.replace(second=0, microsecond=0)


def _check_where(location: str, video_url: str) -> None:
    if not (location or "").strip() and not (video_url or "").strip():
        raise ServiceError("Give a video link or a place for the meeting.")


# --- scheduling ------------------------------------------------------------------------------


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
    if not can_schedule_meetings(access):
        raise NotAllowed("Only members of the project team can schedule meetings.")
    _check_where(location, video_url)
    organizer = access.user
    team = _team(access.project)
    with transaction.atomic(), audited(f"Meeting scheduled: {title}"):
        meeting = Meeting.objects.create(
            project=access.project,
            kind=kind,
            title=title.strip(),
            starts_at=_to_minute(starts_at),
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
                rsvp_at=timezone.now(),
            )
        ]
        seen_users, seen_emails = {organizer.pk}, set()
        for spec in invitees:
            spec = _resolve_guest(spec, team)
            if spec.user is not None:
                if spec.user.pk in seen_users:
                    continue
                seen_users.add(spec.user.pk)
            else:
                email = spec.guest_email.strip().lower()
                if email in seen_emails:
                    continue
                seen_emails.add(email)
            created.append(_create_invitee(meeting, spec, team))
        _refresh_decision_maker_flag(meeting)
        _queue_invitations(meeting, [i.pk for i in created], reason="new")
    return meeting


def meeting_update(*, access: ProjectAccess, meeting: Meeting, version: int, **changes) -> Meeting:
    """Edit a scheduled meeting's details if nobody saved it since `version`.

    A change people's calendars must apply (time, duration, place, title) raises the
    calendar SEQUENCE and sends every invitee an update of the same event; a new time
    also resets their replies, since they accepted the old one.
    """
    _require_runner(access, meeting)
    _require_status(meeting, MeetingStatus.SCHEDULED, doing="change the meeting")
    unknown = set(changes) - set(MEETING_EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown meeting fields: {sorted(unknown)}")
    if "starts_at" in changes:
        changes["starts_at"] = _to_minute(changes["starts_at"])
    merged = {f: changes.get(f, getattr(meeting, f)) for f in MEETING_EDITABLE_FIELDS}
    _check_where(merged["location"], merged["video_url"])
    calendar_changed = [f for f in CALENDAR_FIELDS if f in changes and changes[f] != getattr(meeting, f)]
    time_changed = any(f in calendar_changed for f in ("starts_at", "duration_minutes"))
    with transaction.atomic(), audited("Meeting rescheduled" if time_changed else "Meeting details edited"):
        extra = {"ical_sequence": F("ical_sequence") + 1} if calendar_changed else {}
        updated = Meeting.objects.filter(
            pk=meeting.pk, version=version, status=MeetingStatus.SCHEDULED
        ).update(version=F("version") + 1, updated_at=timezone.now(), **changes, **extra)
        if not updated:
            raise ConcurrentEditError()
        meeting.refresh_from_db()
        if time_changed:
            Invitee.objects.filter(meeting=meeting, removed_at__isnull=True).exclude(
                user_id=meeting.organizer_id
            ).update(rsvp=Rsvp.PENDING, rsvp_at=None)
        if calendar_changed:
            _queue_invitations(meeting, _active_invitee_ids(meeting), reason="updated")
    return meeting


def meeting_cancel(*, access: ProjectAccess, meeting: Meeting, reason: str = "") -> Meeting:
    """Cancel a scheduled meeting: every invitee's calendar gets a METHOD:CANCEL for the same UID."""
    _require_runner(access, meeting)
    _require_status(meeting, MeetingStatus.SCHEDULED, doing="cancel the meeting")
    with transaction.atomic(), audited("Meeting cancelled"):
        _transition(
            meeting,
            expected=[MeetingStatus.SCHEDULED],
            status=MeetingStatus.CANCELLED,
            cancelled_at=timezone.now(),
            cancelled_by=access.user,
            cancellation_reason=reason.strip()[:500],
            ical_sequence=F("ical_sequence") + 1,
            version=F("version") + 1,
        )
        if _is_future(meeting):
            for invitee_id in _active_invitee_ids(meeting):
                enqueue_on_commit(tasks.deliver_cancellation, invitee_id)
    return meeting


# --- agenda ----------------------------------------------------------------------------------


def _check_presenter(meeting: Meeting, presenter: User | None) -> None:
    if presenter is not None and presenter.pk not in _team(meeting):
        raise ServiceError(f"{presenter} is not on the project team.")


def agenda_item_add(
    *,
    access: ProjectAccess,
    meeting: Meeting,
    title: str,
    presenter: User | None = None,
    minutes_allotted=None,
) -> AgendaItem:
    _require_runner(access, meeting)
    _require_status(meeting, MeetingStatus.SCHEDULED, doing="change the agenda")
    _check_presenter(meeting, presenter)
    with transaction.atomic(), audited("Agenda item added"):
        last = AgendaItem.objects.filter(meeting=meeting, removed_at__isnull=True).aggregate(
            p=Max("position")
        )
        return AgendaItem.objects.create(
            meeting=meeting,
            position=(last["p"] or 0) + 1,
            title=title.strip(),
            presenter=presenter,
            minutes_allotted=minutes_allotted,
        )


def agenda_item_update(
    *,
    access: ProjectAccess,
    item: AgendaItem,
    title: str,
    presenter: User | None = None,
    minutes_allotted=None,
) -> AgendaItem:
    meeting = item.meeting
    _require_runner(access, meeting)
    _require_status(meeting, MeetingStatus.SCHEDULED, doing="change the agenda")
    _check_presenter(meeting, presenter)
    with transaction.atomic(), audited("Agenda item edited"):
        item.title = title.strip()
        item.presenter = presenter
        item.minutes_allotted = minutes_allotted
        item.save(update_fields=["title", "presenter", "minutes_allotted"])
    return item


def agenda_item_remove(*, access: ProjectAccess, item: AgendaItem) -> None:
    meeting = item.meeting
    _require_runner(access, meeting)
    _require_status(meeting, MeetingStatus.SCHEDULED, doing="change the agenda")
    with transaction.atomic(), audited("Agenda item removed"):
        AgendaItem.objects.filter(pk=item.pk).update(removed_at=timezone.now())
        _renumber_agenda(meeting)


def agenda_item_move(*, access: ProjectAccess, item: AgendaItem, direction: str) -> None:
    """Move an item one place up or down the agenda."""
    meeting = item.meeting
    _require_runner(access, meeting)
    _require_status(meeting, MeetingStatus.SCHEDULED, doing="change the agenda")
    if direction not in ("up", "down"):
        raise ServiceError("Move an agenda item up or down.")
    with transaction.atomic(), audited("Agenda reordered"):
        items = list(
            AgendaItem.objects.select_for_update()
            .filter(meeting=meeting, removed_at__isnull=True)
            .order_by("position", "pk")
        )
        index = next((i for i, other in enumerate(items) if other.pk == item.pk), None)
        if index is None:
            raise ServiceError("That agenda item was removed.")
        target = index - 1 if direction == "up" else index + 1
        if 0 <= target < len(items):
            items[index], items[target] = items[target], items[index]
        _renumber_agenda(meeting, items)


def _renumber_agenda(meeting: Meeting, items: list[AgendaItem] | None = None) -> None:
    if items is None:
        items = list(
            AgendaItem.objects.filter(meeting=meeting, removed_at__isnull=True).order_by("position", "pk")
        )
    for position, agenda_item in enumerate(items, start=1):
        if agenda_item.position != position:
            AgendaItem.objects.filter(pk=agenda_item.pk).update(position=position)


def meeting_send_agenda(*, access: ProjectAccess, meeting: Meeting) -> Meeting:
    """Email the agenda to every invitee, with the calendar event updated to carry it."""
    _require_runner(access, meeting)
    _require_status(meeting, MeetingStatus.SCHEDULED, doing="send the agenda")
    if not AgendaItem.objects.filter(meeting=meeting, removed_at__isnull=True).exists():
        raise ServiceError("Add at least one agenda item before sending the agenda.")
    if not _is_future(meeting):
        raise ServiceError("The meeting has started; an agenda is sent ahead of it.")
    with transaction.atomic(), audited("Agenda sent"):
        _transition(
            meeting,
            expected=[MeetingStatus.SCHEDULED],
            agenda_sent_at=timezone.now(),
            ical_sequence=F("ical_sequence") + 1,
        )
        _queue_invitations(meeting, _active_invitee_ids(meeting), reason="agenda")
    return meeting


# --- invitees --------------------------------------------------------------------------------


def invitee_add(*, access: ProjectAccess, meeting: Meeting, spec: InviteeSpec) -> Invitee:
    """Invite one more person; they get the invitation, the others are not disturbed."""
    _require_runner(access, meeting)
    _require_status(meeting, MeetingStatus.SCHEDULED, doing="change the invitees")
    team = _team(meeting)
    spec = _resolve_guest(spec, team)
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
                    invitee = _create_invitee(meeting, spec, team)
            except IntegrityError as exc:
                raise ServiceError("That person is already invited.") from exc
        _refresh_decision_maker_flag(meeting)
        _queue_invitations(meeting, [invitee.pk], reason="new")
    return invitee


def invitee_set_required(*, access: ProjectAccess, invitee: Invitee, required: bool) -> Invitee:
    meeting = invitee.meeting
    _require_runner(access, meeting)
    _require_status(meeting, MeetingStatus.SCHEDULED, doing="change the invitees")
    with transaction.atomic(), audited("Invitee marked " + ("required" if required else "optional")):
        invitee.required = required
        invitee.save(update_fields=["required"])
    return invitee


def invitee_remove(*, access: ProjectAccess, invitee: Invitee) -> Invitee:
    """Uninvite someone: their calendar gets a cancellation of the event."""
    meeting = invitee.meeting
    _require_runner(access, meeting)
    _require_status(meeting, MeetingStatus.SCHEDULED, doing="change the invitees")
    if invitee.user_id == meeting.organizer_id:
        raise ServiceError("The organizer stays invited to their own meeting.")
    if invitee.removed_at is not None:
        return invitee
    with transaction.atomic(), audited("Invitee removed"):
        invitee.removed_at = timezone.now()
        invitee.save(update_fields=["removed_at"])
        _refresh_decision_maker_flag(meeting)
        if _is_future(meeting):
            enqueue_on_commit(tasks.deliver_cancellation, invitee.pk)
    return invitee


def invitee_rsvp(*, user: User, meeting: Meeting, response: str) -> Invitee:
    """The invitee's own reply: accepted, tentative or declined."""
    if response not in (Rsvp.ACCEPTED, Rsvp.TENTATIVE, Rsvp.DECLINED):
        raise ServiceError("Reply with accept, tentative or decline.")
    _require_status(meeting, MeetingStatus.SCHEDULED, doing="reply to this invitation")
    invitee = Invitee.objects.filter(
        meeting=meeting, user=user, removed_at__isnull=True, unexpected=False
    ).first()
    if invitee is None:
        raise NotAllowed("You are not invited to this meeting.")
    with transaction.atomic(), audited(f"Invitation {Rsvp(response).label.lower()}"):
        invitee.rsvp = response
        invitee.rsvp_at = timezone.now()
        invitee.save(update_fields=["rsvp", "rsvp_at"])
    return invitee


# --- after the meeting -----------------------------------------------------------------------


def _start_minutes(access: ProjectAccess, meeting: Meeting, *, doing: str) -> None:
    """Checks shared by attendance and minutes; moves a scheduled meeting to 'held'."""
    _require_runner(access, meeting)
    if meeting.status in (MeetingStatus.MINUTES_SENT, MeetingStatus.CONFIRMED):
        raise ServiceError(
            "The minutes are closed and sent; they can only change after the sponsor asks for a correction."
        )
    _require_status(meeting, MeetingStatus.SCHEDULED, MeetingStatus.MINUTES_DRAFT, doing=doing)
    if not meeting.has_started:
        raise ServiceError(f"You can {doing} once the meeting has started.")
    if meeting.status == MeetingStatus.SCHEDULED:
        _transition(
            meeting,
            expected=[MeetingStatus.SCHEDULED],
            status=MeetingStatus.MINUTES_DRAFT,
            held_at=timezone.now(),
        )


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
    with transaction.atomic(), audited("Attendance recorded"):
        _start_minutes(access, meeting, doing="record attendance")
        invitees = {i.pk: i for i in Invitee.objects.filter(meeting=meeting, removed_at__isnull=True)}
        for invitee_id, mark in marks.items():
            invitee = invitees.get(invitee_id)
            if invitee is None:
                raise ServiceError("That person is not on this meeting's list.")
            if mark not in (Attendance.ATTENDED, Attendance.ABSENT):
                raise ServiceError("Mark each person as attended or absent.")
            if invitee.unexpected and mark == Attendance.ABSENT:
                invitee.removed_at = timezone.now()
                invitee.save(update_fields=["removed_at"])
            elif invitee.attendance != mark:
                invitee.attendance = mark
                invitee.save(update_fields=["attendance"])
        team = _team(meeting)
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
        Meeting.objects.filter(pk=meeting.pk).update(attendance_recorded_at=timezone.now())
        meeting.refresh_from_db()
    return meeting


def minutes_save(
    *,
    access: ProjectAccess,
    meeting: Meeting,
    version: int,
    summary: str,
    next_steps: str,
    decisions: Sequence[DecisionRow] = (),
    action_items: Sequence[ActionItemRow] = (),
) -> Meeting:
    """Save the draft minutes if nobody saved them since `version` was read.

    Decisions and action items are kept in the order given; rows marked `remove` are
    struck from the draft (kept as a record, never deleted).
    """
    team = _team(meeting)
    with transaction.atomic(), audited("Minutes edited"):
        _start_minutes(access, meeting, doing="write the minutes")
        updated = Meeting.objects.filter(
            pk=meeting.pk, version=version, status=MeetingStatus.MINUTES_DRAFT
        ).update(
            summary=summary.strip(),
            next_steps=next_steps.strip(),
            version=F("version") + 1,
            updated_at=timezone.now(),
        )
        if not updated:
            raise ConcurrentEditError()
        now = timezone.now()

        existing = {d.pk: d for d in Decision.objects.filter(meeting=meeting, removed_at__isnull=True)}
        position = 0
        for row in decisions:
            decision = existing.get(row.id) if row.id else None
            if row.id and decision is None:
                raise ServiceError("A decision on this form was removed meanwhile. Reload the page.")
            text = row.summary.strip()
            if row.remove or not text:
                if decision is not None:
                    Decision.objects.filter(pk=decision.pk).update(removed_at=now)
                continue
            position += 1
            if decision is None:
                Decision.objects.create(meeting=meeting, summary=text, position=position)
            elif decision.summary != text or decision.position != position:
                Decision.objects.filter(pk=decision.pk).update(summary=text, position=position)

        existing_items = {
            a.pk: a for a in ActionItem.objects.filter(meeting=meeting, removed_at__isnull=True)
        }
        position = 0
        for row in action_items:
            item = existing_items.get(row.id) if row.id else None
            if row.id and item is None:
                raise ServiceError("An action item on this form was removed meanwhile. Reload the page.")
            title = row.title.strip()
            if row.remove or not title:
                if item is not None:
                    ActionItem.objects.filter(pk=item.pk).update(removed_at=now)
                continue
            if row.owner is None or row.owner.pk not in team:
                raise ServiceError(f"Action “{title}” needs an owner from the project team.")
            if row.due_date is None:
                raise ServiceError(f"Action “{title}” needs a due date.")
            position += 1
            fields = {"title": title, "owner": row.owner, "due_date": row.due_date, "position": position}
            if item is None:
                ActionItem.objects.create(project=meeting.project, meeting=meeting, **fields)
            elif any(getattr(item, k) != v for k, v in fields.items()):
                ActionItem.objects.filter(pk=item.pk).update(**fields)
        meeting.refresh_from_db()
    return meeting


def meeting_close_minutes(*, access: ProjectAccess, meeting: Meeting) -> Meeting:
    """Close the meeting: the minutes lock and go to the attendees (with the PDF) and to
    the sponsor, who confirms them or asks for a correction."""
    _require_runner(access, meeting)
    _require_status(meeting, MeetingStatus.MINUTES_DRAFT, doing="close the minutes")
    if meeting.attendance_recorded_at is None:
        raise ServiceError("Record who attended before closing the minutes.")
    if not meeting.summary.strip():
        raise ServiceError("Write a summary of the discussion before closing the minutes.")
    resend = meeting.correction_requested_at is not None
    with transaction.atomic(), audited("Corrected minutes sent" if resend else "Minutes closed and sent"):
        _transition(
            meeting,
            expected=[MeetingStatus.MINUTES_DRAFT],
            status=MeetingStatus.MINUTES_SENT,
            minutes_sent_at=timezone.now(),
            minutes_sent_by=access.user,
            version=F("version") + 1,
        )
        enqueue_on_commit(tasks.deliver_minutes, meeting.pk)
    return meeting


def meeting_confirm_minutes(*, access: ProjectAccess, meeting: Meeting) -> Meeting:
    """The sponsor lead or decision-maker confirms the sent minutes (who and when are recorded)."""
    if not confirms_minutes(access):
        raise NotAllowed("Only the sponsor's project lead or decision-maker confirms minutes.")
    _require_status(meeting, MeetingStatus.MINUTES_SENT, doing="confirm the minutes")
    with transaction.atomic(), audited("Minutes confirmed by the sponsor"):
        _transition(
            meeting,
            expected=[MeetingStatus.MINUTES_SENT],
            status=MeetingStatus.CONFIRMED,
            minutes_confirmed_at=timezone.now(),
            minutes_confirmed_by=access.user,
            version=F("version") + 1,
        )
        enqueue_on_commit(tasks.deliver_minutes_reviewed, meeting.pk)
    return meeting


def meeting_request_correction(*, access: ProjectAccess, meeting: Meeting, note: str) -> Meeting:
    """The sponsor asks for a correction: the minutes reopen for the organizer's side,
    with the request shown until they are corrected and sent again."""
    if not confirms_minutes(access):
        raise NotAllowed("Only the sponsor's project lead or decision-maker can ask for a correction.")
    _require_status(meeting, MeetingStatus.MINUTES_SENT, doing="ask for a correction")
    note = note.strip()
    if not note:
        raise ServiceError("Say what needs correcting.")
    with transaction.atomic(), audited("Correction of the minutes requested"):
        _transition(
            meeting,
            expected=[MeetingStatus.MINUTES_SENT],
            status=MeetingStatus.MINUTES_DRAFT,
            correction_requested_at=timezone.now(),
            correction_requested_by=access.user,
            correction_note=note[:4000],
            version=F("version") + 1,
        )
        enqueue_on_commit(tasks.deliver_minutes_reviewed, meeting.pk)
    return meeting


# --- action items ----------------------------------------------------------------------------


def action_item_complete(*, access: ProjectAccess, item: ActionItem) -> ActionItem:
    """Mark done (idempotent: a second click changes nothing)."""
    if not completes_action_item(access, item):
        raise NotAllowed("Only the owner of this action item can mark it done.")
    if item.meeting.is_cancelled:
        raise ServiceError("This action item belongs to a cancelled meeting.")
    with transaction.atomic(), audited("Action item done"):
        ActionItem.objects.filter(pk=item.pk, status=ActionItemStatus.OPEN).update(
            status=ActionItemStatus.DONE, completed_at=timezone.now(), completed_by=access.user
        )
    item.refresh_from_db()
    return item


def action_item_reopen(*, access: ProjectAccess, item: ActionItem) -> ActionItem:
    if not completes_action_item(access, item):
        raise NotAllowed("Only the owner of this action item can reopen it.")
    with transaction.atomic(), audited("Action item reopened"):
        ActionItem.objects.filter(pk=item.pk, status=ActionItemStatus.DONE).update(
            status=ActionItemStatus.OPEN, completed_at=None, completed_by=None
        )
    item.refresh_from_db()
    return item


# --- calendar feed ---------------------------------------------------------------------------


def calendar_token_reset(*, user: User) -> str:
    """Give the user a new secret feed address; the old one stops working at once."""
    with transaction.atomic(), audited("Calendar link reset"):
        user.calendar_token = secrets.token_urlsafe(24)
        user.save(update_fields=["calendar_token"])
    return user.calendar_token


def is_governance_without_decision_maker(meeting: Meeting) -> bool:
    return meeting.kind == MeetingKind.GOVERNANCE and not meeting.decision_maker_invited
