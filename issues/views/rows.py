"""The rows of an issue list, worked out in Python before the template prints them.

A row read a dozen values through the template engine, three of them through date filters, two
includes and two tags: about 0.3 ms a row, most of an issue list's time. Here each row is a
handful of ready strings (templates/issues/_table.html prints them as they are), its dates and
links made the quick way (portal.core.list_formats).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from portal.core.list_formats import ListDates, ListLinks

from ..models import Category, EscalationLevel, IssueStatus, ServiceIssue, Severity
from ..templatetags.issue_tags import age, countdown, span_between
from ..workflow import SEVERITY_BADGES, STATUS_BADGES, NextStep, next_step

CATEGORY_LABELS = dict(Category.choices)
SEVERITY_LABELS = dict(Severity.choices)
STATUS_LABELS = dict(IssueStatus.choices)
ESCALATION_LABELS = dict(EscalationLevel.choices)


@dataclass(slots=True)
class IssueRow:
    issue: ServiceIssue
    url: str
    category: str
    project_url: str  # the project's issues tab; empty where the list is that tab
    party: str  # the other side of the project, as the viewer sees it
    severity: str
    severity_badge: str
    status: str
    status_badge: str
    escalation: str  # the escalation level's name; empty when not escalated
    closed: bool
    age: str  # how long it has been open, or took to close
    raised: str  # "3 Dec 2026, 14:05" in the viewer's time zone
    raised_day: str  # "3 Dec 2026"
    step: NextStep
    due: dict  # the countdown to the step's deadline (issue_tags.countdown)
    step_day: str  # the step's deadline, closing day or target, formatted


def _step_day(step: NextStep, dates: ListDates) -> str:
    if step.deadline:
        return dates.weekday_time(step.deadline)
    if step.closed:
        return dates.day(step.closed_at) if step.closed_at else ""
    return dates.day(step.target_date) if step.target_date else ""


def issue_rows(issues: list[ServiceIssue], *, user, today: dt.date, show_project: bool) -> list[IssueRow]:
    """The rows of `issues` (with their project, parties, raiser and accepted plans read)."""
    sponsor_view = bool(user.organization_id and user.organization.is_sponsor)
    dates = ListDates()
    issue_url = ListLinks("issues:detail", "project_id", "serviceissue_id")
    project_url = ListLinks("issues:project_issues", "project_id")
    rows = []
    for issue in issues:
        closed = issue.status == IssueStatus.CLOSED
        step = next_step(issue, today)
        project = issue.project
        rows.append(
            IssueRow(
                issue=issue,
                url=issue_url(project_id=issue.project_id, serviceissue_id=issue.pk),
                category=CATEGORY_LABELS.get(issue.category, issue.category),
                project_url=project_url(project_id=issue.project_id) if show_project else "",
                party=(project.cdmo.name if sponsor_view else project.sponsor.name) if show_project else "",
                severity=SEVERITY_LABELS.get(issue.severity, issue.severity),
                severity_badge=SEVERITY_BADGES.get(issue.severity, ""),
                status=STATUS_LABELS.get(issue.status, issue.status),
                status_badge=STATUS_BADGES.get(issue.status, ""),
                escalation=ESCALATION_LABELS.get(issue.escalation_level, "")
                if issue.escalation_level
                else "",
                closed=closed,
                age=span_between(issue.raised_at, issue.closed_at) if closed else age(issue.raised_at),
                raised=dates.day_time(issue.raised_at),
                raised_day=dates.day(issue.raised_at),
                step=step,
                due=countdown(step.deadline),
                step_day=_step_day(step, dates),
            )
        )
    return rows
