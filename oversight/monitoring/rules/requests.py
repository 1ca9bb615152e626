"""Rules about what one side asked the other to decide: change requests and decision requests
still open after the date their decision was needed by."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from projects.models import ChangeRequest, ChangeStatus, DecisionRequest, DecisionStatus, ProjectStatus

from ..models import FlagKind, Severity
from .base import Finding, Rule, midnights

# Still undecided this many days after the needed-by date: critical.
REQUEST_CRITICAL_AFTER_DAYS = 7


def _on(day: dt.date) -> str:
    """3 Dec 2026 (no leading zero)."""
    return f"{day.day} {day:%b %Y}"


class _RequestPastNeededByRule(Rule):
    """An open request (`open_status`) whose `needed_by` is before today, on a running project:
    flagged from the first instant of the day after, critical a week later; cleared once decided
    or withdrawn. The explanation names the date, so it changes with the data, not the clock."""

    open_status: str
    noun: str  # how the explanation names the request

    def _open(self, project_ids):
        return self.scoped(
            self.subject_model.objects.filter(status=self.open_status, project__status=ProjectStatus.ACTIVE),
            project_ids,
        )

    def findings(self, now, project_ids=None):
        today = timezone.localdate(now)
        critical_before = today - dt.timedelta(days=REQUEST_CRITICAL_AFTER_DAYS)
        rows = (
            self._open(project_ids)
            .filter(needed_by__lt=today)
            .values("pk", "project_id", "title", "needed_by")
        )
        return [
            Finding(
                row["project_id"],
                row["pk"],
                f"{self.noun} “{row['title']}” needed a decision by {_on(row['needed_by'])}.",
                Severity.CRITICAL if row["needed_by"] < critical_before else Severity.WARNING,
                {"needed_by": row["needed_by"].isoformat()},
            )
            for row in rows
        ]

    def moments(self, now, project_ids=None):
        # The flag is raised at the first instant of the day after `needed_by`, and turns
        # critical REQUEST_CRITICAL_AFTER_DAYS later; rows past both change with data only.
        today = timezone.localdate(now)
        rows = (
            self._open(project_ids)
            .filter(needed_by__gte=today - dt.timedelta(days=REQUEST_CRITICAL_AFTER_DAYS))
            .values_list("project_id", "needed_by")
        )
        midnight = midnights()
        late = dt.timedelta(days=1)
        critical = dt.timedelta(days=1 + REQUEST_CRITICAL_AFTER_DAYS)
        return [
            (project_id, midnight(needed_by + after))
            for project_id, needed_by in rows
            for after in (late, critical)
        ]


class ChangePastNeededByRule(_RequestPastNeededByRule):
    kind = FlagKind.CHANGE_PAST_NEEDED_BY
    subject_model = ChangeRequest
    open_status = ChangeStatus.PROPOSED
    noun = "Change request"


class DecisionPastNeededByRule(_RequestPastNeededByRule):
    kind = FlagKind.DECISION_PAST_NEEDED_BY
    subject_model = DecisionRequest
    open_status = DecisionStatus.OPEN
    noun = "Decision request"
