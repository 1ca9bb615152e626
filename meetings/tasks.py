"""Thin Celery tasks: load by id, skip what no longer applies, call notifications.

Queued with `portal.core.queue.enqueue_on_commit` by the services, so a worker
never reads a meeting that is not committed yet.
"""

from __future__ import annotations

from portal.celery import app

from .models import Invitee, Meeting, MeetingStatus


def _invitee(invitee_id: int) -> Invitee | None:
    return (
        Invitee.objects.select_related("meeting__project", "meeting__organizer", "user")
        .filter(pk=invitee_id)
        .first()
    )


@app.task
def deliver_invitation(invitee_id: int, reason: str = "new") -> None:
    """Email a meeting invitation (or its update or agenda) with the calendar entry."""
    from .notifications import send_invitation

    invitee = _invitee(invitee_id)
    # Uninvited or cancelled since this was queued: their cancellation is on its way instead.
    if invitee is None or invitee.removed_at is not None or invitee.meeting.is_cancelled:
        return
    send_invitation(invitee, reason=reason)


@app.task
def deliver_cancellation(invitee_id: int) -> None:
    """Email a meeting cancellation for the calendar."""
    from .notifications import send_cancellation

    invitee = _invitee(invitee_id)
    if invitee is None:
        return
    # Re-invited after being removed: the new invitation stands, do not cancel it.
    if invitee.removed_at is None and not invitee.meeting.is_cancelled:
        return
    send_cancellation(invitee)


@app.task
def deliver_minutes(meeting_id: int) -> None:
    """Email the meeting minutes with the PDF."""
    from .notifications import send_minutes

    meeting = Meeting.objects.select_related("project", "organizer").filter(pk=meeting_id).first()
    if meeting is None or meeting.status not in (MeetingStatus.MINUTES_SENT, MeetingStatus.CONFIRMED):
        return
    send_minutes(meeting)


@app.task
def deliver_minutes_reviewed(meeting_id: int) -> None:
    """Email that the minutes were confirmed or need a correction."""
    from .notifications import send_minutes_reviewed

    meeting = (
        Meeting.objects.select_related(
            "project", "organizer", "minutes_sent_by", "minutes_confirmed_by", "correction_requested_by"
        )
        .filter(pk=meeting_id)
        .first()
    )
    if meeting is None:
        return
    send_minutes_reviewed(meeting)
