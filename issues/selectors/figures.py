"""How a CDMO answers service issues: medians, shares in time, open issues by age."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Aggregate, Count, F, FloatField, Q, QuerySet
from django.utils import timezone

from projects.models import Project

from ..models import IssueStatus, ServiceIssue, Severity
from .log import issues_visible_to


class Median(Aggregate):
    """PostgreSQL's continuous median: percentile_cont(0.5) WITHIN GROUP (ORDER BY expr)."""

    function = "percentile_cont"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()
    allow_distinct = False


AGE_BUCKETS = [
    ("week", "Under 1 week", 0, 7),
    ("month", "1–4 weeks", 7, 28),
    ("older", "Older", 28, None),
]


@dataclass
class IssueFigures:
    """How a CDMO answers service issues, over a set of issues."""

    total: int = 0
    median_hours_to_acknowledge: float | None = None
    median_hours_to_plan: float | None = None
    acknowledge_evaluated: int = 0
    acknowledge_in_time: int = 0
    plan_evaluated: int = 0
    plan_in_time: int = 0
    resolved_ever: int = 0
    reopened: int = 0
    open_total: int = 0
    # severity -> [count per AGE_BUCKETS]
    open_by_severity: dict[str, list[int]] = field(default_factory=dict)
    label: str = ""

    @staticmethod
    def _share(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    @property
    def acknowledge_share(self) -> float | None:
        return self._share(self.acknowledge_in_time, self.acknowledge_evaluated)

    @property
    def plan_share(self) -> float | None:
        return self._share(self.plan_in_time, self.plan_evaluated)

    @property
    def reopen_rate(self) -> float | None:
        return self._share(self.reopened, self.resolved_ever)

    def open_rows(self) -> list[tuple[str, list[int], int]]:
        """(severity label, counts per age bucket, total) for every severity."""
        rows = []
        for severity in Severity:
            counts = self.open_by_severity.get(severity, [0] * len(AGE_BUCKETS))
            rows.append((severity.label, counts, sum(counts)))
        return rows


def _figure_aggregates() -> dict:
    acknowledged = Q(acknowledged_at__isnull=False)
    ack_evaluated = acknowledged | Q(acknowledge_breached_at__isnull=False)
    plan_evaluated = Q(first_plan_proposed_at__isnull=False) | Q(plan_breach_count__gt=0)
    return {
        "total": Count("pk"),
        "median_hours_to_acknowledge": Median("hours_to_acknowledge"),
        "median_hours_to_plan": Median("hours_to_first_plan"),
        "acknowledge_evaluated": Count("pk", filter=ack_evaluated),
        "acknowledge_in_time": Count(
            "pk",
            filter=acknowledged
            & Q(acknowledged_at__lte=F("acknowledge_by"), acknowledge_breached_at__isnull=True),
        ),
        "plan_evaluated": Count("pk", filter=plan_evaluated),
        "plan_in_time": Count("pk", filter=Q(first_plan_proposed_at__isnull=False, plan_breach_count=0)),
        "resolved_ever": Count("pk", filter=Q(resolved_at__isnull=False) | Q(reopened_count__gt=0)),
        "reopened": Count("pk", filter=Q(reopened_count__gt=0)),
    }


def _bucket_aggregates(now: dt.datetime) -> dict:
    aggregates = {}
    for key, _, low, high in AGE_BUCKETS:
        condition = Q(raised_at__lte=now - dt.timedelta(days=low))
        if high is not None:
            condition &= Q(raised_at__gt=now - dt.timedelta(days=high))
        aggregates[f"age_{key}"] = Count("pk", filter=condition)
    return aggregates


STILL_WORKED_ON = Q(
    status__in=[s for s in IssueStatus if s not in (IssueStatus.RESOLVED, IssueStatus.CLOSED)]
)


def figures_for_issues(issues: QuerySet[ServiceIssue], *, label: str = "") -> IssueFigures:
    """Figures over `issues` in two aggregate queries."""
    now = timezone.now()
    figures = IssueFigures(label=label, **issues.order_by().aggregate(**_figure_aggregates()))
    open_rows = (
        issues.filter(STILL_WORKED_ON).order_by().values("severity").annotate(**_bucket_aggregates(now))
    )
    for row in open_rows:
        counts = [row[f"age_{key}"] for key, *_ in AGE_BUCKETS]
        figures.open_by_severity[row["severity"]] = counts
        figures.open_total += sum(counts)
    return figures


def project_figures(*, project: Project) -> IssueFigures:
    return figures_for_issues(ServiceIssue.objects.filter(project=project), label=project.code)


def figures_by_cdmo(*, user) -> list[IssueFigures]:
    """Figures per CDMO over the projects `user` can see, in two grouped aggregate queries."""
    now = timezone.now()
    issues = issues_visible_to(user=user).order_by()
    rows = issues.values("project__cdmo_id", "project__cdmo__name").annotate(**_figure_aggregates())
    by_cdmo: dict[int, IssueFigures] = {}
    for row in rows:
        cdmo_id, name = row.pop("project__cdmo_id"), row.pop("project__cdmo__name")
        by_cdmo[cdmo_id] = IssueFigures(label=name, **row)
    open_rows = (
        issues.filter(STILL_WORKED_ON)
        .values("project__cdmo_id", "severity")
        .annotate(**_bucket_aggregates(now))
    )
    for row in open_rows:
        figures = by_cdmo.get(row["project__cdmo_id"])
        if figures is None:
            continue
        counts = [row[f"age_{key}"] for key, *_ in AGE_BUCKETS]
        figures.open_by_severity[row["severity"]] = counts
        figures.open_total += sum(counts)
    return sorted(by_cdmo.values(), key=lambda f: f.label)
