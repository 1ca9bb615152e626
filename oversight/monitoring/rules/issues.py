"""Rules about service issues: agreed response times that passed."""

from __future__ import annotations

import datetime as dt

from issues.models import AWAITING_PLAN, IssueStatus, ServiceIssue
from issues.models import Severity as IssueSeverity
from projects.models import ProjectStatus

from ..models import FlagKind, Severity
from .base import Finding, Rule, _days

# Service issues matter on paused programs too: the complaint does not pause.
WATCHED_ISSUE_PROJECTS = (ProjectStatus.ACTIVE, ProjectStatus.ON_HOLD)


def _hours_ago(now: dt.datetime, moment: dt.datetime) -> str:
    hours = int((now - moment).total_seconds() // 3600)
    if hours < 48:
        return f"{hours} h ago"
    return f"{_days(hours // 24)} ago"


class _IssueClockBreachRule(Rule):
    """An open issue still waiting for a step whose agreed time (`deadline_field`) has passed."""

    subject_model = ServiceIssue
    waiting_statuses: tuple[str, ...]
    deadline_field: str
    missing: str  # what has not happened, for the explanation
    critical_severities: frozenset[str]

    def findings(self, now, project_ids=None):
        rows = self.scoped(
            ServiceIssue.objects.filter(
                status__in=self.waiting_statuses,
                **{f"{self.deadline_field}__lt": now},
                project__status__in=WATCHED_ISSUE_PROJECTS,
            ),
            project_ids,
        ).values("pk", "project_id", "title", "severity", self.deadline_field, "escalation_level")
        return [
            Finding(
                row["project_id"],
                row["pk"],
                f"{row['severity'].capitalize()} service issue “{row['title']}” {self.missing}; it was due "
                f"{_hours_ago(now, row[self.deadline_field])} (escalation level {row['escalation_level']}).",
                Severity.CRITICAL if row["severity"] in self.critical_severities else Severity.WARNING,
            )
            for row in rows
        ]


class IssueAcknowledgeBreachRule(_IssueClockBreachRule):
    kind = FlagKind.ISSUE_ACK_BREACH
    waiting_statuses = (IssueStatus.OPEN,)
    deadline_field = "acknowledge_by"
    missing = "has not been acknowledged"
    critical_severities = frozenset({IssueSeverity.CRITICAL})


class IssuePlanBreachRule(_IssueClockBreachRule):
    kind = FlagKind.ISSUE_PLAN_BREACH
    waiting_statuses = tuple(AWAITING_PLAN)
    deadline_field = "plan_by"
    missing = "has no resolution plan"
    critical_severities = frozenset({IssueSeverity.CRITICAL, IssueSeverity.MAJOR})
