"""The project overview's "Open service issues" panel (registered in `IssuesConfig.ready`).

Two queries whatever the log holds: the count of issues not yet closed by severity, and the
most urgent few (the soonest running deadline first, then the most severe). Both sides see a
project's service issues, as on its Service issues tab.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils import timezone

from projects.models import Project

from . import permissions
from .models import IssueStatus, ServiceIssue, Severity
from .selectors import ACTIVE

# What the running clock of each status asks for (its deadline is `next_due`).
_RUNNING_CLOCK = {
    IssueStatus.OPEN: "acknowledgement",
    IssueStatus.ACKNOWLEDGED: "resolution plan",
}


def _not_closed(project: Project) -> QuerySet[ServiceIssue]:
    return ServiceIssue.objects.filter(project=project).exclude(status=IssueStatus.CLOSED)


def open_issue_counts(*, project: Project) -> list[tuple[str, str, int]]:
    """(severity, label, count) of the project's issues not yet closed, most severe first."""
    counts = _not_closed(project).aggregate(
        **{severity.value: Count("pk", filter=Q(severity=severity)) for severity in Severity}
    )
    return [(severity.value, severity.label, counts[severity.value]) for severity in Severity]


def most_urgent_issues(*, project: Project, limit: int = 3) -> list[ServiceIssue]:
    """The issues to look at first, each with `next_due` (the running clock's deadline, or None)."""
    return list(
        _not_closed(project)
        .annotate(
            next_due=Case(
                When(status=IssueStatus.OPEN, then=F("acknowledge_by")),
                When(status=IssueStatus.ACKNOWLEDGED, then=F("plan_by")),
                default=None,
            ),
            severity_rank=Case(
                When(severity=Severity.CRITICAL, then=Value(0)),
                When(severity=Severity.MAJOR, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            ),
        )
        .order_by(F("next_due").asc(nulls_last=True), "severity_rank", "-raised_at", "-pk")[:limit]
    )


def open_issues_panel(page: dict[str, Any]) -> dict:
    project, access = page["project"], page["access"]
    counts = open_issue_counts(project=project)
    issues = most_urgent_issues(project=project)
    for issue in issues:
        issue.due_what = _RUNNING_CLOCK.get(issue.status, "")
    return {
        "counts": counts,
        "total": sum(count for _, _, count in counts),
        "issues": issues,
        "now": timezone.now(),
        "list_url": reverse("issues:project_issues", kwargs={"project_id": project.pk}) + f"?status={ACTIVE}",
        "may_raise": permissions.can_raise(access),
    }
