"""Reads of the log: which issues a person sees, one issue, lists with filters, the timeline."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.http import Http404
from django.utils import timezone

from projects.models import Project
from projects.selectors import ProjectAccess, get_project_for_user, matching_text_q, projects_visible_to

from ..models import (
    AWAITING_PLAN,
    IssueEvent,
    IssueStatus,
    PlanStatus,
    ResolutionPlan,
    ServiceIssue,
    Severity,
)


def issues_visible_to(*, user) -> QuerySet[ServiceIssue]:
    return ServiceIssue.objects.filter(project__in=projects_visible_to(user=user))


def get_issue_for_user(*, user, project_id: int, serviceissue_id: int) -> tuple[ServiceIssue, ProjectAccess]:
    """The issue and the viewer's access to its project; Http404 for anyone who may not see it."""
    project, access = get_project_for_user(user=user, project_id=project_id)
    return issue_in_project(project=project, serviceissue_id=serviceissue_id), access


def issue_in_project(*, project: Project, serviceissue_id: int) -> ServiceIssue:
    """An issue of a project the viewer may see (checked by the caller); Http404 otherwise."""
    issue = (
        ServiceIssue.objects.select_related("raised_by", "acknowledged_by")
        .filter(project=project, pk=serviceissue_id)
        .first()
    )
    if issue is None:
        raise Http404("No such service issue.")
    issue.project = project  # already loaded with its parties
    return issue


class BreachFilter:
    OVERDUE = "overdue"
    BREACHED = "breached"
    WITHIN = "within"
    CHOICES = [
        ("", "Any"),
        (OVERDUE, "Overdue now"),
        (BREACHED, "Breached an agreed time"),
        (WITHIN, "Within agreed times"),
    ]


ACTIVE = "active"  # status filter: everything not closed


@dataclass
class IssueFilters:
    status: str = ""
    severity: str = ""
    category: str = ""
    breach: str = ""
    project: int | None = None
    project_text: str = ""  # typed in the project picker without choosing: code or name contains it
    q: str = ""

    @property
    def any(self) -> bool:
        return bool(
            self.status
            or self.severity
            or self.category
            or self.breach
            or self.project
            or self.project_text
            or self.q
        )


def overdue_q(now: dt.datetime) -> Q:
    """Issues whose running clock has passed its deadline."""
    return Q(status=IssueStatus.OPEN, acknowledge_by__lt=now) | Q(status__in=AWAITING_PLAN, plan_by__lt=now)


def breached_q(now: dt.datetime) -> Q:
    """Issues that breached an agreed time at some point, or are overdue now."""
    return Q(acknowledge_breached_at__isnull=False) | Q(plan_breach_count__gt=0) | overdue_q(now)


def _filtered(issues: QuerySet[ServiceIssue], filters: IssueFilters, now: dt.datetime) -> QuerySet:
    if filters.status == ACTIVE:
        issues = issues.exclude(status=IssueStatus.CLOSED)
    elif filters.status:
        issues = issues.filter(status=filters.status)
    if filters.severity:
        issues = issues.filter(severity=filters.severity)
    if filters.category:
        issues = issues.filter(category=filters.category)
    if filters.project:
        issues = issues.filter(project_id=filters.project)
    if filters.project_text:
        issues = issues.filter(matching_text_q(filters.project_text, prefix="project__"))
    if filters.q:
        issues = issues.filter(title__icontains=filters.q)
    if filters.breach == BreachFilter.OVERDUE:
        issues = issues.filter(overdue_q(now))
    elif filters.breach == BreachFilter.BREACHED:
        issues = issues.filter(breached_q(now))
    elif filters.breach == BreachFilter.WITHIN:
        issues = issues.exclude(breached_q(now))
    return issues


def _for_list(issues: QuerySet[ServiceIssue]) -> QuerySet[ServiceIssue]:
    """What a list row shows, in one query: open work first, soonest deadline first."""
    return (
        issues.select_related("project__cdmo", "project__sponsor", "raised_by")
        .annotate(
            next_due=Case(
                When(status=IssueStatus.OPEN, then=F("acknowledge_by")),
                When(status=IssueStatus.ACKNOWLEDGED, then=F("plan_by")),
                default=None,
            ),
            closed_last=Case(When(status=IssueStatus.CLOSED, then=Value(1)), default=Value(0)),
            severity_rank=Case(
                When(severity=Severity.CRITICAL, then=Value(0)),
                When(severity=Severity.MAJOR, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            ),
        )
        .order_by("closed_last", F("next_due").asc(nulls_last=True), "severity_rank", "-raised_at", "-pk")
    )


def project_issue_list(*, project: Project, filters: IssueFilters) -> QuerySet[ServiceIssue]:
    """A project's issues for its Service issues tab (the caller has checked access)."""
    return _for_list(_filtered(ServiceIssue.objects.filter(project=project), filters, timezone.now()))


def issue_list_for_user(*, user, filters: IssueFilters) -> QuerySet[ServiceIssue]:
    """Issues across every project the user can see."""
    return _for_list(_filtered(issues_visible_to(user=user), filters, timezone.now()))


def issue_timeline(*, issue: ServiceIssue, access: ProjectAccess) -> list[IssueEvent]:
    """The issue's timeline, oldest first. CDMO-internal notes only for CDMO users."""
    events = IssueEvent.objects.filter(issue=issue).select_related("actor", "actor__organization")
    if not access.sees_internal:
        events = events.filter(is_internal=False)
    return list(events.order_by("at", "pk"))


def accepted_plan_target() -> Subquery:
    """The target date of the issue's accepted plan (the latest, were there more), for a list row."""
    accepted = ResolutionPlan.objects.filter(issue=OuterRef("pk"), status=PlanStatus.ACCEPTED)
    return Subquery(accepted.order_by("-proposed_at", "-pk").values("target_date")[:1])
