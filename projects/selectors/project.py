"""Reads for projects. Visibility lives here and nowhere else.

Every view that touches a project, or anything that belongs to one, starts
from `projects_visible_to` (lists) or `get_project_for_user` (one object),
so the tenancy rule is written once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from portal.accounts.models import ORG_WIDE_ROLES, OrgRole, User
from portal.core.compiled import CompiledRead
from portal.organizations.models import Organization, OrganizationKind

from .. import permissions
from ..models import (
    Project,
    ProjectMember,
    ProposalStatus,
    Side,
    TeamRole,
)


def _party_projects(*, user) -> QuerySet[Project]:
    """Projects of the user's organization that the user is entitled to, proposals included.

    A user sees a project only if their organization is a party to it and they
    are on its team, or they are an admin or executive of that organization.
    Anonymous users and users without an organization see nothing.
    """
    if not getattr(user, "is_authenticated", False) or not user.organization_id:
        return Project.objects.none()
    org_id = user.organization_id
    projects = Project.objects.filter(Q(sponsor_id=org_id) | Q(cdmo_id=org_id))
    if user.org_role in ORG_WIDE_ROLES:
        return projects
    on_team = ProjectMember.objects.filter(project=OuterRef("pk"), user=user, removed_at__isnull=True)
    return projects.filter(Exists(on_team))


def projects_visible_to(*, user) -> QuerySet[Project]:
    """Projects `user` may see.

    The tenancy rule of `_party_projects`, and a proposal is a project only for the organization
    that proposed it: the other side sees it through `proposals_visible_to` alone until it accepts.
    The rule asks of the user only what `viewer_values` passes to the compiled reads built on it
    (`VISIBLE_PROJECT`): asking more means passing more there.
    """
    projects = _party_projects(user=user)
    if not getattr(user, "organization_id", None):
        return projects
    return projects.filter(
        Q(proposal_status=ProposalStatus.ACCEPTED) | Q(proposed_by_org_id=user.organization_id)
    )


def organization_viewer(organization: Organization) -> User:
    """The organization acting as a whole (its API tokens, integration/api): a stand-in user,
    never saved, with an organization-wide role, so the organization sees what its
    whole-organization readers see (`User.sees_whole_organization`) through the one rule above.
    Its side follows the organization's: a sponsor's stand-in never reads CDMO-internal notes."""
    return User(organization_id=organization.pk, org_role=OrgRole.EXECUTIVE, is_active=True)


def projects_visible_to_organization(*, organization: Organization) -> QuerySet[Project]:
    """Projects the organization sees as a whole: every accepted project it is party to, and
    its own proposals (the rule of `projects_visible_to`, asked of `organization_viewer`)."""
    return projects_visible_to(user=organization_viewer(organization))


def organization_access(*, organization: Organization, project: Project) -> ProjectAccess:
    """The organization's access to a project it sees: its side, no team role (read-only)."""
    return _access(user=organization_viewer(organization), project=project, roles=())


def proposals_visible_to(*, user) -> QuerySet[Project]:
    """Projects whose proposal `user` may read: everything of `_party_projects` that is not yet
    (or never was) accepted, on either side. Only the proposal page reads through this."""
    return _party_projects(user=user).exclude(proposal_status=ProposalStatus.ACCEPTED)


def proposals_waiting_for(*, user) -> QuerySet[Project]:
    """Open proposals the other organization made to the user's organization (list page)."""
    if not getattr(user, "organization_id", None):
        return Project.objects.none()
    return (
        proposals_visible_to(user=user)
        .filter(proposal_status=ProposalStatus.PROPOSED)
        .exclude(proposed_by_org_id=user.organization_id)
        .select_related("sponsor", "cdmo", "proposed_by")
        .order_by("-created_at", "pk")
    )


def proposal_deciders(*, project: Project) -> list[User]:
    """Who may accept `project`'s proposal (and hears about it): the other organization's active
    admins and, when the sponsor proposed, the CDMO project managers named on it."""
    other = project.cdmo_id if project.proposed_by_org_id == project.sponsor_id else project.sponsor_id
    who = Q(organization_id=other, org_role=OrgRole.ADMIN)
    if project.proposed_by_org_id == project.sponsor_id:
        named = ProjectMember.objects.filter(
            project=project, side=Side.CDMO, role=TeamRole.PROJECT_MANAGER, removed_at__isnull=True
        )
        who |= Q(organization_id=other, pk__in=named.values("user_id"))
    return list(User.objects.filter(who, is_active=True).order_by("pk"))


def get_proposal_for_user(*, user, project_id: int) -> tuple[Project, ProjectAccess]:
    """A project that is not accepted, and the user's access to it; Http404 if they may not read it."""
    project = (
        proposals_visible_to(user=user)
        .select_related("sponsor", "cdmo", "proposed_by", "proposed_by_org", "decided_by")
        .filter(pk=project_id)
        .first()
    )
    if project is None:
        raise Http404("No such proposal.")
    return project, access_for(user=user, project=project)


@dataclass(frozen=True)
class ProjectAccess:
    """What one user may do on one project (computed once per request)."""

    user: User
    project: Project
    side: Side
    roles: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_cdmo(self) -> bool:
        return self.side == Side.CDMO

    @property
    def is_sponsor(self) -> bool:
        return self.side == Side.SPONSOR

    @property
    def is_org_admin(self) -> bool:
        return self.user.org_role == OrgRole.ADMIN

    @property
    def is_project_manager(self) -> bool:
        return TeamRole.PROJECT_MANAGER in self.roles

    @property
    def is_sponsor_lead(self) -> bool:
        return TeamRole.SPONSOR_LEAD in self.roles

    @property
    def can_manage_project(self) -> bool:
        """The rule `permissions.can_manage_project`, under the name the issues app asks."""
        return permissions.can_manage_project(self)

    @property
    def sees_internal(self) -> bool:
        """CDMO-internal notes are never shown to the sponsor."""
        return self.is_cdmo


def get_project_for_user(*, user, project_id: int) -> tuple[Project, ProjectAccess]:
    """The project and the user's access to it, or Http404 if they may not see it."""
    project = visible_project(user=user, project_id=project_id)
    return project, access_for(user=user, project=project)


def visible_project(*, user, project_id: int) -> Project:
    """The project (with its two organizations), or Http404 if the user may not see it."""
    return visible_project_of(VISIBLE_PROJECT(**viewer_values(user), project_id=project_id))


def visible_project_of(rows: list[Project]) -> Project:
    """The project `VISIBLE_PROJECT` read (made with other reads), or Http404 if it found none."""
    if not rows:
        raise Http404("No such project.")
    return rows[0]


def viewer_values(user) -> dict:
    """What the tenancy rule asks of `user`, as the values of a `viewer_read`: their role and
    whether they belong to an organization shape the query (fixed), their ids are parameters."""
    organization_id = (
        getattr(user, "organization_id", None) if getattr(user, "is_authenticated", False) else None
    )
    return {
        "user_id": user.pk or 0,
        "organization_id": organization_id or 0,
        "org_role": getattr(user, "org_role", ""),
        "in_organization": organization_id is not None,
    }


def viewer_read(build: Callable[..., QuerySet], **types: type) -> CompiledRead:
    """A `CompiledRead` whose query is built on `projects_visible_to`: `build(viewer, **values)`
    gets a stand-in for the user, a User with what the rule asks. Call it with
    `**viewer_values(user)` and the values; it is compiled once for each kind of viewer, and an
    organization-wide role's query does not name the user."""

    def build_for(*, user_id: int, organization_id: int, org_role: str, in_organization: bool, **values):
        organization = organization_id if in_organization else None
        return build(User(pk=user_id, organization_id=organization, org_role=org_role), **values)

    return CompiledRead(
        build_for,
        fixed=("org_role", "in_organization"),
        optional=("user_id",),
        user_id=int,
        organization_id=int,
        **types,
    )


# The project with its two organizations, if the user may see it.
VISIBLE_PROJECT = viewer_read(
    lambda user, project_id: (
        projects_visible_to(user=user).select_related("sponsor", "cdmo").filter(pk=project_id)
    ),
    project_id=int,
)


def access_for(*, user, project: Project) -> ProjectAccess:
    roles = ProjectMember.objects.filter(project=project, user=user, removed_at__isnull=True).values_list(
        "role", flat=True
    )
    return _access(user=user, project=project, roles=roles)


def access_from_team(*, user, project: Project, members) -> ProjectAccess:
    """The user's access, read from the project's current team already loaded (no query)."""
    return _access(user=user, project=project, roles=(m.role for m in members if m.user_id == user.pk))


def _access(*, user, project: Project, roles) -> ProjectAccess:
    side = Side.SPONSOR if user.organization_id == project.sponsor_id else Side.CDMO
    return ProjectAccess(user=user, project=project, side=side, roles=frozenset(roles))


@dataclass
class ProjectFilters:
    status: str = ""
    phase: str = ""
    sponsor: int | None = None
    cdmo: int | None = None
    q: str = ""


# What a row of the list shows (projects/views/rows.py, projects/_proposal_badge.html).
LIST_FIELDS = (
    "code",
    "name",
    "status",
    "phase",
    "modality",
    "proposal_status",
    "proposed_by_org_id",
    "sponsor__name",
    "cdmo__name",
)


def project_list(*, user, filters: ProjectFilters) -> QuerySet[Project]:
    """Visible projects for the list page, with everything a row shows (no N+1)."""
    projects = projects_visible_to(user=user).select_related("sponsor", "cdmo")
    if filters.status:
        projects = projects.filter(status=filters.status)
    if filters.phase:
        projects = projects.filter(phase=filters.phase)
    if filters.sponsor:
        projects = projects.filter(sponsor_id=filters.sponsor)
    if filters.cdmo:
        projects = projects.filter(cdmo_id=filters.cdmo)
    if filters.q:
        projects = projects.filter(Q(code__icontains=filters.q) | Q(name__icontains=filters.q))
    # No team-size annotation: no page shows it, and a join and GROUP BY over every visible
    # project (thousands for an executive) cost 100 ms before the LIMIT applied. Only the columns
    # a row shows: every visible project passes through the sort.
    key_people = (
        ProjectMember.objects.filter(
            removed_at__isnull=True, role__in=[TeamRole.PROJECT_MANAGER, TeamRole.SPONSOR_LEAD]
        )
        .select_related("user")
        .only("project_id", "role", "user__full_name")
    )
    return (
        projects.only(*LIST_FIELDS)
        .prefetch_related(Prefetch("members", queryset=key_people, to_attr="key_people"))
        .order_by("code", "pk")
    )


def counterparties_for(*, user) -> QuerySet[Organization]:
    """Organizations on the other side of the user's visible projects (for filters)."""
    if not getattr(user, "organization_id", None):
        return Organization.objects.none()
    # As EXISTS the visible projects are read once and grouped; as IN the planner walked them
    # again for every organization.
    other = "cdmo_id" if user.organization.kind == OrganizationKind.SPONSOR else "sponsor_id"
    visible = projects_visible_to(user=user).filter(**{other: OuterRef("pk")})
    return Organization.objects.filter(Exists(visible)).order_by("name")
