"""Reads for the service-issue log. Visibility goes through the project selector.

Sponsor users never receive CDMO-internal timeline entries from any function
here: every timeline read takes the viewer's `ProjectAccess`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import (
    Aggregate,
    Case,
    Count,
    F,
    FloatField,
    IntegerField,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.http import Http404
from django.utils import timezone

from portal.accounts.models import OrgRole, User
from projects.models import Project, ProjectMember, TeamRole
from projects.selectors import ProjectAccess, get_project_for_user, projects_visible_to

from .models import (
    AWAITING_PLAN,
    DEFAULT_RESPONSE_HOURS,
    EscalationLevel,
    IssueEvent,
    IssueStatus,
    PlanStatus,
    Recognition,
    ResolutionPlan,
    ResponseTimeAgreement,
    ServiceIssue,
    ServiceIssueAttachment,
    Severity,
)

# Agreed response times ------------------------------------------------------


@dataclass(frozen=True)
class AgreedTimes:
    severity: str
    acknowledge_within_hours: int
    plan_within_hours: int
    is_default: bool

    @property
    def severity_label(self) -> str:
        return Severity(self.severity).label


def effective_agreements(*, project: Project) -> list[AgreedTimes]:
    """The project's agreed times per severity (critical first); defaults where none was agreed."""
    rows = {a.severity: a for a in ResponseTimeAgreement.objects.filter(project=project)}
    result = []
    for severity in Severity:
        row = rows.get(severity)
        if row is not None:
            result.append(AgreedTimes(severity, row.acknowledge_within_hours, row.plan_within_hours, False))
        else:
            ack, plan = DEFAULT_RESPONSE_HOURS[severity]
            result.append(AgreedTimes(severity, ack, plan, True))
    return result


def agreed_times_for(*, project: Project, severity: str) -> AgreedTimes:
    return next(a for a in effective_agreements(project=project) if a.severity == severity)


# Issues -------------------------------------------------------------------------


def issues_visible_to(*, user) -> QuerySet[ServiceIssue]:
    return ServiceIssue.objects.filter(project__in=projects_visible_to(user=user))


def get_plan(*, issue: ServiceIssue, resolutionplan_id: int) -> ResolutionPlan:
    """A plan of `issue` (already checked for the viewer); Http404 for any other id."""
    plan = (
        ResolutionPlan.objects.select_related("owner", "proposed_by")
        .filter(issue=issue, pk=resolutionplan_id)
        .first()
    )
    if plan is None:
        raise Http404("No such plan.")
    return plan


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
    q: str = ""

    @property
    def any(self) -> bool:
        return bool(self.status or self.severity or self.category or self.breach or self.project or self.q)


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


def issue_plans(*, issue: ServiceIssue) -> list[ResolutionPlan]:
    return list(
        ResolutionPlan.objects.filter(issue=issue)
        .select_related("owner", "proposed_by", "responded_by")
        .order_by("-proposed_at", "-pk")
    )


def issue_attachments(*, issue: ServiceIssue) -> list[ServiceIssueAttachment]:
    return list(ServiceIssueAttachment.objects.filter(issue=issue).select_related("uploaded_by"))


def get_attachment_for_user(
    *, user, project_id: int, serviceissue_id: int, serviceissueattachment_id: int
) -> ServiceIssueAttachment:
    issue, _ = get_issue_for_user(user=user, project_id=project_id, serviceissue_id=serviceissue_id)
    attachment = ServiceIssueAttachment.objects.filter(issue=issue, pk=serviceissueattachment_id).first()
    if attachment is None:
        raise Http404("No such attachment.")
    return attachment


# Escalation ladder ------------------------------------------------------------


def escalation_recipients(*, project: Project, level: int) -> list[User]:
    """The people at one rung of the ladder.

    0: the CDMO project manager(s) on the team.
    1: CDMO management: the CDMO organization's admins.
    2: executives on both sides: executives of both organizations and team
       members with an executive role.
    """
    active = Q(is_active=True)
    if level == EscalationLevel.PROJECT_MANAGER:
        team = ProjectMember.objects.filter(
            project=project, role=TeamRole.PROJECT_MANAGER, removed_at__isnull=True
        ).values("user_id")
        people = User.objects.filter(active, pk__in=team)
    elif level == EscalationLevel.CDMO_MANAGEMENT:
        people = User.objects.filter(active, organization_id=project.cdmo_id, org_role=OrgRole.ADMIN)
    else:
        team_execs = ProjectMember.objects.filter(
            project=project,
            role__in=[TeamRole.SPONSOR_EXECUTIVE, TeamRole.CDMO_EXECUTIVE],
            removed_at__isnull=True,
        ).values("user_id")
        people = User.objects.filter(
            active,
            Q(organization_id__in=[project.sponsor_id, project.cdmo_id], org_role=OrgRole.EXECUTIVE)
            | Q(pk__in=team_execs),
        )
    return list(people.select_related("organization").order_by("full_name"))


def sponsor_contacts(*, issue: ServiceIssue) -> list[User]:
    """Who hears about the CDMO's answers: the person who raised it and the sponsor lead(s)."""
    leads = ProjectMember.objects.filter(
        project_id=issue.project_id, role=TeamRole.SPONSOR_LEAD, removed_at__isnull=True
    ).values("user_id")
    return list(
        User.objects.filter(Q(pk=issue.raised_by_id) | Q(pk__in=leads), is_active=True)
        .select_related("organization")
        .order_by("full_name")
    )


# Figures ----------------------------------------------------------------------


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


# Recognition --------------------------------------------------------------------


def _recognitions() -> QuerySet[Recognition]:
    return Recognition.objects.select_related("given_by", "given_by__organization", "recipient", "project")


def project_recognitions(*, project: Project, limit: int | None = None) -> list[Recognition]:
    recognitions = _recognitions().filter(project=project).order_by("-given_at", "-pk")
    return list(recognitions[:limit] if limit else recognitions)


def recognitions_received(*, user) -> QuerySet[Recognition]:
    """Recognition on the projects `user` can see, for the "Recognition received" page."""
    return _recognitions().filter(project__in=projects_visible_to(user=user)).order_by("-given_at", "-pk")


def recognitions_for_person(*, user, limit: int = 3) -> tuple[list[Recognition], int]:
    """Recognition a CDMO person earned: naming them, or thanking the whole team of a project
    they are on. Returns (the latest `limit`, how many in all)."""
    from projects.models import ProjectMember

    on_team = ProjectMember.objects.filter(user=user, removed_at__isnull=True).values("project_id")
    earned = recognitions_received(user=user).filter(
        Q(recipient=user) | Q(recipient__isnull=True, project_id__in=on_team)
    )
    return list(earned[:limit]), earned.count()


def recognitions_by_target(*, targets: list) -> dict[tuple[int, int], list[Recognition]]:
    """Recognition for several objects at once: {(content type id, pk): [...]}."""
    from django.contrib.contenttypes.models import ContentType

    if not targets:
        return {}
    by_type: dict[int, list[int]] = {}
    for obj in targets:
        by_type.setdefault(ContentType.objects.get_for_model(obj).pk, []).append(obj.pk)
    condition = Q()
    for type_id, ids in by_type.items():
        condition |= Q(target_type_id=type_id, target_id__in=ids)
    result: dict[tuple[int, int], list[Recognition]] = {}
    for recognition in _recognitions().filter(condition):
        result.setdefault((recognition.target_type_id, recognition.target_id), []).append(recognition)
    return result


def issue_recognitions(*, issue: ServiceIssue) -> list[Recognition]:
    return recognitions_by_target(targets=[issue]).get((_content_type_id(ServiceIssue), issue.pk), [])


def _content_type_id(model) -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(model).pk


def latest_plan_prefetch() -> Prefetch:
    return Prefetch(
        "plans",
        queryset=ResolutionPlan.objects.filter(status=PlanStatus.ACCEPTED).select_related("owner"),
        to_attr="accepted_plans",
    )
