"""How a CDMO answers service issues: medians, shares in time, open issues by age."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import Aggregate, Case, CharField, Count, F, FloatField, Func, Q, QuerySet, Value, When
from django.utils import timezone

from projects.models import Project
from projects.selectors import projects_visible_to

from ..models import IssueStatus, ServiceIssue, Severity


class SeverityCell(Func):
    """`severity || ':' || bucket`: both are never NULL, so without Concat's COALESCE wrapping
    (which doubled the expressions the query compiles, and hashes for its GROUP BY)."""

    template = "(%(expressions)s)"
    arg_joiner = " || ':' || "
    output_field = CharField()


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


WORKED_ON = [s for s in IssueStatus if s not in (IssueStatus.RESOLVED, IssueStatus.CLOSED)]
STILL_WORKED_ON = Q(status__in=WORKED_ON)


def _figure_aggregates(now: dt.datetime, to: str = "") -> dict:
    """Every figure as one aggregate each; `to` is the path to the issue (from a project)."""

    def q(**conditions) -> Q:
        return Q(**{f"{to}{name}": value for name, value in conditions.items()})

    pk, acknowledged = f"{to}pk", q(acknowledged_at__isnull=False)
    aggregates = {
        "total": Count(pk),
        "median_hours_to_acknowledge": Median(f"{to}hours_to_acknowledge"),
        "median_hours_to_plan": Median(f"{to}hours_to_first_plan"),
        "acknowledge_evaluated": Count(pk, filter=acknowledged | q(acknowledge_breached_at__isnull=False)),
        "acknowledge_in_time": Count(
            pk,
            filter=acknowledged
            & q(acknowledged_at__lte=F(f"{to}acknowledge_by"), acknowledge_breached_at__isnull=True),
        ),
        "plan_evaluated": Count(
            pk, filter=q(first_plan_proposed_at__isnull=False) | q(plan_breach_count__gt=0)
        ),
        "plan_in_time": Count(pk, filter=q(first_plan_proposed_at__isnull=False, plan_breach_count=0)),
        "resolved_ever": Count(pk, filter=q(resolved_at__isnull=False) | q(reopened_count__gt=0)),
        "reopened": Count(pk, filter=q(reopened_count__gt=0)),
    }
    # Issues still worked on, each as "severity:age bucket", counted per cell of the table in Python
    # (nine filtered counts would cost more to build than the query takes).
    later = [(key, now - dt.timedelta(days=high)) for key, _, _, high in AGE_BUCKETS if high is not None]
    bucket = Case(
        When(**{f"{to}raised_at__gt": now - dt.timedelta(days=AGE_BUCKETS[0][2])}, then=Value("")),  # future
        *[When(**{f"{to}raised_at__gt": since}, then=Value(key)) for key, since in later],
        default=Value(AGE_BUCKETS[-1][0]),
    )
    aggregates["open_cells"] = ArrayAgg(
        SeverityCell(f"{to}severity", bucket),
        filter=q(status__in=WORKED_ON),
        default=[],
    )
    return aggregates


def _figures(row: dict, label: str) -> IssueFigures:
    """IssueFigures from a row of `_figure_aggregates`."""
    figures = IssueFigures(label=label)
    cells = Counter(row.pop("open_cells"))
    for severity in Severity:
        counts = [cells[f"{severity}:{key}"] for key, *_ in AGE_BUCKETS]
        if any(counts):
            figures.open_by_severity[severity] = counts
            figures.open_total += sum(counts)
    for name, value in row.items():
        setattr(figures, name, value)
    return figures


def figures_for_issues(issues: QuerySet[ServiceIssue], *, label: str = "") -> IssueFigures:
    """Figures over `issues` in one aggregate query."""
    return _figures(issues.order_by().aggregate(**_figure_aggregates(timezone.now())), label)


def project_figures(*, project: Project) -> IssueFigures:
    return figures_for_issues(ServiceIssue.objects.filter(project=project), label=project.code)


def figures_by_cdmo(*, user) -> list[IssueFigures]:
    """Figures per CDMO over the projects `user` can see, in one grouped aggregate query.

    It starts from the visible projects and joins their issues, so the projects are read once
    (from the issues, the visibility subquery and the join for the CDMO would each read them).
    """
    rows = (
        projects_visible_to(user=user)
        .filter(service_issues__isnull=False)
        .order_by()
        .values("cdmo_id", "cdmo__name")
        .annotate(**_figure_aggregates(timezone.now(), to="service_issues__"))
    )
    by_cdmo = []
    for row in rows:
        del row["cdmo_id"]
        by_cdmo.append(_figures(row, row.pop("cdmo__name")))
    return sorted(by_cdmo, key=lambda f: f.label)
