"""Reads for milestones. Every read starts from a project the caller may see."""

from __future__ import annotations

from django.db.models import QuerySet
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from ..models import (
    Milestone,
    MilestoneForecastChange,
    Project,
)


def milestones_for_project(*, project: Project) -> QuerySet[Milestone]:
    """The project's milestones in date order, with `slip` (days) from the database."""
    return (
        Milestone.objects.filter(project=project)
        .with_slip()
        .select_related("owner")
        .order_by(Coalesce("actual_date", "forecast_date"), "baseline_date", "pk")
    )


def get_milestone(*, project: Project, milestone_id: int) -> Milestone:
    return get_object_or_404(
        Milestone.objects.with_slip().select_related("owner", "project"), pk=milestone_id, project=project
    )


def milestone_forecast_history(*, milestone: Milestone) -> QuerySet[MilestoneForecastChange]:
    return milestone.forecast_changes.select_related("changed_by").order_by("-changed_at", "-pk")
