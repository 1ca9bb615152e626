"""The minutes of the demo's held calls, closed, confirmed or sent back through the services."""

from __future__ import annotations

import datetime
from typing import NamedTuple

from django.utils import timezone

from demo.common import replayed
from meetings import services
from meetings.models import ActionItem, MeetingStatus
from meetings.services import ActionItemRow, DecisionRow
from portal.accounts.models import User
from projects.models import TeamRole
from projects.selectors import access_for


class PlannedAction(NamedTuple):
    """An action item the minutes record; `done` ones are marked done by their owner at noon on the due day."""

    title: str
    owner: User | None
    due_date: datetime.date
    done: bool


def close_minutes(
    meeting, team, starts_at, status, *, marks, summary, next_steps, decisions, actions
) -> None:
    """The minutes of a held call, through the services: attendance recorded two hours after the
    start (which marks the meeting held), the minutes written an hour later, then closed, confirmed
    or sent back. The services stamp the clock, so each step replayed at its moment records it."""
    lead = team.user(TeamRole.SPONSOR_LEAD)
    access = access_for(user=meeting.organizer, project=meeting.project)
    with replayed(starts_at + datetime.timedelta(hours=2)):
        meeting = services.attendance_record(access=access, meeting=meeting, marks=marks)
    with replayed(starts_at + datetime.timedelta(hours=3)):
        meeting = services.minutes_save(
            access=access,
            meeting=meeting,
            version=meeting.version,
            summary=summary,
            next_steps=next_steps,
            decisions=[DecisionRow(id=None, summary=text) for text in decisions],
            action_items=[
                ActionItemRow(id=None, title=a.title, owner=a.owner, due_date=a.due_date) for a in actions
            ],
        )
    items = ActionItem.objects.filter(meeting=meeting, removed_at__isnull=True).order_by("position")
    for item, action in zip(items, actions, strict=True):
        if action.done:
            done_at = timezone.make_aware(datetime.datetime.combine(action.due_date, datetime.time(12)))
            with replayed(done_at):
                services.action_item_complete(
                    access=access_for(user=item.owner, project=meeting.project), item=item
                )
    sent_at = starts_at + datetime.timedelta(hours=20)
    if status == MeetingStatus.MINUTES_DRAFT:
        return
    with replayed(sent_at):
        services.meeting_close_minutes(access=access, meeting=meeting)
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
