"""Reads of the working agreement. `agreement_in_force(project=, at=)` is the one answer to "which
terms governed this project at time T" (the scorecards measure against it, docs/working-agreement.md)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from portal.core import clock

from ..models import AgreementStatus, Project, ProjectMember, Side, TeamRole, WorkingAgreement

# Who signs for each side: the sponsor's project lead and the CDMO's project manager.
SIGNING_ROLES = {Side.SPONSOR: TeamRole.SPONSOR_LEAD, Side.CDMO: TeamRole.PROJECT_MANAGER}

_RELATED = (
    "sponsor_escalation",
    "cdmo_escalation",
    "drafted_by",
    "sponsor_signed_by",
    "cdmo_signed_by",
    "change_request",
)


def agreements_for_project(*, project: Project) -> QuerySet[WorkingAgreement]:
    """Every version, newest first, with the people it names."""
    return WorkingAgreement.objects.filter(project=project).select_related(*_RELATED).order_by("-number")


def agreement_in_force(*, project: Project | int, at: dt.datetime | None = None) -> WorkingAgreement | None:
    """The version in force at `at` (default: now): effective_from <= at < superseded_at. None
    before the first version came into force (the project's live settings governed then)."""
    at = at or clock.now()
    return (
        WorkingAgreement.objects.filter(
            project=project,
            status__in=[AgreementStatus.IN_FORCE, AgreementStatus.SUPERSEDED],
            effective_from__lte=at,
        )
        .filter(Q(superseded_at__isnull=True) | Q(superseded_at__gt=at))
        .select_related(*_RELATED)
        .order_by("-effective_from")
        .first()
    )


def has_agreement_in_force(*, project: Project | int) -> bool:
    return WorkingAgreement.objects.filter(project=project, status=AgreementStatus.IN_FORCE).exists()


def pending_agreement(*, project: Project) -> WorkingAgreement | None:
    """The draft awaiting the leads' signatures, or the version a change request proposes."""
    return (
        WorkingAgreement.objects.filter(
            project=project, status__in=[AgreementStatus.DRAFT, AgreementStatus.PROPOSED]
        )
        .select_related(*_RELATED)
        .first()
    )


def signing_leads(*, project: Project) -> dict[str, list]:
    """{side: the active people who sign for it}: sponsor project leads, CDMO project managers."""
    leads: dict[str, list] = {Side.SPONSOR: [], Side.CDMO: []}
    members = ProjectMember.objects.filter(
        project=project,
        removed_at__isnull=True,
        user__is_active=True,
        role__in=list(SIGNING_ROLES.values()),
    ).select_related("user")
    for member in members:
        leads[member.side].append(member.user)
    return leads
