"""The minutes of the demo's held calls, closed, confirmed or sent back through the services."""

from __future__ import annotations

import datetime

from demo.common import replayed
from meetings import services
from meetings.models import Meeting, MeetingStatus
from projects.models import TeamRole
from projects.selectors import access_for


def close_minutes(meeting, team, starts_at, status, summary, next_steps) -> None:
    """The minutes of a held call: written, then closed, confirmed or sent back through the services.

    The minutes services stamp the clock, so each step replayed at its moment records that moment.
    """
    lead = team.user(TeamRole.SPONSOR_LEAD)
    sent_at = starts_at + datetime.timedelta(hours=20)
    Meeting.objects.filter(pk=meeting.pk).update(
        status=MeetingStatus.MINUTES_DRAFT,
        summary=summary,
        next_steps=next_steps,
        held_at=starts_at,
        attendance_recorded_at=starts_at + datetime.timedelta(hours=2),
    )
    if status == MeetingStatus.MINUTES_DRAFT:
        return
    meeting.refresh_from_db()
    with replayed(sent_at):
        services.meeting_close_minutes(
            access=access_for(user=meeting.organizer, project=meeting.project), meeting=meeting
        )
    if status == "correction":
        requested_at = sent_at + datetime.timedelta(days=1)
        with replayed(requested_at):
            services.meeting_request_correction(
                access=access_for(user=lead, project=meeting.project),
                meeting=meeting,
                note=(
                    "Decision 1 is not what we agreed: the engineering batch runs at 100 L, not 200 L, until the "
                    "filter validation is complete. Please also add our request for the raw data of run 3."
                ),
            )
    elif status == MeetingStatus.CONFIRMED:
        confirmed_at = sent_at + datetime.timedelta(hours=26)
        with replayed(confirmed_at):
            services.meeting_confirm_minutes(
                access=access_for(user=lead, project=meeting.project), meeting=meeting
            )
