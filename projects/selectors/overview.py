"""Reads for a project's overview: one query per panel, whatever the project holds.

Each list comes with the size of the whole list (`total`, a window count over the same rows),
so a panel shows "the next 5 of 23" without a second query. The caller has checked the project
is visible (`get_project_for_user`).
"""

from __future__ import annotations

from django.db.models import Count, Window

from ..models import (
    OPEN_MILESTONE_STATUSES,
    DecisionRequest,
    Milestone,
    Project,
    StatusUpdate,
    UpdateStatus,
)
from .decisions import open_decisions_for_project

# What the header's status and the latest-update panel show of an update, and no more.
_UPDATE_FIELDS = (
    "pk",
    "project_id",
    "title",
    "period_start",
    "period_end",
    "overall_rag",
    "schedule_rag",
    "budget_rag",
    "quality_rag",
    "supply_rag",
    "summary",
    "published_at",
    "revision_number",
    "published_by__full_name",
)


def overview_latest_update(*, project: Project) -> StatusUpdate | None:
    """The current revision of the latest published update, with who published it.

    Published means the sponsor sees it too: drafts never show on the overview."""
    return (
        StatusUpdate.objects.filter(project=project, status=UpdateStatus.PUBLISHED)
        .select_related("published_by")
        .only(*_UPDATE_FIELDS)
        .order_by("-period_end", "-published_at", "-pk")
        .first()
    )


def overview_next_milestones(*, project: Project, limit: int = 5) -> tuple[list[Milestone], int]:
    """The next `limit` milestones still to meet (soonest forecast first, so past-due ones lead),
    with `slip` in days, and how many are still to meet in all."""
    rows = list(
        Milestone.objects.filter(project=project, status__in=OPEN_MILESTONE_STATUSES)
        .only("pk", "project_id", "title", "baseline_date", "forecast_date", "status")
        .with_slip()
        .annotate(total=Window(Count("pk")))
        .order_by("forecast_date", "baseline_date", "pk")[:limit]
    )
    return rows, (rows[0].total if rows else 0)


def overview_open_decisions(*, project: Project, limit: int = 4) -> tuple[list[DecisionRequest], int]:
    """The open decisions needed soonest, and how many are open in all."""
    rows = list(
        open_decisions_for_project(project=project)
        .only("pk", "project_id", "title", "needed_by", "update__id", "update__project_id", "update__title")
        .annotate(total=Window(Count("pk")))[:limit]
    )
    return rows, (rows[0].total if rows else 0)
