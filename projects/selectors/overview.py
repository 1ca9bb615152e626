"""Reads for a project's overview: one query per panel, whatever the project holds.

Each list comes with the size of the whole list (`total`, a window count over the same rows),
so a panel shows "the next 5 of 23" without a second query. Each read takes only the columns
its panel shows, and its SQL is compiled once per process (`CompiledRead`): the overview makes
the same reads on every request, all panels' in one round trip. The caller has checked the
project is visible (`get_project_for_user`).
"""

from __future__ import annotations

from django.db.models import Count, F, Window

from portal.core.compiled import CompiledRead

from ..models import (
    OPEN_MILESTONE_STATUSES,
    Milestone,
    Project,
    StatusUpdate,
    UpdateStatus,
)
from .decisions import open_decisions_for_project

# The current revision of the latest published update, with `published_by_name`. Published
# means the sponsor sees it too: drafts never show on the overview.
LATEST_UPDATE = CompiledRead(
    lambda project_id: (
        StatusUpdate.objects.filter(project_id=project_id, status=UpdateStatus.PUBLISHED)
        .only(
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
        )
        .annotate(published_by_name=F("published_by__full_name"))
        .order_by("-period_end", "-published_at", "-pk")[:1]
    ),
    project_id=int,
)

_NEXT_MILESTONES = 5
# The next milestones still to meet (soonest forecast first, so past-due ones lead), with `slip`
# in days and how many are still to meet in all (`total`).
NEXT_MILESTONES = CompiledRead(
    lambda project_id: (
        Milestone.objects.filter(project_id=project_id, status__in=OPEN_MILESTONE_STATUSES)
        .only("pk", "project_id", "title", "baseline_date", "forecast_date", "status")
        .with_slip()
        .annotate(total=Window(Count("pk")))
        .order_by("forecast_date", "baseline_date", "pk")[:_NEXT_MILESTONES]
    ),
    project_id=int,
)

_OPEN_DECISIONS = 4
# The open decisions needed soonest, each with `update_title` (the update that asked for it),
# `recommended_label` (the option the CDMO recommends, when asked as a choice),
# and how many are open in all (`total`).
OPEN_DECISIONS = CompiledRead(
    lambda project_id: (
        open_decisions_for_project(project=Project(pk=project_id))
        .select_related(None)
        .only("pk", "project_id", "update_id", "title", "needed_by")
        .annotate(
            update_title=F("update__title"),
            recommended_label=F("recommended_option__label"),
            total=Window(Count("pk")),
        )[:_OPEN_DECISIONS]
    ),
    project_id=int,
)
