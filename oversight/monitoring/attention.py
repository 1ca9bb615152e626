"""How much attention each project needs: the figures of the executive dashboard.

`live_attention(projects)` is the one definition of every figure, as annotations computed from
the source tables (status updates, flags, service issues, milestones) and the scorecard's stored
trends (which measures are falling, kept by the scorecard refresh, which then refreshes these). `refresh_attention`
compiles that very queryset into one `INSERT ... SELECT ... ON CONFLICT DO UPDATE` that stores
the figures in `ProjectAttention`, so what the dashboard reads and what a recompute says cannot
drift apart. The listeners refresh a project in the transaction of every write that changes one
of its figures; the sweep refreshes every project at its end, as the safety net.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterable, Iterator
from contextvars import ContextVar

from django.db import connection, transaction
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Least

from issues.models import ServiceIssue
from oversight.scorecards.models import ProjectTrend
from portal.core import clock
from projects.models import OPEN_MILESTONE_STATUSES, Milestone, Project, StatusUpdate, UpdateStatus

from .models import Flag, FlagKind, ProjectAttention, Severity

# How much attention a project needs. Shown on the page, so people can check the sums.
SCORE_WEIGHTS = {
    "red": 6,
    "amber": 3,
    "critical_flag": 5,
    "warning_flag": 2,
    "breached_issue": 4,
    "slip_week": 1,  # per full week of the worst milestone slip
    "slip_weeks_max": 6,
    # Per scorecard measure falling this quarter (oversight/scorecards/trend.py), at most 3 counted:
    # the early warning of a relationship going wrong before anything is red.
    "falling_measure": 2,
    "falling_measures_max": 3,
}

DECISION_MAKER_KINDS = (
    FlagKind.NO_DECISION_MAKER,
    FlagKind.DECISION_MAKER_ABSENT,
    FlagKind.GOVERNANCE_WITHOUT_DECISION_MAKER,
)

# The stored figures, in the order of the table's columns after `project_id`.
FIGURES = (
    "overall",
    "critical_flags",
    "warning_flags",
    "breached_issues",
    "worst_slip",
    "decision_maker_flagged",
    "falling_measures",
    "score",
)


def _breached_issue_count():
    """Service issues past an agreed time and not yet closed."""
    breached = (
        ServiceIssue.objects.filter(project=OuterRef("pk"))
        .filter(Q(acknowledge_breached_at__isnull=False) | Q(plan_breached_at__isnull=False))
        .exclude(status="closed")
    )
    return Coalesce(
        Subquery(breached.order_by().values("project").annotate(n=Count("pk")).values("n")[:1]), 0
    )


def live_attention(projects: QuerySet[Project]) -> QuerySet[Project]:
    """`projects` annotated with every figure (FIGURES), computed now from the source tables."""
    latest = (
        StatusUpdate.objects.filter(project=OuterRef("pk"), status=UpdateStatus.PUBLISHED)
        .order_by("-published_at", "-pk")
        .values("overall_rag")[:1]
    )
    open_flags = (
        Flag.objects.filter(project=OuterRef("pk"), cleared_at__isnull=True).order_by().values("project")
    )
    count = Count("pk")

    def flag_count(**extra):
        return Coalesce(Subquery(open_flags.filter(**extra).annotate(n=count).values("n")[:1]), 0)

    worst_slip = (
        Milestone.objects.filter(project=OuterRef("pk"), status__in=OPEN_MILESTONE_STATUSES)
        .with_slip()
        .order_by("-slip")
        .values("slip")[:1]
    )
    rows = projects.annotate(
        overall=Subquery(latest),
        critical_flags=flag_count(severity=Severity.CRITICAL),
        warning_flags=flag_count(severity=Severity.WARNING),
        breached_issues=_breached_issue_count(),
        worst_slip=Coalesce(Subquery(worst_slip), 0),
        falling_measures=Coalesce(
            Subquery(
                ProjectTrend.objects.filter(project=OuterRef("pk"))
                .annotate(count=Func(F("falling"), function="cardinality", output_field=IntegerField()))
                .values("count")[:1]
            ),
            0,
        ),
        decision_maker_flagged=Exists(
            Flag.objects.filter(
                project=OuterRef("pk"), cleared_at__isnull=True, kind__in=DECISION_MAKER_KINDS
            )
        ),
    )
    w = SCORE_WEIGHTS
    return rows.annotate(
        score=(
            Case(
                When(overall="red", then=Value(w["red"])),
                When(overall="amber", then=Value(w["amber"])),
                default=Value(0),
                output_field=IntegerField(),
            )
            + w["critical_flag"] * F("critical_flags")
            + w["warning_flag"] * F("warning_flags")
            + w["breached_issue"] * F("breached_issues")
            + w["falling_measure"] * Least(F("falling_measures"), Value(w["falling_measures_max"]))
            + Case(
                When(
                    worst_slip__gte=7 * w["slip_weeks_max"], then=Value(w["slip_weeks_max"] * w["slip_week"])
                ),
                When(worst_slip__gt=0, then=F("worst_slip") / 7 * w["slip_week"]),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
    )


def live_figures(project_ids: Iterable[int] | None = None) -> dict[int, dict]:
    """{project id: {figure: value}} recomputed now (what a refresh would store)."""
    projects = (
        Project.objects.all() if project_ids is None else Project.objects.filter(pk__in=list(project_ids))
    )
    return {row.pop("pk"): row for row in live_attention(projects.order_by()).values("pk", *FIGURES)}


@functools.cache
def _live_select() -> tuple[str, tuple]:
    """The SQL of `live_attention` over every project, compiled once per process."""
    live = live_attention(Project.objects.order_by()).annotate(project_ref=F("pk"))
    return live.values("project_ref", *FIGURES).query.sql_with_params()


# While a bulk writer runs inside `refreshed_once`, the projects its writes touch are noted here.
_noted: ContextVar[set[int] | None] = ContextVar("attention_noted", default=None)


@contextlib.contextmanager
def refreshed_once() -> Iterator[None]:
    """For bulk writers (the demo loader): inside, a refresh of given projects only notes them;
    leaving without an error refreshes every noted project once, in the same transaction. The
    demo's thousands of saves would otherwise each recompute their project's figures. Nested
    uses join the outermost."""
    if _noted.get() is not None:
        yield
        return
    noted: set[int] = set()
    token = _noted.set(noted)
    try:
        yield
    finally:
        _noted.reset(token)
    refresh_attention(project_ids=noted)


def refresh_attention(*, project_ids: Iterable[int] | None = None) -> int:
    """Store the live figures of these projects (of every project with None): one statement
    that inserts missing rows and updates only the rows whose figures changed. Returns how many
    rows it wrote.

    The rows of the given projects are locked first, in a statement of their own: a concurrent
    refresh of the same project waits for this transaction to commit, and its recompute, a new
    statement, then reads what this one wrote (READ COMMITTED takes a snapshot per statement).
    """
    if project_ids is not None:
        project_ids = sorted({int(pk) for pk in project_ids if pk})
        if not project_ids:
            return 0
        noted = _noted.get()
        if noted is not None:
            noted.update(project_ids)
            return 0
    table = connection.ops.quote_name(ProjectAttention._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(name) for name in FIGURES)
    excluded = ", ".join(f"EXCLUDED.{connection.ops.quote_name(name)}" for name in FIGURES)
    stored = ", ".join(f"{table}.{connection.ops.quote_name(name)}" for name in FIGURES)
    live = ", ".join(f"live.{connection.ops.quote_name(name)}" for name in ("project_ref", *FIGURES))
    select, params = _live_select()
    only = "" if project_ids is None else "WHERE live.project_ref = ANY(%s) "
    params = (clock.now(), *params, *([] if project_ids is None else [project_ids]))
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        if project_ids is None:
            cursor.execute(f"SELECT 1 FROM {table} ORDER BY project_id FOR UPDATE")
        else:
            cursor.execute(
                f"SELECT 1 FROM {table} WHERE project_id = ANY(%s) ORDER BY project_id FOR UPDATE",
                [project_ids],
            )
        cursor.execute(
            f"INSERT INTO {table} (project_id, {columns}, refreshed_at) "
            f"SELECT {live}, %s FROM ({select}) AS live {only}ORDER BY live.project_ref "
            f"ON CONFLICT (project_id) DO UPDATE SET ({columns}, refreshed_at) = "
            f"({excluded}, EXCLUDED.refreshed_at) "
            f"WHERE ({stored}) IS DISTINCT FROM ({excluded})",
            params,
        )
        return cursor.rowcount


def refresh_all_attention(*, batch: int = 1000) -> int:
    """Every project's figures, `batch` projects per transaction (the sweep's safety net): a write
    to a project waits for one batch at most, never for the whole table."""
    ids = list(Project.objects.order_by("pk").values_list("pk", flat=True))
    return sum(refresh_attention(project_ids=ids[i : i + batch]) for i in range(0, len(ids), batch))


def fill_missing_attention() -> int:
    """Store the figures of every project that has none yet (after `migrate`: all at first)."""
    if ProjectAttention._meta.db_table not in connection.introspection.table_names():
        return 0  # migrated back to before the table
    missing = Project.objects.filter(attention__isnull=True).values_list("pk", flat=True)
    return refresh_attention(project_ids=list(missing))
