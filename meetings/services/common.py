"""What every meetings service shares: who runs the meeting, its status, the team, the
compare-and-set transition, the calendar invitations it queues."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence

from portal.core import clock
from portal.core.exceptions import ConcurrentEditError, NotAllowed, ServiceError
from portal.core.queue import enqueue_on_commit
from portal.core.signals import project_data_changed
from projects.models import ProjectMember
from projects.selectors import ProjectAccess
from projects.services import require_same_project

from .. import permissions, tasks
from ..models import Invitee, Meeting, MeetingStatus


def require_in_project(access: ProjectAccess, obj) -> None:
    """Refuse a meeting or action item of another project than the one `access` was given for.

    Services handed a child row (agenda item, invitee) pass its meeting: the row is the
    meeting's, so the meeting being the project's is the whole check."""
    require_same_project(access, obj.project_id)


def require_runner(access: ProjectAccess, meeting: Meeting) -> None:
    if not permissions.can_run(access, meeting):
        raise NotAllowed(f"Only the {meeting.get_organizer_side_display()} team runs this meeting.")


def require_status(meeting: Meeting, *statuses: str, doing: str) -> None:
    if meeting.status not in statuses:
        raise ServiceError(f"You cannot {doing}: the meeting is {meeting.get_status_display().lower()}.")


def team_of(meeting_or_project) -> dict[int, ProjectMember]:
    project_id = getattr(meeting_or_project, "project_id", None) or meeting_or_project.pk
    return {
        m.user_id: m
        for m in ProjectMember.objects.filter(project_id=project_id, removed_at__isnull=True).select_related(
            "user"
        )
    }


def transition(meeting: Meeting, *, expected: Sequence[str], **changes) -> None:
    """Compare-and-set the meeting from one of `expected` statuses; refresh the instance."""
    updated = Meeting.objects.filter(pk=meeting.pk, status__in=list(expected)).update(
        updated_at=clock.now(), **changes
    )
    if not updated:
        raise ConcurrentEditError(
            "Someone else changed this meeting just now. Reload the page and try again."
        )
    project_data_changed.send(sender=Meeting, project_id=meeting.project_id)
    meeting.refresh_from_db()


def is_future(meeting: Meeting) -> bool:
    return meeting.starts_at > clock.now()


def queue_invitations(meeting: Meeting, invitee_ids: Iterable[int], *, reason: str) -> None:
    # Invitations only make sense for meetings still ahead; a meeting recorded after the
    # fact goes straight to attendance and minutes.
    if not is_future(meeting):
        return
    for invitee_id in invitee_ids:
        enqueue_on_commit(tasks.deliver_invitation, invitee_id, reason)


def active_invitee_ids(meeting: Meeting) -> list[int]:
    return list(
        Invitee.objects.filter(meeting=meeting, removed_at__isnull=True, unexpected=False).values_list(
            "pk", flat=True
        )
    )


def to_minute(value: datetime.datetime) -> datetime.datetime:
    # Calendars count in whole minutes (iCalendar drops anything finer).
    return value.replace(second=0, microsecond=0)


def check_where(location: str, video_url: str) -> None:
    if not (location or "").strip() and not (video_url or "").strip():
        raise ServiceError("Give a video link or a place for the meeting.")


def start_minutes(access: ProjectAccess, meeting: Meeting, *, doing: str) -> None:
    """Checks shared by attendance and minutes; moves a scheduled meeting to 'held'."""
    require_runner(access, meeting)
    if meeting.status in (MeetingStatus.MINUTES_SENT, MeetingStatus.CONFIRMED):
        raise ServiceError(
            "The minutes are closed and sent; they can only change after the sponsor asks for a correction."
        )
    require_status(meeting, MeetingStatus.SCHEDULED, MeetingStatus.MINUTES_DRAFT, doing=doing)
    if not meeting.has_started:
        raise ServiceError(f"You can {doing} once the meeting has started.")
    if meeting.status == MeetingStatus.SCHEDULED:
        transition(
            meeting,
            expected=[MeetingStatus.SCHEDULED],
            status=MeetingStatus.MINUTES_DRAFT,
            held_at=clock.now(),
        )
