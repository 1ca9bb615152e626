"""The project overview's "Open service issues" panel (registered in `IssuesConfig.ready`).

One query whatever the log holds (compiled once per process): the most urgent few issues not yet closed (the soonest running
deadline first, then the most severe), each row carrying the count of all of them by severity.
Both sides see a project's service issues, as on its Service issues tab.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Case, Count, F, IntegerField, Q, Value, When, Window
from django.utils.safestring import SafeString
from django.utils.text import capfirst

from portal.core.compiled import CompiledRead
from portal.core.fragments import esc, html
from portal.core.list_formats import link
from projects.models import Project
from projects.overview import Reads, object_urls, page_dates, page_now, panel_rows

from . import permissions
from .models import IssueStatus, ServiceIssue, Severity
from .selectors import ACTIVE
from .templatetags.issue_tags import countdown, waiting_for
from .workflow import SEVERITY_BADGES

SEVERITY_LABELS = dict(Severity.choices)

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


def count_items(counts: list[tuple[str, str, int]]) -> SafeString:
    """A badge per severity: how many issues of it are open (coloured when there are some)."""
    return html(
        f'<li class="badge {SEVERITY_BADGES.get(severity, "") if count else ""}">{int(count)} {esc(label.lower())}</li>'
        for severity, label, count in counts
    )


def issue_items(issues: list[ServiceIssue], *, project: Project, now: dt.datetime, dates) -> SafeString:
    """An `<li>` per issue (with `url` and `due_what` set): its running clock's deadline and
    countdown, or what it waits for."""
    rows = []
    for issue in issues:
        due = countdown(issue.next_due, now)
        tone = " is-red" if due["overdue"] else " is-amber" if issue.severity == Severity.CRITICAL else ""
        if issue.next_due:
            state = f"{esc(capfirst(issue.due_what))} due {dates.weekday_time(issue.next_due)}"
            clock = " si-overdue" if due["overdue"] else " si-soon" if due["soon"] else ""
            countdown_badge = f' <span class="si-due{clock}">{esc(capfirst(due["text"]))}</span>'
        else:
            state, countdown_badge = esc(waiting_for(issue, project.cdmo)), ""
        rows.append(
            f'\n    <li class="overview-item{tone}">\n      <div class="overview-item-main">\n'
            f'        <a class="what" href="{esc(issue.url)}">{esc(issue.reference)} {esc(issue.title)}</a>\n'
            f'        <div class="muted small">{state}</div>\n      </div>\n'
            f'      <span class="badge {SEVERITY_BADGES.get(issue.severity, "")}">'
            f"{esc(SEVERITY_LABELS.get(issue.severity, issue.severity))}</span>{countdown_badge}\n    </li>"
        )
    return html(rows)


def open_issues_panel(page: dict[str, Any]) -> dict:
    project, access = page["project"], page["access"]
    issues = panel_rows(page, reads, "urgent_issues")
    counts = {s.value: (getattr(issues[0], f"open_{s.value}") if issues else 0) for s in Severity}
    url = object_urls("issues:detail", project.pk, "serviceissue_id")
    for issue in issues:
        issue.url, issue.due_what = url(issue.pk), _RUNNING_CLOCK.get(issue.status, "")
    now = page_now(page)
    by_severity = [(severity.value, severity.label, counts[severity.value]) for severity in Severity]
    return {
        "counts": by_severity,
        "count_items": count_items(by_severity),
        "total": sum(counts.values()),
        "issues": issues,
        "items": issue_items(issues, project=project, now=now, dates=page_dates(page)),
        "now": now,
        "list_url": link("issues:project_issues", project_id=project.pk) + f"?status={ACTIVE}",
        "may_raise": permissions.can_raise(access),
    }
