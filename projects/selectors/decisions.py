"""Reads for decision requests."""

from __future__ import annotations

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.shortcuts import get_object_or_404

from ..models import (
    DecisionRequest,
    DecisionStatus,
    Project,
    StatusUpdate,
)
from .project import projects_visible_to


def update_decisions(*, update: StatusUpdate) -> list[tuple[dict, DecisionRequest | None]]:
    """The update's decisions-needed items with the live request each became when published."""
    items = list(update.decisions_needed or [])
    ids = [item.get("decision_id") for item in items if item.get("decision_id")]
    requests = {
        d.pk: d
        for d in DecisionRequest.objects.filter(pk__in=ids, project_id=update.project_id).select_related(
            "decided_by", "approved_option"
        )
    }
    return [(item, requests.get(item.get("decision_id"))) for item in items]


def open_decisions_for_project(*, project: Project) -> QuerySet[DecisionRequest]:
    return (
        DecisionRequest.objects.filter(project=project, status=DecisionStatus.OPEN)
        .select_related("update")
        .order_by("needed_by", "pk")
    )


def get_decision(*, project: Project, decision_id: int) -> DecisionRequest:
    return get_object_or_404(
        DecisionRequest.objects.select_related("update", "decided_by", "project").prefetch_related("options"),
        pk=decision_id,
        project=project,
    )


def decisions_for_user(*, user, include_decided: bool = False) -> QuerySet[DecisionRequest]:
    """Decisions waiting on the sponsor across every project `user` can see, soonest needed first."""
    decisions = DecisionRequest.objects.filter(project__in=projects_visible_to(user=user))
    if include_decided:
        decisions = decisions.filter(status__in=[DecisionStatus.OPEN, DecisionStatus.DECIDED])
    else:
        decisions = decisions.filter(status=DecisionStatus.OPEN)
    return decisions.select_related(
        "project", "update", "decided_by", "recommended_option", "approved_option"
    ).order_by(
        Case(When(status=DecisionStatus.OPEN, then=Value(0)), default=Value(1), output_field=IntegerField()),
        "needed_by",
        "pk",
    )
