"""Reads for the executive escalation dashboard.

Every figure is an annotation or an aggregate over `projects_visible_to(user)`,
so a page costs the same handful of queries for 10 projects or 10,000.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Lower, TruncWeek
from django.utils import timezone

from issues.models import ServiceIssue
from projects.models import (
    OPEN_MILESTONE_STATUSES,
    Milestone,
    Project,
    ProposalStatus,
    StatusUpdate,
    UpdateStatus,
)
from projects.selectors import projects_visible_to

from .models import Flag, FlagKind, Severity

# How much attention a project needs. Shown on the page, so people can check the sums.
SCORE_WEIGHTS = {
    "red": 6,
    "amber": 3,
    "critical_flag": 5,
    "warning_flag": 2,
    "breached_issue": 4,
    "slip_week": 1,  # per full week of the worst milestone slip
    "slip_weeks_max": 6,
}

# Each dashboard column of flags groups some kinds.
FLAG_COLUMNS = {
    "communication": (
        FlagKind.STALE_UPDATE,
        FlagKind.QUESTION_UNANSWERED,
        FlagKind.MINUTES_NOT_SENT,
        FlagKind.MINUTES_NOT_CONFIRMED,
    ),
    "people": (
        FlagKind.NO_DECISION_MAKER,
        FlagKind.GOVERNANCE_WITHOUT_DECISION_MAKER,
        FlagKind.DECISION_MAKER_ABSENT,
        FlagKind.NO_SPONSOR_CONTACT,
        FlagKind.NO_CDMO_CONTACT,
    ),
    "delivery": (FlagKind.MILESTONE_SLIP, FlagKind.MILESTONE_PAST_DUE, FlagKind.ACTION_ITEM_OVERDUE),
    "service": (FlagKind.ISSUE_ACK_BREACH, FlagKind.ISSUE_PLAN_BREACH),
}
DECISION_MAKER_KINDS = (
    FlagKind.NO_DECISION_MAKER,
    FlagKind.DECISION_MAKER_ABSENT,
    FlagKind.GOVERNANCE_WITHOUT_DECISION_MAKER,
)


# The dashboard's sortable columns and the direction a first click sorts them in: the one that
# puts the programs needing attention first (highest score, red, stalest update, worst slip).
DASHBOARD_SORTS = {"score": "-", "overall": "-", "updated": "", "slip": "-", "counterparty": ""}
DEFAULT_SORT = "-score"


def clean_sort(value: str | None) -> str:
    """ "slip", "-slip"...: a known key with an optional "-" (descending); anything else, the default."""
    value = value or ""
    key = value[1:] if value.startswith("-") else value
    return value if key in DASHBOARD_SORTS else DEFAULT_SORT


@dataclass
class DashboardFilters:
    q: str = ""
    counterparty: int | None = None
    status: str = "active"
    overall: str = ""
    flag_kind: str = ""
    attention_only: bool = False
    sort: str = DEFAULT_SORT

    def __post_init__(self):
        self.sort = clean_sort(self.sort)


def _ordering(sort: str, *, user) -> list:
    """ORDER BY for `sort`, then the attention score and the code, so ties are stable."""
    descending, key = sort.startswith("-"), sort.lstrip("-")
    if key == "overall":
        expression = Case(
            When(overall="red", then=Value(3)),
            When(overall="amber", then=Value(2)),
            When(overall="green", then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
    elif key == "counterparty":
        expression = Lower("cdmo__name" if user.organization.is_sponsor else "sponsor__name")
    else:
        expression = F({"score": "score", "updated": "last_update_published_at", "slip": "worst_slip"}[key])
    # A program never updated counts as the stalest: first when ascending, last when descending.
    first = expression.desc(nulls_last=True) if descending else expression.asc(nulls_first=True)
    return [first, "-score", "code", "pk"]


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


def dashboard_rows(*, user, filters: DashboardFilters) -> QuerySet[Project]:
    """Visible projects with every figure a dashboard row shows, in `filters.sort` order
    (attention score, highest first, by default)."""
    latest = (
        StatusUpdate.objects.filter(project=OuterRef("pk"), status=UpdateStatus.PUBLISHED)
        .order_by("-published_at")
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
    rows = (
        projects_visible_to(user=user)
        .filter(proposal_status=ProposalStatus.ACCEPTED)  # a proposal is not a running program yet
        .select_related("sponsor", "cdmo")
        .annotate(
            overall=Subquery(latest),
            critical_flags=flag_count(severity=Severity.CRITICAL),
            warning_flags=flag_count(severity=Severity.WARNING),
            breached_issues=_breached_issue_count(),
            worst_slip=Coalesce(Subquery(worst_slip), 0),
            decision_maker_flagged=Exists(
                Flag.objects.filter(
                    project=OuterRef("pk"), cleared_at__isnull=True, kind__in=DECISION_MAKER_KINDS
                )
            ),
        )
    )
    w = SCORE_WEIGHTS
    rows = rows.annotate(
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
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.q:
        rows = rows.filter(Q(code__icontains=filters.q) | Q(name__icontains=filters.q))
    if filters.counterparty:
        rows = rows.filter(Q(sponsor_id=filters.counterparty) | Q(cdmo_id=filters.counterparty))
    if filters.overall == "none":
        rows = rows.filter(overall__isnull=True)
    elif filters.overall:
        rows = rows.filter(overall=filters.overall)
    if filters.flag_kind:
        rows = rows.filter(
            Exists(
                Flag.objects.filter(project=OuterRef("pk"), cleared_at__isnull=True, kind=filters.flag_kind)
            )
        )
    if filters.attention_only:
        rows = rows.filter(score__gt=0)
    return rows.order_by(*_ordering(filters.sort, user=user))


@dataclass
class FlagGroup:
    """Open flags of one kind on one project, as one cell entry ("Action item overdue ×3")."""

    kind: str
    label: str
    severity: str
    explanations: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.explanations)


def flags_by_kind_for(projects: list[Project]) -> dict[int, dict[str, list[FlagGroup]]]:
    """Open flags of the given (already paginated) projects, grouped per column and kind: one query."""
    grouped: dict[int, dict[str, list[FlagGroup]]] = {
        p.pk: {column: [] for column in FLAG_COLUMNS} for p in projects
    }
    column_of = {kind: column for column, kinds in FLAG_COLUMNS.items() for kind in kinds}
    groups: dict[tuple[int, str], FlagGroup] = {}
    flags = Flag.objects.filter(project__in=[p.pk for p in projects], cleared_at__isnull=True).order_by(
        "raised_at", "pk"
    )
    for flag in flags:
        group = groups.get((flag.project_id, flag.kind))
        if group is None:
            group = groups[(flag.project_id, flag.kind)] = FlagGroup(
                flag.kind, flag.get_kind_display(), flag.severity
            )
            grouped[flag.project_id][column_of.get(flag.kind, "delivery")].append(group)
        if flag.severity == Severity.CRITICAL:
            group.severity = Severity.CRITICAL
        group.explanations.append(flag.explanation)
    return grouped


def open_flags_for_project(*, project: Project) -> QuerySet[Flag]:
    return Flag.objects.filter(project=project, cleared_at__isnull=True).order_by("-severity", "-raised_at")


def cleared_flags_for_project(*, project: Project) -> QuerySet[Flag]:
    return Flag.objects.filter(project=project, cleared_at__isnull=False).order_by("-cleared_at")


def open_flag_counts(*, user) -> list[tuple[str, str, int]]:
    """(kind, label, count) of open flags across the user's visible projects, most first."""
    counts = dict(
        Flag.objects.filter(project__in=projects_visible_to(user=user), cleared_at__isnull=True)
        .values_list("kind")
        .annotate(n=Count("pk"))
        .values_list("kind", "n")
    )
    return sorted(
        ((kind, label, counts.get(kind, 0)) for kind, label in FlagKind.choices), key=lambda t: -t[2]
    )


@dataclass
class WeeklyTrend:
    weeks: list[dt.date] = field(default_factory=list)
    raised: list[int] = field(default_factory=list)
    cleared: list[int] = field(default_factory=list)


def flag_trend(*, user, weeks: int = 12, today: dt.date | None = None) -> WeeklyTrend:
    """Flags raised and cleared per week over the last `weeks` weeks (two aggregate queries)."""
    today = today or timezone.localdate()
    first_monday = today - dt.timedelta(days=today.weekday()) - dt.timedelta(weeks=weeks - 1)
    start = timezone.make_aware(dt.datetime.combine(first_monday, dt.time.min))
    visible = Flag.objects.filter(project__in=projects_visible_to(user=user))

    def per_week(moment: str) -> dict:
        return dict(
            visible.filter(**{f"{moment}__gte": start})
            .annotate(week=TruncWeek(moment))
            .values("week")
            .annotate(n=Count("pk"))
            .values_list("week", "n")
        )

    raised, cleared = per_week("raised_at"), per_week("cleared_at")
    by_date_raised = {
        timezone.localdate(k) if isinstance(k, dt.datetime) else k: v for k, v in raised.items()
    }
    by_date_cleared = {
        timezone.localdate(k) if isinstance(k, dt.datetime) else k: v for k, v in cleared.items()
    }
    trend = WeeklyTrend()
    for i in range(weeks):
        week = first_monday + dt.timedelta(weeks=i)
        trend.weeks.append(week)
        trend.raised.append(by_date_raised.get(week, 0))
        trend.cleared.append(by_date_cleared.get(week, 0))
    return trend
