"""Thin Celery tasks: load by id, skip what no longer applies, call notifications (or, for the
calendar feeds, meetings.feed).

Queued with `portal.core.queue.enqueue_on_commit` by the services, so a worker
never reads a meeting that is not committed yet.
"""

from __future__ import annotations

from portal.core import clock
from portal.core.tasks import task

from . import feed
from .models import Invitee, Meeting, MeetingStatus
from .notifications import send_cancellation, send_invitation, send_minutes, send_minutes_reviewed


def _invitee(invitee_id: int) -> Invitee | None:
    return (
        Invitee.objects.select_related("meeting__project", "meeting__organizer", "user")
        .filter(pk=invitee_id)
        .first()
    )


@task(name="meetings.tasks.deliver_invitation", bind=True)
def deliver_invitation(self, invitee_id: int, reason: str = "new") -> None:
    """Email a meeting invitation (or its update or agenda) with the calendar entry."""
    invitee = _invitee(invitee_id)
    # Uninvited or cancelled since this was queued: their cancellation is on its way instead.
    if invitee is None or invitee.removed_at is not None or invitee.meeting.is_cancelled:
        return
    send_invitation(invitee, reason=reason, send_id=self.request.id)


@task(name="meetings.tasks.deliver_cancellation", bind=True)
def deliver_cancellation(self, invitee_id: int) -> None:
    """Email a meeting cancellation for the calendar."""
    invitee = _invitee(invitee_id)
    if invitee is None:
        return
    # Re-invited after being removed: the new invitation stands, do not cancel it.
    if invitee.removed_at is None and not invitee.meeting.is_cancelled:
        return
    send_cancellation(invitee, send_id=self.request.id)


@task(name="meetings.tasks.deliver_minutes", bind=True)
def deliver_minutes(self, meeting_id: int) -> None:
    """Email the meeting minutes with the PDF."""
    meeting = Meeting.objects.select_related("project", "organizer").filter(pk=meeting_id).first()
    if meeting is None or meeting.status not in (MeetingStatus.MINUTES_SENT, MeetingStatus.CONFIRMED):
        return
    send_minutes(meeting, send_id=self.request.id)


@task(name="meetings.tasks.deliver_minutes_reviewed", bind=True)
def deliver_minutes_reviewed(self, meeting_id: int) -> None:
    """Email that the minutes were confirmed or need a correction."""
    meeting = (
        Meeting.objects.select_related(
            "project", "organizer", "minutes_sent_by", "minutes_confirmed_by", "correction_requested_by"
        )
        .filter(pk=meeting_id)
        .first()
    )
    if meeting is None:
        return
    send_minutes_reviewed(meeting, send_id=self.request.id)


@task(name="meetings.tasks.refresh_calendar_feed")
def refresh_calendar_feed(user_id: int) -> bool:
    """Rebuild a person's stored calendar feed if what it shows changed (queued by meetings.feed)."""
    return feed.refresh(user_id=user_id, now=clock.now())


@task(name="meetings.tasks.check_calendar_feeds")
def check_calendar_feeds() -> int:
    """Beat, every feed.CHECK_EVERY: queue a rebuild of each polled feed whose data changed."""
    return feed.check_feeds(now=clock.now())
