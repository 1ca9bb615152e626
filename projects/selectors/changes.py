"""Reads for change requests. Every read starts from a project the caller may see (the view has
it from `project_page`), so another project's change is a 404."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404

from ..models import (
    OPEN_MILESTONE_STATUSES,
    ChangeOption,
    ChangeRequest,
    ChangeStatus,
    Milestone,
    MilestoneBaseline,
    MilestoneImpact,
    Project,
)
from .project import projects_visible_to
from .search import matching_text_q


def changes_for_project(*, project: Project, include_decided: bool = False) -> QuerySet[ChangeRequest]:
    """The project's change requests: open ones soonest needed first, or all, newest first."""
    changes = (
        ChangeRequest.objects.filter(project=project)
        .select_related("raised_by", "decided_by")
        .annotate(option_count=Count("options", filter=Q(options__revision=F("revision"))))
    )
    if include_decided:
        return changes.order_by("-raised_at", "-pk")
    return changes.filter(status=ChangeStatus.PROPOSED).order_by("needed_by", "pk")


def get_change(*, project: Project, change_id: int) -> ChangeRequest:
    """One change request of `project` with every revision's options and their milestone impacts
    (the same shape the signature's content reads, so the page and the signature see the same
    thing); `change.current_options` reads the current revision's without a query, and
    `earlier_revisions(change=)` the others. Each option carries `recommended_then`: why it was
    recommended while its revision was current (read from the request's pghistory events, the
    only record of an earlier revision's recommendation), or None. Two queries for the options
    however many revisions there are."""
    impacts = MilestoneImpact.objects.select_related("milestone").order_by("pk")
    recommended_then = (
        ChangeRequest.pgh_event_model.objects.filter(
            pgh_obj_id=OuterRef("change_id"),
            revision=OuterRef("revision"),
            recommended_option_id=OuterRef("pk"),
        )
        .order_by("-pgh_id")
        .values("recommendation")[:1]
    )
    options = (
        ChangeOption.objects.annotate(recommended_then=Subquery(recommended_then))
        .prefetch_related(Prefetch("impacts", queryset=impacts))
        .order_by("revision", "position")
    )
    return get_object_or_404(
        ChangeRequest.objects.select_related(
            "project", "raised_by", "decided_by", "approved_option", "proposed_agreement"
        ).prefetch_related(Prefetch("options", queryset=options)),
        pk=change_id,
        project=project,
    )


@dataclass(frozen=True)
class EarlierRevision:
    """The options a change request had at an earlier revision, and which one was recommended
    then, with why (`recommended_option_id` None when the history does not say)."""

    number: int
    options: list[ChangeOption]
    recommended_option_id: int | None
    recommendation: str


def earlier_revisions(*, change: ChangeRequest) -> list[EarlierRevision]:
    """The revisions before the current one, newest first, each with its options and their
    milestone impacts. No query of its own: `get_change` prefetched every revision's options,
    each with what its revision recommended it for (`recommended_then`)."""
    by_revision: dict[int, list[ChangeOption]] = {}
    for option in change.options.all():
        if option.revision < change.revision:
            by_revision.setdefault(option.revision, []).append(option)
    revisions = []
    for number in sorted(by_revision, reverse=True):
        options = by_revision[number]
        recommended = next((o for o in options if getattr(o, "recommended_then", None) is not None), None)
        revisions.append(
            EarlierRevision(
                number=number,
                options=options,
                recommended_option_id=recommended.pk if recommended else None,
                recommendation=recommended.recommended_then if recommended else "",
            )
        )
    return revisions


def open_milestones(*, project: Project) -> QuerySet[Milestone]:
    """The milestones a change may re-baseline: the project's open ones."""
    return Milestone.objects.filter(project=project, status__in=OPEN_MILESTONE_STATUSES).order_by(
        "baseline_date", "pk"
    )


def change_baselines(*, change: ChangeRequest) -> QuerySet[MilestoneBaseline]:
    """The baselines an approved change set, with the milestones they belong to."""
    return change.baselines.select_related("milestone").order_by("milestone__baseline_date", "pk")


def milestone_baselines(*, milestone: Milestone) -> list[MilestoneBaseline]:
    """Every baseline the milestone has had, the first one first, with the changes that set them."""
    return list(milestone.baselines.select_related("change_request").order_by("set_at", "pk"))


@dataclass(frozen=True)
class ChangeLogFilters:
    """The cross-project change log's filters: `q` a project's code or name, or a party's name."""

    q: str = ""
    status: str = ""
    side: str = ""
    overdue: bool = False


def change_log(*, user, filters: ChangeLogFilters, today: datetime.date) -> QuerySet[ChangeRequest]:
    """Change requests across every project `user` can see, newest raised first, with what a
    row of the log shows (project and its parties, who raised, who decided and signed, the
    approved option) in the same query. `overdue`: still proposed after the needed-by date."""
    changes = ChangeRequest.objects.filter(project__in=projects_visible_to(user=user))
    if filters.q:
        changes = changes.filter(
            matching_text_q(filters.q, prefix="project__")
            | Q(project__sponsor__name__icontains=filters.q)
            | Q(project__cdmo__name__icontains=filters.q)
        )
    if filters.status:
        changes = changes.filter(status=filters.status)
    if filters.side:
        changes = changes.filter(raised_by_side=filters.side)
    if filters.overdue:
        changes = changes.filter(status=ChangeStatus.PROPOSED, needed_by__lt=today)
    return changes.select_related(
        "project__sponsor", "project__cdmo", "raised_by", "decided_by", "approved_option"
    ).order_by("-raised_at", "-pk")
