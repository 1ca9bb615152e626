"""Reads of the responses: resolution plans and who hears about each rung of the ladder."""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404

from portal.accounts.models import OrgRole, User
from projects.models import AgreementStatus, Project, ProjectMember, TeamRole, WorkingAgreement

from ..models import EscalationLevel, ResolutionPlan, ServiceIssue


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


def issue_plans(*, issue: ServiceIssue) -> list[ResolutionPlan]:
    return list(
        ResolutionPlan.objects.filter(issue=issue)
        .select_related("owner", "proposed_by", "responded_by")
        .order_by("-proposed_at", "-pk")
    )


def escalation_recipients(*, project: Project, level: int) -> list[User]:
    """The people at one rung of the ladder, in one query, each once.

    0: the CDMO project manager(s) on the team.
    1: CDMO management: the CDMO organization's admins, and the CDMO escalation contact of the
       working agreement in force.
    2: executives on both sides: executives of both organizations, team members with an
       executive role, and both escalation contacts of the agreement in force.
    Active users only; an escalation contact only while still on the team (one who left sees
    nothing of the project, and the monitoring flags the agreement for a change).
    """
    active = Q(is_active=True)
    if level == EscalationLevel.PROJECT_MANAGER:
        team = ProjectMember.objects.filter(
            project=project, role=TeamRole.PROJECT_MANAGER, removed_at__isnull=True
        ).values("user_id")
        people = User.objects.filter(active, pk__in=team)
    elif level == EscalationLevel.CDMO_MANAGEMENT:
        people = User.objects.filter(
            active,
            Q(organization_id=project.cdmo_id, org_role=OrgRole.ADMIN)
            | _agreed_contacts(project, "cdmo_escalation"),
        )
    else:
        team_execs = ProjectMember.objects.filter(
            project=project,
            role__in=[TeamRole.SPONSOR_EXECUTIVE, TeamRole.CDMO_EXECUTIVE],
            removed_at__isnull=True,
        ).values("user_id")
        people = User.objects.filter(
            active,
            Q(organization_id__in=[project.sponsor_id, project.cdmo_id], org_role=OrgRole.EXECUTIVE)
            | Q(pk__in=team_execs)
            | _agreed_contacts(project, "sponsor_escalation", "cdmo_escalation"),
        )
    return list(people.select_related("organization").order_by("full_name"))


def _agreed_contacts(project: Project, *fields: str) -> Q:
    """The escalation contacts (`fields`) of the agreement in force who are still on the team: a
    condition on users, subqueries only (the ladder stays one query)."""
    in_force = WorkingAgreement.objects.filter(project=project, status=AgreementStatus.IN_FORCE)
    on_team = ProjectMember.objects.filter(project=project, removed_at__isnull=True).values("user_id")
    named = Q()
    for field in fields:
        named |= Q(pk__in=in_force.values(field))
    return named & Q(pk__in=on_team)


def agreed_escalation_steps(*, project: Project) -> str:
    """What the agreement in force says to do when escalating ("" with none in force)."""
    return (
        WorkingAgreement.objects.filter(project=project, status=AgreementStatus.IN_FORCE)
        .values_list("escalation_steps", flat=True)
        .first()
        or ""
    )


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
