"""Action items on time, one measure a side: what each side's people agreed to do at a meeting,
done by the date they agreed. Part of meeting discipline: minutes that nobody acts on are
paperwork.

An action item's owner is any person on the project's team, of either side; the owner's
organization says whose item it is (the project's CDMO or its sponsor).
"""

from __future__ import annotations

import statistics

from django.db.models import F

from meetings.models import ActionItem, ActionItemStatus, MeetingStatus

from ..quarters import utc_date
from .base import CDMO, SPONSOR, Measure, Record, Records, Scope, n_days, records


def _on_time(side_field: str):
    """The computation for the items owned by the people of the project's `side_field`
    organization ("sponsor_id" or "cdmo_id")."""

    def compute(scope: Scope) -> Records:
        """Items (not removed, of a meeting not cancelled) due in the quarters: one query. Done:
        kept if completed (UTC date) on or before the due date. Open past the due date (before
        today, UTC): late by the days so far. Open and not due yet: not counted yet."""
        found = records()
        today = utc_date(scope.now)
        rows = (
            ActionItem.objects.filter(
                project_id__in=scope.ids,
                owner__organization_id=F(f"project__{side_field}"),
                removed_at__isnull=True,
                due_date__gte=scope.first_day,
                due_date__lte=scope.last_day,
            )
            .exclude(meeting__status=MeetingStatus.CANCELLED)
            .values_list("pk", "project_id", "due_date", "status", "completed_at")
        )
        for pk, project_id, due, status, completed_at in rows:
            quarter = scope.bucket(due)
            if quarter is None:
                continue
            if status == ActionItemStatus.DONE:
                days_late = max(0, (utc_date(completed_at) - due).days)
            elif due < today:
                days_late = (today - due).days
            else:
                continue
            record = Record(days_late == 0, days_late, ref=("action_item", pk), on=due)
            found[project_id, quarter].append(record)
        return found

    return compute


def _lateness(days) -> tuple[str, ...]:
    late = [d for d in days if d > 0]
    return (f"median {statistics.median(late):g} days late" if late else "none late",)


def late_by(record: Record) -> str:
    """One record's days late in words (action items, decisions): "0 days late", "5 days late"
    (an item still open: so far)."""
    return f"{n_days(record.sample)} late"


def _definition(whose: str) -> str:
    return (
        f"Of the action items owned by {whose} people and due in the quarter, the share done by "
        "their due date (the day, UTC, it was marked done), and the median days late among the "
        "late ones. An item still open after its due date counts as late (days late so far); "
        "one not due yet is not counted, nor are items taken out of the minutes."
    )


CDMO_ACTIONS = Measure(
    "cdmo_actions_on_time",
    "Action items on time",
    CDMO,
    _definition("the CDMO's"),
    ("action item", "action items"),
    compute=_on_time("cdmo_id"),
    describe=_lateness,
    dated="Due",
    explain=late_by,
)

SPONSOR_ACTIONS = Measure(
    "sponsor_actions_on_time",
    "Action items on time",
    SPONSOR,
    _definition("the sponsor's"),
    ("action item", "action items"),
    compute=_on_time("sponsor_id"),
    describe=_lateness,
    dated="Due",
    explain=late_by,
)
