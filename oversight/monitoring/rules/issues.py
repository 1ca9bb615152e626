"""Rules about service issues: agreed response times that passed."""

from __future__ import annotations

from django.utils import timezone

from issues.models import AWAITING_PLAN, IssueStatus, ServiceIssue
from issues.models import Severity as IssueSeverity
from projects.models import ProjectStatus

from ..models import FlagKind, Severity
from .base import JUST_AFTER, Finding, Rule

# Service issues matter on paused programs too: the complaint does not pause.
WATCHED_ISSUE_PROJECTS = (ProjectStatus.ACTIVE, ProjectStatus.ON_HOLD)


class _IssueClockBreachRule(Rule):
    """An open issue still waiting for a step whose agreed time (`deadline_field`) has passed."""

    subject_model = ServiceIssue
    waiting_statuses: tuple[str, ...]
    deadline_field: str
    missing: str  # what has not happened, for the explanation
    critical_severities: frozenset[str]

    def _waiting(self, project_ids):
        return self.scoped(
            ServiceIssue.objects.filter(
                status__in=self.waiting_statuses, project__status__in=WATCHED_ISSUE_PROJECTS
            ),
            project_ids,
        )

    def findings(self, now, project_ids=None):
        rows = (
            self._waiting(project_ids)
            .filter(**{f"{self.deadline_field}__lt": now})
            .values("pk", "project_id", "title", "severity", self.deadline_field, "escalation_level")
        )
        return [
            Finding(
                row["project_id"],
                row["pk"],
                f"{row['severity'].capitalize()} service issue “{row['title']}” {self.missing}; it was due "
                f"{timezone.localtime(row[self.deadline_field]):%d %b %Y %H:%M} "
                f"(escalation level {row['escalation_level']}).",
                Severity.CRITICAL if row["severity"] in self.critical_severities else Severity.WARNING,
            )
            for row in rows
        ]

    def moments(self, now, project_ids=None):
        rows = (
            self._waiting(project_ids)
            .filter(**{f"{self.deadline_field}__gte": now})
            .values_list("project_id", self.deadline_field)
        )
        return [(project_id, deadline + JUST_AFTER) for project_id, deadline in rows]


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
