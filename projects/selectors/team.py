"""Reads for the project team."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from portal.accounts.models import ORG_WIDE_ROLES, OrgRole, User
from portal.core.compiled import read_together

from ..models import (
    Project,
    ProjectMember,
    Side,
    TeamRole,
)
from .project import (
    VISIBLE_PROJECT,
    ProjectAccess,
    projects_visible_to,
    viewer_read,
    viewer_values,
    visible_project_of,
)


def project_team(*, project: Project) -> QuerySet[ProjectMember]:
    return (
        ProjectMember.objects.filter(project=project, removed_at__isnull=True)
        .select_related("user")
        .order_by("side", "role", "user__full_name")
    )


# `project_team` of a project the user may see, nothing of one they may not.
VISIBLE_TEAM = viewer_read(
    lambda user, project_id: project_team(project=Project(pk=project_id)).filter(
        project__in=projects_visible_to(user=user).filter(pk=project_id)
    ),
    project_id=int,
)


def project_and_team(*, user, project_id: int) -> tuple[Project, list[ProjectMember]]:
    """The project (`visible_project`) and its current team (`project_team`), read in one round
    trip; Http404 if the user may not see the project."""
    values = {**viewer_values(user), "project_id": project_id}
    project_rows, members = read_together([(VISIBLE_PROJECT, values), (VISIBLE_TEAM, values)])
    return visible_project_of(project_rows), members


@dataclass(frozen=True)
class TeamGaps:
    """Who is missing from a team: what the red flags watch for."""

    no_decision_maker: bool
    no_sponsor_contact: bool
    no_cdmo_contact: bool

    @property
    def any(self) -> bool:
        return self.no_decision_maker or self.no_sponsor_contact or self.no_cdmo_contact


def team_gaps(*, members) -> TeamGaps:
    """Gaps in an already-loaded team (no queries)."""
    members = list(members)
    return TeamGaps(
        no_decision_maker=not any(m.role == TeamRole.DECISION_MAKER for m in members),
        no_sponsor_contact=not any(m.is_point_of_contact and m.side == Side.SPONSOR for m in members),
        no_cdmo_contact=not any(m.is_point_of_contact and m.side == Side.CDMO for m in members),
    )


# The team role that runs each side of a team (organization admins can too).
SIDE_MANAGER_ROLE = {Side.SPONSOR: TeamRole.SPONSOR_LEAD, Side.CDMO: TeamRole.PROJECT_MANAGER}


def _manages_side(member: ProjectMember, role: str | None = None) -> bool:
    return (role or member.role) == SIDE_MANAGER_ROLE[member.side] or member.user.org_role == OrgRole.ADMIN


def last_side_manager_refusal(*, member: ProjectMember, new_role: str | None = None) -> str:
    """Why `member` may not leave (or, with `new_role`, change role): they are the last person on
    their side of the team who can manage it, so nobody on the team could undo it. "" if they may."""
    if not _manages_side(member) or (new_role is not None and _manages_side(member, new_role)):
        return ""
    others = (
        ProjectMember.objects.filter(project_id=member.project_id, side=member.side, removed_at__isnull=True)
        .exclude(pk=member.pk)
        .select_related("user")
    )
    if any(_manages_side(other) for other in others):
        return ""
    role = TeamRole(SIDE_MANAGER_ROLE[member.side]).label.lower()
    return (
        f"{member.user} is the last person on the {member.get_side_display().lower()} team who can manage it. "
        f"Make someone else {role} first."
    )


def removal_consequences(*, access: ProjectAccess, member: ProjectMember) -> list[str]:
    """What taking `member` off the team would cost, in words, for the person to confirm first:
    removing yourself, the only decision-maker, or a side's point of contact."""
    consequences = []
    if member.user_id == access.user.pk:
        if access.user.org_role in ORG_WIDE_ROLES:
            consequences.append(
                "You are taking yourself off the team. As an organization "
                f"{access.user.get_org_role_display().lower()} you still see the project."
            )
        else:
            consequences.append(
                "You are taking yourself off the team: you will no longer see this project, "
                "and only someone still on it can add you back."
            )
    if member.role == TeamRole.DECISION_MAKER and not (
        ProjectMember.objects.filter(
            project_id=member.project_id, role=TeamRole.DECISION_MAKER, removed_at__isnull=True
        )
        .exclude(pk=member.pk)
        .exists()
    ):
        consequences.append(
            f"{member.user} is the only decision-maker: nobody will be able to take the sponsor's decisions "
            "on this project, and a “No decision-maker” red flag will be raised."
        )
    if member.is_point_of_contact:
        side = member.get_side_display().lower()
        consequences.append(
            f"{member.user} is the {side} point of contact: the {side} side will have none until someone "
            "else is named, and a red flag will be raised."
        )
    return consequences


def candidates_for_team(*, project: Project, side: str) -> QuerySet[User]:
    """Active people of that side's organization who are not on the team yet."""
    org_id = project.sponsor_id if side == Side.SPONSOR else project.cdmo_id
    on_team = ProjectMember.objects.filter(project=project, removed_at__isnull=True).values("user_id")
    return (
        User.objects.filter(organization_id=org_id, is_active=True)
        .exclude(pk__in=on_team)
        .order_by("full_name")
    )


def sponsor_team(*, project: Project) -> list[User]:
    """Active sponsor-side team members with a working login (who hear about updates)."""
    return [
        m.user
        for m in ProjectMember.objects.filter(
            project=project, side=Side.SPONSOR, removed_at__isnull=True, user__is_active=True
        ).select_related("user")
    ]


def cdmo_project_managers(*, project: Project) -> list[User]:
    """Who answers for the CDMO: the project managers, else the CDMO point of contact."""
    members = list(
        ProjectMember.objects.filter(
            project=project, side=Side.CDMO, removed_at__isnull=True, user__is_active=True
        )
        .filter(Q(role=TeamRole.PROJECT_MANAGER) | Q(is_point_of_contact=True))
        .select_related("user")
    )
    managers = [m.user for m in members if m.role == TeamRole.PROJECT_MANAGER]
    return managers or [m.user for m in members]


def team_users(*, project: Project, side: str | None = None, active_only: bool = False) -> QuerySet[User]:
    """People on the project team (of one side, if given), by name: the choices for an owner,
    an invitee or a plan owner. `active_only` leaves out deactivated accounts."""
    members = ProjectMember.objects.filter(project=project, removed_at__isnull=True)
    if side is not None:
        members = members.filter(side=side)
    people = User.objects.filter(pk__in=members.values("user_id"))
    if active_only:
        people = people.filter(is_active=True)
    return people.order_by("full_name")
