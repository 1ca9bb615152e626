"""The rows of an issue list, worked out in Python before the template prints them.

A row read a dozen values through the template engine, three of them through date filters, two
includes and two tags: about 0.3 ms a row, most of an issue list's time. Here each row is a
handful of ready strings (templates/issues/_table.html prints them as they are).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.urls import reverse
from django.utils import dateformat, timezone

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


def _step_day(step: NextStep) -> str:
    if step.deadline:
        return dateformat.format(timezone.localtime(step.deadline), "D j M, H:i")
    if step.closed:
        return dateformat.format(timezone.localtime(step.closed_at), "j M Y") if step.closed_at else ""
    return dateformat.format(step.target_date, "j M Y") if step.target_date else ""


def issue_rows(issues: list[ServiceIssue], *, user, today: dt.date, show_project: bool) -> list[IssueRow]:
    """The rows of `issues` (with their project, parties, raiser and accepted plans read)."""
    sponsor_view = bool(user.organization_id and user.organization.is_sponsor)
    rows = []
    for issue in issues:
        raised = timezone.localtime(issue.raised_at)
        closed = issue.status == IssueStatus.CLOSED
        step = next_step(issue, today)
        project = issue.project
        rows.append(
            IssueRow(
                issue=issue,
                url=issue.get_absolute_url(),
                category=CATEGORY_LABELS.get(issue.category, issue.category),
                project_url=(
                    reverse("issues:project_issues", kwargs={"project_id": issue.project_id})
                    if show_project
                    else ""
                ),
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
                raised=dateformat.format(raised, "j M Y, H:i"),
                raised_day=dateformat.format(raised, "j M Y"),
                step=step,
                due=countdown(step.deadline),
                step_day=_step_day(step),
            )
        )
    return rows
