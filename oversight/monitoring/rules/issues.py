"""Rules about service issues: agreed response times that passed."""

from __future__ import annotations

import datetime as dt

from issues.models import AWAITING_PLAN, IssueStatus, ServiceIssue
from issues.models import Severity as IssueSeverity
from projects.models import ProjectStatus

from ..models import FlagKind, Severity
from .base import Finding, Rule, _days


class IssueAcknowledgeBreachRule(Rule):
    kind = FlagKind.ISSUE_ACK_BREACH
    subject_model = ServiceIssue

    def findings(self, now):
        rows = ServiceIssue.objects.filter(
            status=IssueStatus.OPEN,
            acknowledge_by__lt=now,
            project__status__in=WATCHED_ISSUE_PROJECTS,
        ).values("pk", "project_id", "title", "severity", "acknowledge_by", "escalation_level")
        return [
            Finding(
                row["project_id"],
                row["pk"],
                f"{row['severity'].capitalize()} service issue “{row['title']}” has not been acknowledged; it was due "
                f"{_hours_ago(now, row['acknowledge_by'])} (escalation level {row['escalation_level']}).",
                Severity.CRITICAL if row["severity"] == IssueSeverity.CRITICAL else Severity.WARNING,
            )
            for row in rows
        ]


class IssuePlanBreachRule(Rule):
    kind = FlagKind.ISSUE_PLAN_BREACH
    subject_model = ServiceIssue

    def findings(self, now):
        rows = ServiceIssue.objects.filter(
            status__in=AWAITING_PLAN,
            plan_by__lt=now,
            project__status__in=WATCHED_ISSUE_PROJECTS,
        ).values("pk", "project_id", "title", "severity", "plan_by", "escalation_level")
        return [
            Finding(
                row["project_id"],
                row["pk"],
                f"{row['severity'].capitalize()} service issue “{row['title']}” has no resolution plan; it was due "
                f"{_hours_ago(now, row['plan_by'])} (escalation level {row['escalation_level']}).",
                Severity.CRITICAL if row["severity"] != IssueSeverity.MINOR else Severity.WARNING,
            )
            for row in rows
        ]


# Service issues matter on paused programs too: the complaint does not pause.
WATCHED_ISSUE_PROJECTS = (ProjectStatus.ACTIVE, ProjectStatus.ON_HOLD)


def _hours_ago(now: dt.datetime, moment: dt.datetime) -> str:
    hours = int((now - moment).total_seconds() // 3600)
    if hours < 48:
        return f"{hours} h ago"
    return f"{_days(hours // 24)} ago"
