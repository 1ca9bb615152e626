"""Reads for the executive escalation dashboard.

Every figure is read from the stored attention figures (`attention.py`) joined to
`projects_visible_to(user)`, and the flag panels from the stored flag tallies (`tally.py`), so a
page costs the same handful of queries for 10 projects or 10,000, and its rows and panels read
a page's worth of index entries rather than every visible project.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Lower, TruncWeek
from django.utils import timezone

from projects.models import Project, ProposalStatus
from projects.selectors import projects_visible_to

from .attention import (
    FIGURES,
    SCORE_WEIGHTS,  # noqa: F401  (the page shows the weights; views read them here)
)
from .models import Flag, FlagKind, Severity
from .tally import hours_align, tallied_summary

# Each dashboard column of flags groups some kinds.
FLAG_COLUMNS = {
    "communication": (
        FlagKind.STALE_UPDATE,
        FlagKind.QUESTION_UNANSWERED,
        FlagKind.MINUTES_NOT_SENT,
        FlagKind.MINUTES_NOT_CONFIRMED,
        FlagKind.GOVERNANCE_RHYTHM_MISSED,
    ),
    "people": (
        FlagKind.NO_DECISION_MAKER,
        FlagKind.GOVERNANCE_WITHOUT_DECISION_MAKER,
        FlagKind.DECISION_MAKER_ABSENT,
        FlagKind.NO_SPONSOR_CONTACT,
        FlagKind.NO_CDMO_CONTACT,
        FlagKind.ESCALATION_CONTACT_LEFT,
    ),
    "delivery": (
        FlagKind.MILESTONE_SLIP,
        FlagKind.MILESTONE_PAST_DUE,
        FlagKind.ACTION_ITEM_OVERDUE,
        FlagKind.CHANGE_PAST_NEEDED_BY,
        FlagKind.DECISION_PAST_NEEDED_BY,
    ),
    "service": (FlagKind.ISSUE_ACK_BREACH, FlagKind.ISSUE_PLAN_BREACH),
}


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
    """ORDER BY for `sort`, then the attention score and the code, so ties are stable. The
    default (score, highest first, then code) is `attention_order_idx` (the code is the row's
    copy of the project's), so a page reads the index however many projects share a score."""
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
    if key == "updated":  # never updated counts as the stalest: first ascending, last descending
        first = expression.desc(nulls_last=True) if descending else expression.asc(nulls_first=True)
    else:  # never NULL
        first = expression.desc() if descending else expression.asc()
    return [first, *([] if key == "score" else ["-score"]), "attention__code", "pk"]


def _selected(*, user, filters: DashboardFilters) -> QuerySet[Project]:
    """The visible running projects `filters` select, in no order and without their figures."""
    rows = projects_visible_to(user=user).filter(
        proposal_status=ProposalStatus.ACCEPTED  # a proposal is not a running program yet
    )
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.q:
        rows = rows.filter(Q(code__icontains=filters.q) | Q(name__icontains=filters.q))
    if filters.counterparty:
        rows = rows.filter(Q(sponsor_id=filters.counterparty) | Q(cdmo_id=filters.counterparty))
    if filters.overall == "none":
        rows = rows.filter(attention__overall__isnull=True)
    elif filters.overall:
        rows = rows.filter(attention__overall=filters.overall)
    if filters.flag_kind:
        rows = rows.filter(
            Exists(
                Flag.objects.filter(project=OuterRef("pk"), cleared_at__isnull=True, kind=filters.flag_kind)
            )
        )
    if filters.attention_only:
        rows = rows.filter(attention__score__gt=0)
    return rows


def dashboard_rows(*, user, filters: DashboardFilters) -> QuerySet[Project]:
    """Visible projects with every figure a dashboard row shows (`attention.FIGURES`, as stored
    by `attention.refresh_attention`), in `filters.sort` order (attention score, highest first,
    by default). Every project has its stored row from its insert on (zeros until refreshed)."""
    return (
        _selected(user=user, filters=filters)
        .filter(attention__isnull=False)  # always true: a join, not an outer join
        .select_related("sponsor", "cdmo")
        .annotate(**{name: F(f"attention__{name}") for name in FIGURES})
        # Which scorecard measures are falling (the score counts them; the row names them).
        .annotate(falling_keys=F("scorecard_trend__falling"))
        .order_by(*_ordering(filters.sort, user=user))
    )


def dashboard_count(*, user, filters: DashboardFilters) -> int:
    """How many rows `dashboard_rows` has: counted over the projects alone unless a filter reads
    a stored figure (every project has its row, so the join changes no count)."""
    return _selected(user=user, filters=filters).count()


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

    @property
    def title(self) -> str:
        return " · ".join(self.explanations)


KIND_LABELS = dict(FlagKind.choices)
COLUMN_OF_KIND = {kind: column for column, kinds in FLAG_COLUMNS.items() for kind in kinds}


def flags_by_kind_for(projects: list[Project]) -> dict[int, dict[str, list[FlagGroup]]]:
    """Open flags of the given (already paginated) projects, grouped per column and kind: one query."""
    grouped: dict[int, dict[str, list[FlagGroup]]] = {
        p.pk: {column: [] for column in FLAG_COLUMNS} for p in projects
    }
    groups: dict[tuple[int, str], FlagGroup] = {}
    flags = (
        Flag.objects.filter(project__in=[p.pk for p in projects], cleared_at__isnull=True)
        .order_by("raised_at", "pk")
        .values_list("pk", "project_id", "kind", "severity", "explanation")
    )
    for _pk, project_id, kind, severity, explanation in flags:
        group = groups.get((project_id, kind))
        if group is None:
            group = groups[(project_id, kind)] = FlagGroup(kind, KIND_LABELS.get(kind, kind), severity)
            grouped[project_id][COLUMN_OF_KIND.get(kind, "delivery")].append(group)
        if severity == Severity.CRITICAL:
            group.severity = Severity.CRITICAL
        group.explanations.append(explanation)
    return grouped


def open_flags_for_project(*, project: Project) -> QuerySet[Flag]:
    return Flag.objects.filter(project=project, cleared_at__isnull=True).order_by("-severity", "-raised_at")


def cleared_flags_for_project(*, project: Project) -> QuerySet[Flag]:
    return Flag.objects.filter(project=project, cleared_at__isnull=False).order_by("-cleared_at")


@dataclass
class WeeklyTrend:
    weeks: list[dt.date] = field(default_factory=list)
    raised: list[int] = field(default_factory=list)
    cleared: list[int] = field(default_factory=list)


def flag_summary(
    *, user, weeks: int = 12, today: dt.date | None = None
) -> tuple[WeeklyTrend, list[tuple[str, str, int]]]:
    """The dashboard's two panels over the flags of the visible projects: flags raised and
    cleared per local week over the last `weeks` weeks, and (kind, label, count) of the open
    flags, most first. One query: the stored tallies (`tally.py`) for someone who sees the whole
    organization, else one pass over the flags of the projects they see."""
    today = today or timezone.localdate()
    first_monday = today - dt.timedelta(days=today.weekday()) - dt.timedelta(weeks=weeks - 1)
    start = timezone.make_aware(dt.datetime.combine(first_monday, dt.time.min))
    mondays = [first_monday + dt.timedelta(weeks=i) for i in range(weeks + 1)]
    if user.sees_whole_organization and hours_align(mondays):
        raised, cleared, open_counts = tallied_summary(organization_id=user.organization_id, start=start)
    else:
        raised, cleared, open_counts = _counted_summary(user=user, start=start)
    trend = WeeklyTrend(weeks=mondays[:-1])
    trend.raised = [raised[week] for week in trend.weeks]
    trend.cleared = [cleared[week] for week in trend.weeks]
    counts = sorted(
        ((kind, label, open_counts[kind]) for kind, label in FlagKind.choices), key=lambda t: -t[2]
    )
    return trend, counts


def _counted_summary(*, user, start: dt.datetime) -> tuple[Counter, Counter, Counter]:
    """(raised per local week, cleared per local week, open per kind) from `start`, counted in
    one pass over the flags of the visible projects that are open or were raised or cleared since,
    grouped by (week raised, week cleared, kind if open)."""
    groups = (
        Flag.objects.filter(
            Q(cleared_at__isnull=True) | Q(raised_at__gte=start) | Q(cleared_at__gte=start),
            project__in=projects_visible_to(user=user),
        )
        .annotate(
            raised_week=Case(When(raised_at__gte=start, then=TruncWeek("raised_at"))),
            cleared_week=Case(When(cleared_at__gte=start, then=TruncWeek("cleared_at"))),
            open_kind=Case(When(cleared_at__isnull=True, then=F("kind"))),
        )
        .values("raised_week", "cleared_week", "open_kind")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("raised_week", "cleared_week", "open_kind", "n")
    )
    raised, cleared, open_counts = Counter(), Counter(), Counter()
    for raised_week, cleared_week, open_kind, n in groups:
        if raised_week is not None:
            raised[_local_date(raised_week)] += n
        if cleared_week is not None:
            cleared[_local_date(cleared_week)] += n
        if open_kind is not None:
            open_counts[open_kind] += n
    return raised, cleared, open_counts


def _local_date(moment: dt.datetime | dt.date) -> dt.date:
    """The day of a truncated week: in a CASE it comes back as the naive local midnight."""
    if not isinstance(moment, dt.datetime):
        return moment
    return timezone.localdate(moment) if timezone.is_aware(moment) else moment.date()
