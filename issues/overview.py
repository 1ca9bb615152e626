"""The project overview's "Open service issues" panel (registered in `IssuesConfig.ready`).

One query whatever the log holds (compiled once per process): the most urgent few issues not yet closed (the soonest running
deadline first, then the most severe), each row carrying the count of all of them by severity.
Both sides see a project's service issues, as on its Service issues tab.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Case, Count, F, IntegerField, Q, Value, When, Window
from django.urls import reverse

from portal.core.compiled import CompiledRead
from projects.overview import Reads, object_urls, page_now, panel_rows

from . import permissions
from .models import IssueStatus, ServiceIssue, Severity
from .selectors import ACTIVE

# What the running clock of each status asks for (its deadline is `next_due`).
_RUNNING_CLOCK = {
    IssueStatus.OPEN: "acknowledgement",
    IssueStatus.ACKNOWLEDGED: "resolution plan",
}


_MOST_URGENT = 3
# The issues to look at first, not yet closed: the soonest running deadline first (`next_due`,
# None when no clock runs), then the most severe; each row also counts all of them by severity
# (`open_critical`, `open_major`, `open_minor`: window counts over the same rows).
_MOST_URGENT_ISSUES = CompiledRead(
    lambda project_id: (
        ServiceIssue.objects.filter(project_id=project_id)
        .exclude(status=IssueStatus.CLOSED)
        .only("pk", "project_id", "title", "severity", "status")
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
            **{f"open_{s.value}": Window(Count("pk", filter=Q(severity=s))) for s in Severity},
        )
        .order_by(F("next_due").asc(nulls_last=True), "severity_rank", "-raised_at", "-pk")[:_MOST_URGENT]
    ),
    project_id=int,
)


def reads(page: dict[str, Any]) -> Reads:
    return {"urgent_issues": (_MOST_URGENT_ISSUES, {"project_id": page["project"].pk})}


def open_issues_panel(page: dict[str, Any]) -> dict:
    project, access = page["project"], page["access"]
    issues = panel_rows(page, reads, "urgent_issues")
    counts = {s.value: (getattr(issues[0], f"open_{s.value}") if issues else 0) for s in Severity}
    url = object_urls("issues:detail", project.pk, "serviceissue_id")
    for issue in issues:
        issue.url, issue.due_what = url(issue.pk), _RUNNING_CLOCK.get(issue.status, "")
    return {
        "counts": [(severity.value, severity.label, counts[severity.value]) for severity in Severity],
        "total": sum(counts.values()),
        "issues": issues,
        "now": page_now(page),
        "list_url": reverse("issues:project_issues", kwargs={"project_id": project.pk}) + f"?status={ACTIVE}",
        "may_raise": permissions.can_raise(access),
    }
